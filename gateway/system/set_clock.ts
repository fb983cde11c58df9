import type { CommandRunner } from "../../lib/command.ts";

/** The system clock could not be set; the message says why, from timedatectl's own words. */
export class ClockSetError extends Error {
  override name = "ClockSetError";
}

/**
 * Sets the system clock through systemd (`timedatectl set-time @SECONDS`),
 * which gateway-api, running as an unprivileged user, may do where polkit
 * allows it; no capability is needed. timedatectl refuses while automatic
 * synchronisation is on, which it is on a gateway that merely cannot reach
 * its NTP servers, so that is switched off for the change and on again after,
 * to take over once a time source returns.
 */
export function systemClockSetter(runner: CommandRunner): (ms: number) => Promise<void> {
  const timedatectl = async (...args: string[]) => {
    let out;
    try {
      out = await runner.run("timedatectl", args, { timeoutMs: 5000 });
    } catch (error) {
      throw new ClockSetError(
        error instanceof Deno.errors.NotFound
          ? "timedatectl is not installed: the clock cannot be set from here"
          : `timedatectl ${args.join(" ")} failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (out.code !== 0) {
      throw new ClockSetError(
        `timedatectl ${args.join(" ")} failed: ${out.stderr.trim() || `exit ${out.code}`}`,
      );
    }
    return out.stdout.trim();
  };
  return async (ms) => {
    const ntp = await timedatectl("show", "-p", "NTP", "--value") === "yes";
    if (ntp) await timedatectl("set-ntp", "false");
    try {
      await timedatectl("set-time", `@${Math.round(ms / 1000)}`);
    } finally {
      if (ntp) await timedatectl("set-ntp", "true");
    }
  };
}
