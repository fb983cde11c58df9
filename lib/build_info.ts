import { BUILD_STAMP } from "./_build_stamp.ts";

/** What `--version` and `/health` report. */
export interface BuildInfo {
  version: string;
  commit: string | null;
  builtAt: string | null;
}

/**
 * The stamped build info; in development (`version` "dev") the commit is read
 * from the checkout's `.git` so `--version` still names the code that runs.
 */
export function buildInfo(): BuildInfo {
  if (BUILD_STAMP.commit !== null) return { ...BUILD_STAMP };
  return { ...BUILD_STAMP, commit: devCommit() };
}

function devCommit(): string | null {
  try {
    const gitDir = new URL("../.git/", import.meta.url);
    const head = Deno.readTextFileSync(new URL("HEAD", gitDir)).trim();
    if (!head.startsWith("ref: ")) return head.slice(0, 12);
    const ref = head.slice(5);
    try {
      return Deno.readTextFileSync(new URL(ref, gitDir)).trim().slice(0, 12);
    } catch {
      const packed = Deno.readTextFileSync(new URL("packed-refs", gitDir));
      const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
      return line ? line.slice(0, 12) : null;
    }
  } catch {
    return null;
  }
}

/** `gateway-api dev (a1b2c3d4e5f6)` or `gateway-api 0.1.0 (a1b2c3d4e5f6, built 2026-…)`. */
export function versionLine(program: string, info: BuildInfo = buildInfo()): string {
  const parts = [info.commit ?? "unknown commit"];
  if (info.builtAt) parts.push(`built ${info.builtAt}`);
  return `${program} ${info.version} (${parts.join(", ")})`;
}
