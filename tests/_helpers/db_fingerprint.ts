import { createHash } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";

/** What {@linkcode fingerprint} leaves out besides sessions and `api_tokens.last_used_at`. */
export interface FingerprintOptions {
  /** Audit actions that are expected to be written even by a refused request (`login.failed`). */
  ignoreAuditActions?: string[];
  /** Event types that are expected to be recorded even by a refused request (`enroll_refused`). */
  ignoreEventTypes?: string[];
}

/**
 * A SHA-256 digest of each domain table's rows, to tell whether a request
 * wrote anything. Sessions and the API tokens' `last_used_at` are left out:
 * authenticating a request legitimately touches them.
 *
 * @returns table name → digest, so a difference names the table that changed.
 */
export function fingerprint(
  db: DatabaseSync,
  options: FingerprintOptions = {},
): Record<string, string> {
  const tables = (db.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  ).all() as { name: string }[]).map((t) => t.name).filter((name) => name !== "sessions");
  const result: Record<string, string> = {};
  for (const table of tables) {
    const columns =
      (db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).all(table) as {
        name: string;
      }[]).map((c) => c.name).filter((c) => !(table === "api_tokens" && c === "last_used_at"));
    const list = columns.map((c) => `"${c}"`).join(", ");
    const [column, ignored] = table === "audit_log"
      ? ["action", options.ignoreAuditActions ?? []]
      : table === "events"
      ? ["type", options.ignoreEventTypes ?? []]
      : ["", []];
    const where = ignored.length
      ? `WHERE ${column} NOT IN (${ignored.map(() => "?").join(", ")})`
      : "";
    const rows = db.prepare(`SELECT ${list} FROM "${table}" ${where} ORDER BY ${list}`).all(
      ...ignored,
    );
    const hash = createHash("sha256");
    for (const row of rows) hash.update(JSON.stringify(Object.values(row)) + "\n");
    result[table] = `${rows.length} rows ${hash.digest("hex").slice(0, 16)}`;
  }
  return result;
}
