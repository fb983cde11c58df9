/**
 * A simulated machine's kernel files for the host collector, so several
 * simulated nodes run in one process, each with its own hostname and boot
 * (their hardware identity comes from simulatedHardwareIdentity()).
 */
import type { Clock } from "../../lib/clock.ts";
import type { KernelFiles } from "../../lib/kernel_files.ts";

/** What the simulated machine is. */
export interface SimulatedHost {
  hostname: string;
  bootId: string;
  /** When it booted (ms since the epoch, on `clock`); uptime counts from here. */
  bootedAt: number;
  clock: Clock;
  /** @default "6.12.0-halo-sim" */
  kernel?: string;
}

/** The files the host collector reads, as `host` would have them. */
export function simulatedHostFiles(host: SimulatedHost): KernelFiles {
  const files = (): Record<string, string> => ({
    "/proc/sys/kernel/hostname": `${host.hostname}\n`,
    "/proc/sys/kernel/random/boot_id": `${host.bootId}\n`,
    "/proc/sys/kernel/osrelease": `${host.kernel ?? "6.12.0-halo-sim"}\n`,
    "/proc/uptime": `${(Math.max(0, host.clock.now() - host.bootedAt) / 1000).toFixed(2)} 0.00\n`,
  });
  return {
    read: (path) => Promise.resolve(files()[path] ?? null),
    // The host collector reads files only.
    list: () => Promise.resolve([]),
  };
}
