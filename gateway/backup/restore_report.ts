import type { RestoreReport } from "./restore.ts";

/** What `gateway-api restore` prints when it is done. */
export function restoreReport(report: RestoreReport, varDir: string): string {
  const { manifest } = report;
  const width = Math.max(...report.restored.map((f) => f.path.length));
  const lines = [
    `Restored the backup made ${manifest.created_at} by gateway-api ${manifest.gateway.version} (${
      manifest.gateway.commit ?? "unknown commit"
    }) into ${varDir}:`,
    ...report.restored.map((f) =>
      `  ${f.path.padEnd(width)}  ${f.mode.toString(8).padStart(4, "0")}  ${
        String(f.size).padStart(10)
      } bytes  ${f.name}; owner: ${f.owner}`
    ),
  ];
  if (report.migrated.length > 0) {
    lines.push(`Its database was brought up to date with ${report.migrated.join(", ")}.`);
  }
  if (report.replacedDir !== null) {
    lines.push(
      `What it replaced was moved to ${report.replacedDir}/; remove that once the gateway runs well.`,
    );
  }
  lines.push("Start the gateway now (sudo systemctl start gateway-api).");
  return lines.join("\n");
}
