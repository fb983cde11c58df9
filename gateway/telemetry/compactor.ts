import type { DatabaseSync } from "node:sqlite";
import type { BatchLedger } from "./batch_ledger.ts";
import type { ChunkStore } from "./chunk_store.ts";
import { type Head, mergePoints, type PointList } from "./head.ts";
import {
  concatRollups,
  HOUR_MS,
  MINUTE_MS,
  rollUp,
  type RollupList,
  rollUpRollups,
} from "./rollup.ts";
import type { SeriesRegistry } from "./series_registry.ts";
import { hourOf, WINDOW_MS, windowOf } from "./windows.ts";
import type { LogBatch } from "./log_codec.ts";

/** What one compaction did. */
export interface CompactionResult {
  samples: number;
  windows: number;
}

/**
 * Moves the head into stored chunks in one transaction: per (window, series)
 * the raw chunk is merged with what is stored (late samples correct it), its
 * 1-minute rollups are recomputed from the merged samples, the hours touched
 * are recomputed from their minutes, the batches of the compacted log rows
 * go to `telemetry_batches`, and those log rows are deleted. If anything
 * fails the transaction rolls back and the head is restored.
 */
export function compact(
  deps: {
    db: DatabaseSync;
    head: Head;
    chunks: ChunkStore;
    registry: SeriesRegistry;
    ledger: BatchLedger;
    /** Batches acknowledged since the last compaction. */
    batches: LogBatch[];
  },
  options: { storeRaw: boolean },
): CompactionResult {
  const { db, head, chunks } = deps;
  const maxLog =
    (db.prepare("SELECT max(id) AS id FROM telemetry_log").get() as { id: number | null }).id;
  if (head.sampleCount === 0 && maxLog === null) return { samples: 0, windows: 0 };
  const samples = head.sampleCount;
  const drained = head.drain();

  // Group by window, keeping arrival order (the last arrival wins per timestamp).
  const byWindow = new Map<number, Map<number, PointList>>();
  for (const [seriesId, s] of drained) {
    for (let i = 0; i < s.ts.length; i++) {
      const w = windowOf(s.ts[i]!);
      let m = byWindow.get(w);
      if (!m) byWindow.set(w, m = new Map());
      let p = m.get(seriesId);
      if (!p) m.set(seriesId, p = { ts: [], values: [] });
      p.ts.push(s.ts[i]!);
      p.values.push(s.values[i]!);
    }
  }

  const hours = new Map<string, { hour: number; seriesId: number }>();
  const newest = new Map<number, { ts: number; value: number }>();
  let windows = 0;
  db.exec("BEGIN IMMEDIATE");
  try {
    for (const [window, perSeries] of [...byWindow].sort((a, b) => a[0] - b[0])) {
      for (const [seriesId, fresh] of perSeries) {
        const stored = chunks.raw(window, seriesId);
        const merged = mergePoints(
          stored ?? { ts: [], values: [] },
          mergePoints({ ts: [], values: [] }, fresh),
        );
        if (options.storeRaw) chunks.putRaw(window, seriesId, merged);
        let minutes = rollUp(merged, MINUTE_MS);
        if (!stored) {
          // Raw samples of this window are gone (size cap or low disk): fold into the stored minutes.
          const old = chunks.minutes(window, seriesId);
          if (old) minutes = rollUpRollups(concatRollups(old, minutes), MINUTE_MS);
        }
        chunks.putMinutes(window, seriesId, minutes);
        hours.set(`${hourOf(window)}:${seriesId}`, { hour: hourOf(window), seriesId });
        const last = merged.ts.length - 1;
        const prev = newest.get(seriesId);
        if (last >= 0 && (!prev || merged.ts[last]! >= prev.ts)) {
          newest.set(seriesId, { ts: merged.ts[last]!, value: merged.values[last]! });
        }
        windows++;
      }
    }
    for (const { hour, seriesId } of hours.values()) {
      const parts: RollupList = { ts: [], min: [], max: [], sum: [], count: [] };
      for (let w = hour; w < hour + HOUR_MS; w += WINDOW_MS) {
        const m = chunks.minutes(w, seriesId);
        if (!m) continue;
        parts.ts.push(...m.ts);
        parts.min.push(...m.min);
        parts.max.push(...m.max);
        parts.sum.push(...m.sum);
        parts.count.push(...m.count);
      }
      const h = rollUpRollups(parts, HOUR_MS);
      if (h.ts.length === 1) {
        chunks.putHour(hour, seriesId, {
          min: h.min[0]!,
          max: h.max[0]!,
          sum: h.sum[0]!,
          count: h.count[0]!,
        });
      }
    }
    const setLast = db.prepare(
      "UPDATE telemetry_series SET last_ts = ?, last_value = ? WHERE id = ? AND (last_ts IS NULL OR last_ts <= ?)",
    );
    for (const [seriesId, n] of newest) {
      setLast.run(n.ts, n.value, seriesId, n.ts);
      const series = deps.registry.byId(seriesId);
      if (series && (series.lastTs === null || series.lastTs <= n.ts)) {
        series.lastTs = n.ts;
        series.lastValue = n.value;
      }
    }
    const saveBatch = db.prepare(
      `INSERT OR IGNORE INTO telemetry_batches (node_id, epoch, batch_seq, body_hash, received_at)
       VALUES (?, ?, ?, ?, ?)`,
    );
    for (const b of deps.batches) saveBatch.run(b.nodeId, b.epoch, b.seq, b.hash, b.receivedAt);
    if (maxLog !== null) db.prepare("DELETE FROM telemetry_log WHERE id <= ?").run(maxLog);
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    for (const [seriesId, s] of drained) {
      for (let i = 0; i < s.ts.length; i++) head.add(seriesId, s.ts[i]!, s.values[i]!);
    }
    throw error;
  }
  deps.batches.length = 0;
  deps.ledger.forgetRecent();
  return { samples, windows };
}
