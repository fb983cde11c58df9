import type { DatabaseSync } from "node:sqlite";
import type { Settings } from "../../lib/schemas/system.ts";
import { HOUR_MS } from "./rollup.ts";
import { WINDOW_MS } from "./windows.ts";
import { prepared, transaction } from "../../lib/db/database.ts";

const DAY_MS = 86_400_000;

/** What one retention pass removed. */
export interface RetentionResult {
  rawWindows: number;
  minuteWindows: number;
  hours: number;
  /** Windows or hours removed to get under the size cap. */
  capped: { raw: number; minutes: number; hours: number };
}

/** Bytes the database uses (pages in use, free pages excluded). */
export function usedBytes(db: DatabaseSync): number {
  const pages = (prepared(db, "PRAGMA page_count").get() as { page_count: number }).page_count;
  const free =
    (prepared(db, "PRAGMA freelist_count").get() as { freelist_count: number }).freelist_count;
  const size = (prepared(db, "PRAGMA page_size").get() as { page_size: number }).page_size;
  return (pages - free) * size;
}

/**
 * Applies per-resolution retention — a window or hour goes once every sample
 * in it is older than its retention — then the size cap: while the database
 * uses more than the cap, the oldest raw window goes first, then the oldest
 * 1-minute window, then the oldest hour.
 */
export function applyRetention(
  db: DatabaseSync,
  settings: Settings,
  now: number,
  used: () => number = () => usedBytes(db),
): RetentionResult {
  const rawCutoff = now - settings.telemetry_raw_retention_days * DAY_MS;
  const result: RetentionResult = {
    rawWindows: 0,
    minuteWindows: 0,
    hours: 0,
    capped: { raw: 0, minutes: 0, hours: 0 },
  };
  const windowsBefore = (table: string, column: string, cutoff: number, span: number) =>
    (prepared(db, `SELECT count(DISTINCT ${column}) AS n FROM ${table} WHERE ${column} + ? <= ?`)
      .get(span, cutoff) as { n: number }).n;
  transaction(db, () => {
    result.rawWindows = windowsBefore("telemetry_raw", "window_start", rawCutoff, WINDOW_MS);
    prepared(db, "DELETE FROM telemetry_raw WHERE window_start + ? <= ?").run(WINDOW_MS, rawCutoff);
    const minuteCutoff = now - settings.telemetry_1m_retention_days * DAY_MS;
    result.minuteWindows = windowsBefore("telemetry_1m", "window_start", minuteCutoff, WINDOW_MS);
    prepared(db, "DELETE FROM telemetry_1m WHERE window_start + ? <= ?").run(
      WINDOW_MS,
      minuteCutoff,
    );
    const hourCutoff = now - settings.telemetry_1h_retention_days * DAY_MS;
    result.hours = windowsBefore("telemetry_1h", "hour_start", hourCutoff, HOUR_MS);
    prepared(db, "DELETE FROM telemetry_1h WHERE hour_start + ? <= ?").run(HOUR_MS, hourCutoff);
    prepared(db, "DELETE FROM telemetry_batches WHERE received_at < ?").run(rawCutoff);
  });

  const cap = settings.telemetry_size_cap_mb * 1024 * 1024;
  const steps: [keyof RetentionResult["capped"], string, string][] = [
    ["raw", "telemetry_raw", "window_start"],
    ["minutes", "telemetry_1m", "window_start"],
    ["hours", "telemetry_1h", "hour_start"],
  ];
  for (const [kind, table, column] of steps) {
    while (used() > cap) {
      const oldest =
        (prepared(db, `SELECT min(${column}) AS t FROM ${table}`).get() as { t: number | null }).t;
      if (oldest === null) break;
      prepared(db, `DELETE FROM ${table} WHERE ${column} = ?`).run(oldest);
      result.capped[kind]++;
    }
  }
  return result;
}
