/** Printing the telemetry benchmark's figures: detail lines as they come, a table at the end. */

/** One figure of the final summary. */
export interface Figure {
  /** The benchmark letter: a … e. */
  part: string;
  name: string;
  /** Formatted value with its unit, e.g. "41.2 B/sample". */
  value: string;
  /** Formatted target, e.g. "≤ 64 B/sample". */
  target: string;
}

/** Prints a detail line of part `part`. */
export function detail(part: string, text: string): void {
  console.log(`(${part}) ${text}`);
}

/** `n` with thousands separators and `digits` decimals. */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** The summary table of `figures`, in columns. */
export function summaryTable(figures: Figure[]): string {
  const rows = [
    ["", "figure", "measured", "target"],
    ...figures.map((f) => [
      `(${f.part})`,
      f.name,
      f.value,
      f.target,
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd();
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)]
    .join("\n");
}
