import type { DatabaseSync, StatementSync } from "node:sqlite";
import { decodeChunk, decodeRollups, encodeChunk, encodeRollups } from "./chunk_codec.ts";
import type { PointList } from "./head.ts";
import type { RollupList } from "./rollup.ts";
import { prepared } from "../../lib/db/database.ts";

/** Reads and writes the stored chunks and rollups with prepared statements. */
export class ChunkStore {
  readonly #getRaw: StatementSync;
  readonly #putRaw: StatementSync;
  readonly #get1m: StatementSync;
  readonly #put1m: StatementSync;
  readonly #get1h: StatementSync;
  readonly #put1h: StatementSync;

  constructor(private readonly db: DatabaseSync) {
    this.#getRaw = prepared(
      db,
      "SELECT data FROM telemetry_raw WHERE window_start = ? AND series_id = ?",
    );
    this.#putRaw = prepared(
      db,
      "INSERT OR REPLACE INTO telemetry_raw (window_start, series_id, count, data) VALUES (?, ?, ?, ?)",
    );
    this.#get1m = prepared(
      db,
      "SELECT data FROM telemetry_1m WHERE window_start = ? AND series_id = ?",
    );
    this.#put1m = prepared(
      db,
      "INSERT OR REPLACE INTO telemetry_1m (window_start, series_id, data) VALUES (?, ?, ?)",
    );
    this.#get1h = prepared(
      db,
      "SELECT min, max, sum, count FROM telemetry_1h WHERE hour_start = ? AND series_id = ?",
    );
    this.#put1h = prepared(
      db,
      "INSERT OR REPLACE INTO telemetry_1h (hour_start, series_id, min, max, sum, count) VALUES (?, ?, ?, ?, ?, ?)",
    );
  }

  raw(window: number, seriesId: number): PointList | null {
    const row = this.#getRaw.get(window, seriesId) as { data: Uint8Array } | undefined;
    return row ? decodeChunk(row.data) : null;
  }

  putRaw(window: number, seriesId: number, points: PointList): void {
    this.#putRaw.run(window, seriesId, points.ts.length, encodeChunk(points));
  }

  minutes(window: number, seriesId: number): RollupList | null {
    const row = this.#get1m.get(window, seriesId) as { data: Uint8Array } | undefined;
    return row ? decodeRollups(row.data) : null;
  }

  putMinutes(window: number, seriesId: number, rollups: RollupList): void {
    this.#put1m.run(window, seriesId, encodeRollups(rollups));
  }

  hour(
    hour: number,
    seriesId: number,
  ): { min: number; max: number; sum: number; count: number } | null {
    return (this.#get1h.get(hour, seriesId) as
      | { min: number; max: number; sum: number; count: number }
      | undefined) ?? null;
  }

  putHour(
    hour: number,
    seriesId: number,
    r: { min: number; max: number; sum: number; count: number },
  ): void {
    this.#put1h.run(hour, seriesId, r.min, r.max, r.sum, r.count);
  }

  get database(): DatabaseSync {
    return this.db;
  }
}
