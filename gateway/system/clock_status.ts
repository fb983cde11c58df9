import type { CommandRunner } from "../../lib/command.ts";

/** Whether the system clock is NTP-synchronised; null when it cannot be told. */
export interface ClockStatus {
  synchronized: boolean | null;
  source: string;
}

/**
 * Asks systemd whether the kernel clock is NTP-synchronised
 * (`timedatectl show -p NTPSynchronized`; true for timesyncd and chrony alike).
 * Field gateways often have no upstream time, so "not synchronised" is
 * normal there; the answer is cached for a minute.
 */
export function clockStatusProbe(
  runner: CommandRunner,
  now: () => number = Date.now,
): () => Promise<ClockStatus> {
  let cached: { at: number; status: ClockStatus } | null = null;
  return async () => {
    if (cached && now() - cached.at < 60_000) return cached.status;
    let status: ClockStatus;
    try {
      const out = await runner.run("timedatectl", ["show", "-p", "NTPSynchronized", "--value"], {
        timeoutMs: 2000,
      });
      const value = out.stdout.trim();
      status = out.code === 0 && (value === "yes" || value === "no")
        ? { synchronized: value === "yes", source: "timedatectl" }
        : { synchronized: null, source: `timedatectl failed: ${out.stderr.trim() || value}` };
    } catch (error) {
      status = {
        synchronized: null,
        source: error instanceof Deno.errors.NotFound
          ? "timedatectl not installed"
          : `timedatectl failed: ${(error as Error).message}`,
      };
    }
    cached = { at: now(), status };
    return status;
  };
}
