import type { DatabaseSync } from "node:sqlite";
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
import type { SeriesRegistry } from "./series_registry.ts";
import { hourOf, WINDOW_MS, windowOf } from "./windows.ts";

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
  collectGarbage?: (() => void) | null;
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
    (db.prepare("SELECT max(id) AS id FROM telemetry_log").get() as { id: number | null }).id;
  const frozen = head.freeze();
  let samples = 0;
  const keepFrom = options.keepFrom ?? Infinity;
  const kept = new Map<number, PointList>();
  // Series by series, so only one slice's per-window copies exist at a time; in id order,
  // so the rows of one window append in key order.
  const seriesIds = frozen.seriesIds();
  const windowsOf = (
    seriesId: number,
  ): { window: number; seriesId: number; fresh: PointList }[] => {
    const perWindow = new Map<number, PointList>();
    frozen.forEach(seriesId, (ts, value) => {
      if (ts >= keepFrom) {
        let k = kept.get(seriesId);
        if (!k) kept.set(seriesId, k = { ts: [], values: [] });
        k.ts.push(ts);
        k.values.push(value);
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
  const newest = new Map<number, { ts: number; value: number }>();
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
    const last = merged.ts.length - 1;
    const prev = newest.get(seriesId);
    if (last >= 0 && (!prev || merged.ts[last]! >= prev.ts)) {
      newest.set(seriesId, { ts: merged.ts[last]!, value: merged.values[last]! });
    }
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
    const setLast = db.prepare(
      "UPDATE telemetry_series SET last_ts = ?, last_value = ? WHERE id = ? AND (last_ts IS NULL OR last_ts <= ?)",
    );
    for (const [seriesId, n] of newest) setLast.run(n.ts, n.value, seriesId, n.ts);
    const saveBatch = db.prepare(
      `INSERT OR IGNORE INTO telemetry_batches (node_id, epoch, batch_seq, body_hash, received_at)
       VALUES (?, ?, ?, ?, ?)`,
    );
    for (const b of batches) saveBatch.run(b.nodeId, b.epoch, b.seq, b.hash, b.receivedAt);
    if (maxLog !== null) db.prepare("DELETE FROM telemetry_log WHERE id <= ?").run(maxLog);
    if (kept.size > 0) {
      // The open window's samples stay acknowledged: logged again before their old rows go.
      const ids: number[] = [], ts: number[] = [], values: number[] = [];
      for (const [seriesId, p] of kept) {
        for (let i = 0; i < p.ts.length; i++) {
          (ids.push(seriesId), ts.push(p.ts[i]!), values.push(p.values[i]!));
        }
      }
      db.prepare("INSERT INTO telemetry_log (received_at, data) VALUES (?, ?)").run(
        keepFrom,
        encodeLogRecord({ batches: [], seriesIds: ids, ts, values }),
      );
    }
  };

  try {
    if (!options.storeRaw) {
      runInTransaction(db, () => {
        for (const id of seriesIds) windowsOf(id).forEach(writeWindow);
        [...hours.values()].forEach(writeHour);
        finish();
      });
    } else {
      for (let i = 0; i < seriesIds.length; i += SLICE) {
        runInTransaction(db, () => {
          for (const id of seriesIds.slice(i, i + SLICE)) windowsOf(id).forEach(writeWindow);
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
  for (const [seriesId, n] of newest) {
    const series = deps.registry.byId(seriesId);
    if (series && (series.lastTs === null || series.lastTs <= n.ts)) {
      series.lastTs = n.ts;
      series.lastValue = n.value;
    }
  }
  head.release(kept);
  deps.ledger.forget(batches);
  deps.collectGarbage?.();
  return { samples, windows };
}
