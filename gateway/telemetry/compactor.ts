import type { DatabaseSync } from "node:sqlite";
import type { CollectGarbage } from "../system/memory_release.ts";
import { setImmediate } from "node:timers";
import type { BatchLedger } from "./batch_ledger.ts";
import type { ChunkStore } from "./chunk_store.ts";
import { type Head, mergePoints, type PointList } from "./head.ts";
import { encodeLogRecord, type LogBatch } from "./log_codec.ts";
import {
  concatRollups,
  HOUR_MS,
  MINUTE_MS,
  rollUp,
  type RollupList,
  rollUpRollups,
} from "./rollup.ts";
import { SampleColumns } from "./sample_columns.ts";
import type { SeriesRegistry } from "./series_registry.ts";
import { hourOf, WINDOW_MS, windowOf } from "./windows.ts";
import { prepared } from "../../lib/db/database.ts";

/** What one compaction did. */
export interface CompactionResult {
  samples: number;
  windows: number;
}

/** Dependencies of {@linkcode compact}. */
export interface CompactDeps {
  db: DatabaseSync;
  head: Head;
  chunks: ChunkStore;
  registry: SeriesRegistry;
  ledger: BatchLedger;
  /** Batches acknowledged since the last compaction; emptied once they are stored. */
  batches: LogBatch[];
  /**
   * A full garbage collection, run after every {@linkcode COLLECT_EVERY}
   * series: compaction makes a few KB of short-lived objects per series,
   * and some of them outlive two young-generation collections. Left to
   * itself, V8 let that garbage lift the heap by ~30 MB at 20,000 series and
   * then raised its next collection's threshold to match.
   */
  collectGarbage?: CollectGarbage | null;
}

/** Series written per transaction, so the event loop is never held long. */
export const SLICE = 500;
/** Series compacted between two of {@linkcode CompactDeps.collectGarbage}'s collections. */
export const COLLECT_EVERY = 2000;

// setImmediate, not setTimeout(0): no timer to arm and fire for each slice.
const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

function runInTransaction(db: DatabaseSync, fn: () => void): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    fn();
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

/**
 * Moves the head into stored chunks: per (window, series) the raw chunk is
 * merged with what is stored (late samples correct it; the last arrival wins
 * per timestamp), its 1-minute rollups are recomputed from the merged samples,
 * and its hour is updated: a window new to its hour is folded into the stored
 * hour, any other change recomputes the hour from all its minutes. Work goes in
 * slices of {@linkcode SLICE} pairs, each its own transaction, yielding to the
 * event loop between them; queries read the frozen head meanwhile. The last
 * transaction stores the batch keys and deletes the compacted log rows, so a
 * crash in between replays the log and merges the same samples again, which
 * gives the same chunks. Without raw storage (low disk) minutes cannot be
 * recomputed from samples, so that case runs in one transaction.
 */
export async function compact(
  deps: CompactDeps,
  options: {
    storeRaw: boolean;
    /**
     * Samples from this time on (the window still open) stay in the head and
     * are logged again, so each window is written once, when it is complete.
     * Omit to compact everything (memory pressure, tests).
     */
    keepFrom?: number;
  },
): Promise<CompactionResult> {
  const { db, head, chunks } = deps;
  const maxLog =
    (prepared(db, "SELECT max(id) AS id FROM telemetry_log").get() as { id: number | null }).id;
  const frozen = head.freeze();
  let samples = 0;
  const keepFrom = options.keepFrom ?? Infinity;
  /** Samples of the open window, which stay in the head. */
  const kept = new SampleColumns();
  // Series by series, so only one slice's per-window copies exist at a time; in id order,
  // so the rows of one window append in key order.
  const seriesIds = frozen.seriesIds();
  const windowsOf = (
    seriesId: number,
  ): { window: number; seriesId: number; fresh: PointList }[] => {
    const perWindow = new Map<number, PointList>();
    frozen.forEach(seriesId, (ts, value) => {
      if (ts >= keepFrom) {
        kept.push(seriesId, ts, value);
        return;
      }
      samples++;
      const w = windowOf(ts);
      let p = perWindow.get(w);
      if (!p) perWindow.set(w, p = { ts: [], values: [] });
      p.ts.push(ts);
      p.values.push(value);
    });
    return [...perWindow].sort((x, y) => x[0] - y[0]).map(([window, fresh]) => ({
      window,
      seriesId,
      fresh,
    }));
  };
  let windows = 0;
  /** Hours to recompute from all their minutes once every window is written. */
  const hours = new Map<string, { hour: number; seriesId: number }>();
  /** Each compacted series' newest stored sample (the last arrival on equal timestamps). */
  const newest = new SampleColumns();
  /** The series being compacted: its newest sample so far. */
  let lastTs = -Infinity, lastValue = NaN;
  const batches = deps.batches.splice(0);

  const writeWindow = (
    { window, seriesId, fresh }: { window: number; seriesId: number; fresh: PointList },
  ) => {
    windows++;
    const stored = chunks.raw(window, seriesId);
    const merged = mergePoints(
      stored ?? { ts: [], values: [] },
      mergePoints({ ts: [], values: [] }, fresh),
    );
    if (options.storeRaw) chunks.putRaw(window, seriesId, merged);
    let minutes = rollUp(merged, MINUTE_MS);
    const old = stored ? null : chunks.minutes(window, seriesId);
    // Raw samples of this window are gone (size cap or low disk): fold into the stored minutes.
    if (old) minutes = rollUpRollups(concatRollups(old, minutes), MINUTE_MS);
    chunks.putMinutes(window, seriesId, minutes);
    const hour = hourOf(window);
    if (stored || old) {
      // Minutes the hour was computed from changed: recompute it from all of them.
      hours.set(`${hour}:${seriesId}`, { hour, seriesId });
    } else {
      // A window new to its hour only adds to it. Folding its minutes into the stored hour
      // spares reading and inflating the hour's other windows, the bulk of compaction's
      // garbage once an hour holds several windows.
      addToHour(hour, seriesId, minutes);
    }
    const end = merged.ts.length - 1;
    if (end >= 0 && merged.ts[end]! >= lastTs) {
      lastTs = merged.ts[end]!;
      lastValue = merged.values[end]!;
    }
  };
  // A series' windows are compacted one after another, so its newest sample is known at its end.
  const compactSeries = (seriesId: number) => {
    lastTs = -Infinity;
    windowsOf(seriesId).forEach(writeWindow);
    if (lastTs > -Infinity) newest.push(seriesId, lastTs, lastValue);
  };
  const putHour = (hour: number, seriesId: number, h: RollupList) => {
    if (h.ts.length !== 1) return;
    chunks.putHour(hour, seriesId, {
      min: h.min[0]!,
      max: h.max[0]!,
      sum: h.sum[0]!,
      count: h.count[0]!,
    });
  };
  const addToHour = (hour: number, seriesId: number, minutes: RollupList) => {
    const h = chunks.hour(hour, seriesId);
    putHour(
      hour,
      seriesId,
      rollUpRollups(
        h
          ? {
            ts: [hour, ...minutes.ts],
            min: [h.min, ...minutes.min],
            max: [h.max, ...minutes.max],
            sum: [h.sum, ...minutes.sum],
            count: [h.count, ...minutes.count],
          }
          : minutes,
        HOUR_MS,
      ),
    );
  };
  const writeHour = ({ hour, seriesId }: { hour: number; seriesId: number }) => {
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
    putHour(hour, seriesId, rollUpRollups(parts, HOUR_MS));
  };
  const finish = () => {
    const setLast = prepared(
      db,
      "UPDATE telemetry_series SET last_ts = ?, last_value = ? WHERE id = ? AND (last_ts IS NULL OR last_ts <= ?)",
    );
    // Views taken once: each read of a column makes a new one.
    const ids = newest.seriesIds, ts = newest.ts, values = newest.values;
    for (let i = 0; i < ts.length; i++) setLast.run(ts[i]!, values[i]!, ids[i]!, ts[i]!);
    const saveBatch = prepared(
      db,
      `INSERT OR IGNORE INTO telemetry_batches (node_id, epoch, batch_seq, body_hash, received_at)
       VALUES (?, ?, ?, ?, ?)`,
    );
    for (const b of batches) saveBatch.run(b.nodeId, b.epoch, b.seq, b.hash, b.receivedAt);
    if (maxLog !== null) prepared(db, "DELETE FROM telemetry_log WHERE id <= ?").run(maxLog);
    if (kept.length > 0) {
      // The open window's samples stay acknowledged: logged again before their old rows go.
      prepared(db, "INSERT INTO telemetry_log (received_at, data) VALUES (?, ?)").run(
        keepFrom,
        encodeLogRecord({
          batches: [],
          seriesIds: kept.seriesIds,
          ts: kept.ts,
          values: kept.values,
        }),
      );
    }
  };

  try {
    if (!options.storeRaw) {
      runInTransaction(db, () => {
        seriesIds.forEach(compactSeries);
        [...hours.values()].forEach(writeHour);
        finish();
      });
    } else {
      for (let i = 0; i < seriesIds.length; i += SLICE) {
        runInTransaction(db, () => {
          seriesIds.slice(i, i + SLICE).forEach(compactSeries);
        });
        if ((i + SLICE) % COLLECT_EVERY === 0) deps.collectGarbage?.();
        await yieldToEventLoop();
      }
      const hourList = [...hours.values()];
      for (let i = 0; i < hourList.length; i += SLICE) {
        runInTransaction(db, () => hourList.slice(i, i + SLICE).forEach(writeHour));
        await yieldToEventLoop();
      }
      runInTransaction(db, finish);
    }
  } catch (error) {
    head.thaw();
    deps.batches.unshift(...batches);
    throw error;
  }
  const newestIds = newest.seriesIds, newestTs = newest.ts, newestValues = newest.values;
  for (let i = 0; i < newestTs.length; i++) {
    const series = deps.registry.byId(newestIds[i]!);
    if (series && (series.lastTs === null || series.lastTs <= newestTs[i]!)) {
      series.lastTs = newestTs[i]!;
      series.lastValue = newestValues[i]!;
    }
  }
  head.release(kept);
  deps.ledger.forget(batches);
  return { samples, windows };
}
