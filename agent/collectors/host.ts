/**
 * The "host" collector: what every node report carries about the machine
 * itself (hostname, kernel boot id, uptime, agent and kernel versions), read
 * from the kernel's files.
 */
import type { KernelFiles } from "../../lib/kernel_files.ts";
import { nodeReportSchema } from "../../lib/schemas/report.ts";
import type { Collector } from "./collector.ts";

/** The machine as the kernel describes it. */
export interface HostInfo {
  /** null when the kernel's hostname is not one the gateway accepts (e.g. holds '_'). */
  hostname: string | null;
  bootId: string;
  uptimeS: number;
  /** `uname -r`, when known. */
  kernel: string | null;
}

const HOSTNAME = nodeReportSchema.shape.hostname.unwrap();
const BOOT_ID = nodeReportSchema.shape.boot_id;

/**
 * Reads the hostname, boot id, uptime and kernel release from `files`
 * (`/proc/sys/kernel/…`, `/proc/uptime`).
 *
 * @throws {Error} naming the file when the boot id or uptime is missing or malformed.
 */
export async function readHostInfo(files: KernelFiles): Promise<HostInfo> {
  const [hostname, bootId, uptime, kernel] = await Promise.all([
    files.read("/proc/sys/kernel/hostname"),
    files.read("/proc/sys/kernel/random/boot_id"),
    files.read("/proc/uptime"),
    files.read("/proc/sys/kernel/osrelease"),
  ]);
  const id = bootId?.trim();
  if (!id || !BOOT_ID.safeParse(id).success) {
    throw new Error(`/proc/sys/kernel/random/boot_id: expected a UUID, got ${JSON.stringify(id)}`);
  }
  const uptimeS = Number(uptime?.trim().split(/\s+/)[0]);
  if (!uptime || !Number.isFinite(uptimeS) || uptimeS < 0) {
    throw new Error(`/proc/uptime: expected seconds, got ${JSON.stringify(uptime)}`);
  }
  const name = hostname?.trim() ?? "";
  return {
    hostname: HOSTNAME.safeParse(name).success ? name : null,
    bootId: id,
    uptimeS,
    kernel: kernel?.trim() || null,
  };
}

/**
 * The host collector: no readings, the report's hostname, `boot_id`,
 * `uptime_s` and versions: `halo-agent` (the portal shows it) and `kernel`.
 *
 * @param version the agent's version as the report shows it, e.g. `dev (a1b2c3d4e5f6)`.
 */
export function hostCollector(files: KernelFiles, version: string): Collector {
  return {
    name: "host",
    async collect() {
      const host = await readHostInfo(files);
      return {
        readings: [],
        report: {
          ...(host.hostname !== null ? { hostname: host.hostname } : {}),
          boot_id: host.bootId,
          uptime_s: host.uptimeS,
          versions: {
            "halo-agent": version,
            ...(host.kernel ? { kernel: host.kernel.slice(0, 64) } : {}),
          },
        },
      };
    },
  };
}
