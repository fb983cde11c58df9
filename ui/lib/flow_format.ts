/** Formatting shared by the Flows pages. */

/** Milliseconds as "840 ms", "3.2 s", "4 min 5 s". */
export function elapsed(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Milliseconds between two ISO times, or null when one is missing. */
export function between(from: string | null, to: string | null): number | null {
  return from && to ? Date.parse(to) - Date.parse(from) : null;
}

/** Whether a step (or the action inside a for_each_node) runs commands over SSH: admin-only flows. */
export function runsCommands(
  step: { type: string; config?: Record<string, unknown> | undefined },
): boolean {
  if (step.type === "command") return true;
  const inner = (step.config as { action?: { type?: string } } | undefined)?.action;
  return step.type === "for_each_node" && inner?.type === "command";
}
