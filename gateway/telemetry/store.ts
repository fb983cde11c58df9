/**
 * The telemetry store.
 *
 * Design note. Gateways run from SD cards, which wear out by bytes written,
 * and SQLite writes whole 4 KB pages to its WAL on every commit and again at
 * checkpoint (see ../shared/reference/storage-writes.md). So:
 *
 * - Ingest: batches are validated, then wait (at most 1 s) for a group commit
 *   that writes every waiting batch as ONE compressed row of `telemetry_log`
 *   in one fsynced transaction; only then is each batch acknowledged. Senders
 *   keep their own buffer until acknowledged, so waiting loses nothing.
 * - Head: committed samples are also kept in memory until compaction, so
 *   recent data is queryable without touching disk.
 * - Compaction (every 10 min, just after a window closes): per series and
 *   10-minute window one compressed raw chunk and one blob of 1-minute
 *   rollups, plus one row per series and hour; keys start with time, so new
 *   rows append at the end of each B-tree instead of dirtying pages all over
 *   the file. Late samples merge into their window (last arrival wins per
 *   timestamp) and their minutes and hour are recomputed. The compacted log
 *   rows go in the same transaction, so a crash replays the log at start-up.
 * - Retention per resolution and a size cap run after compaction; below 5 %
 *   free disk the store keeps only rollups, raises an event and says so in
 *   /health.
 *
 * `bench/telemetry_bench.ts` measures the bytes written per sample.
 */
import { createHash } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";
import type { Clock } from "../../lib/clock.ts";
import { ConflictError, PermissionError, ValidationError } from "../../lib/errors.ts";
import type { Logger } from "../../lib/log.ts";
import {
  MAX_FUTURE_MS,
  type Resolution,
  type TelemetryBatch,
} from "../../lib/schemas/telemetry.ts";
import type { EventHub } from "../events/event_hub.ts";
import type { SettingsStore } from "../store/settings.ts";
import type { CollectGarbage } from "../system/memory_release.ts";
import { BatchLedger } from "./batch_ledger.ts";
import { BatchScanner } from "./batch_scan.ts";
import type { CheckedBatch } from "./batch_check.ts";
import { ChunkStore } from "./chunk_store.ts";
import { compact, type CompactionResult } from "./compactor.ts";
import { type DiskSpace, LOW_DISK_FRACTION } from "./disk_guard.ts";
import { GroupCommitter } from "./group_commit.ts";
import { Head } from "./head.ts";
import { decodeLogRecord, type LogBatch } from "./log_codec.ts";
import { autoResolution, SeriesReader } from "./query.ts";
import { applyRetention, type RetentionResult } from "./retention.ts";
import { type Series, SeriesRegistry } from "./series_registry.ts";
import { windowOf } from "./windows.ts";
import { prepared } from "../../lib/db/database.ts";

const DAY_MS = 86_400_000;

/** What a batch's sender is told. */
export interface Ack {
  accepted: number;
  duplicate: boolean;
  gateway_time_ms: number;
}

/** A query over series. */
export interface TelemetryQuery {
  nodes?: string[] | undefined;
  metrics?: string[] | undefined;
  labels?: Record<string, string> | undefined;
  from: number;
  to: number;
  resolution: Resolution | "auto";
}

/** One series in a query answer. */
export interface SeriesResult {
  series: Series;
  points: ({ ts: number; value: number } | {
    ts: number;
    min: number;
    max: number;
    avg: number;
    count: number;
  })[];
}

/** Store health as /health shows it. */
export interface TelemetryHealth {
  raw_paused: boolean;
  disk_free_percent: number | null;
  head_samples: number;
}

/** Options for {@linkcode TelemetryStore}. */
export interface TelemetryStoreOptions {
  db: DatabaseSync;
  clock: Clock;
  log: Logger;
  settings: SettingsStore;
  events: EventHub;
  /** Directory whose file system the database lives on. */
  dataDir: string;
  diskSpace: DiskSpace;
  /** Group commit delay. @default 1000 */
  commitDelayMs?: number;
  /** Compact early once the head holds this many samples. @default 2000000 */
  maxHeadSamples?: number;
  /**
   * A full garbage collection, run now and then during compaction (see
   * compactor.ts) and, reducing the heap, once after it.
   */
  collectGarbage?: CollectGarbage | null;
}

/** Ingest, query, compaction and retention of node telemetry. */
export class TelemetryStore {
  readonly registry: SeriesRegistry;
  readonly head = new Head();
  /** Reads ingest requests' batches; shared, as it remembers the sample keys it has checked. */
  readonly scanner = new BatchScanner();
  readonly #ledger: BatchLedger;
  readonly #chunks: ChunkStore;
  readonly #reader: SeriesReader;
  readonly #committer: GroupCommitter;
  readonly #committed: LogBatch[] = [];
  /** Called with each accepted batch's samples (the Flows triggers); errors are logged, never fail ingest. */
  onSamples:
    | ((nodeId: string, samples: TelemetryBatch["samples"], seriesIds: Uint32Array) => void)
    | null = null;
  #rawPaused = false;
  #compacting: Promise<CompactionResult> | null = null;
  #diskFreePercent: number | null = null;

  constructor(private readonly options: TelemetryStoreOptions) {
    const { db } = options;
    this.registry = new SeriesRegistry(db);
    this.#ledger = new BatchLedger(db);
    this.#chunks = new ChunkStore(db);
    this.#reader = new SeriesReader(this.#chunks, this.head);
    this.#committer = new GroupCommitter({
      db,
      registry: this.registry,
      head: this.head,
      ledger: this.#ledger,
      committed: this.#committed,
      log: options.log,
      now: () => options.clock.now(),
      ...(options.commitDelayMs !== undefined ? { maxDelayMs: options.commitDelayMs } : {}),
    });
    this.#replayLog();
  }

  /** Puts what the ingest log holds (acknowledged, not yet compacted) back into the head. */
  #replayLog(): void {
    const rows = prepared(this.options.db, "SELECT id, data FROM telemetry_log ORDER BY id")
      .all() as {
        id: number;
        data: Uint8Array;
      }[];
    for (const row of rows) {
      const record = decodeLogRecord(row.data);
      for (let i = 0; i < record.ts.length; i++) {
        this.head.add(Number(record.seriesIds[i]), record.ts[i]!, record.values[i]!);
      }
      for (const b of record.batches) {
        this.#ledger.remember(b.nodeId, b.epoch, b.seq, b.hash);
        this.#committed.push(b);
      }
    }
    if (rows.length > 0) {
      this.options.log.info("telemetry log replayed", {
        rows: rows.length,
        samples: this.head.sampleCount,
      });
    }
  }

  /**
   * Stores one batch from `nodeId`'s agent; resolves once it is durable.
   * `body` is the request body the batch was parsed from: its digest tells a
   * retry (the agent sends the same bytes again) from a reused key.
   *
   * Not async on purpose: everything but the wait for the group commit runs
   * now, and only the packed samples wait. The parsed batch and the body
   * become garbage at once instead of living through the commit delay, which
   * would move them to the old generation at every request.
   *
   * @throws {PermissionError | ConflictError | ValidationError} as a rejection:
   *   for another node's batch, for a reused key with another body, and
   *   listing each refused sample.
   */
  ingest(nodeId: string, checked: CheckedBatch, body: string | Uint8Array): Promise<Ack> {
    try {
      return this.#accept(nodeId, checked, body);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #accept(
    nodeId: string,
    { batch, labelsKeys }: CheckedBatch,
    body: string | Uint8Array,
  ): Promise<Ack> {
    const now = this.options.clock.now();
    if (batch.node_id !== nodeId) {
      throw new PermissionError(`This agent token belongs to ${nodeId}, not ${batch.node_id}`);
    }
    const samples = batch.samples;
    const n = samples.length;
    const ack: Ack = { accepted: n, duplicate: false, gateway_time_ms: now };
    const hash = new Uint8Array(createHash("sha256").update(body).digest().subarray(0, 16));
    const status = this.#ledger.check(nodeId, batch.epoch, batch.batch_seq, hash);
    if (status.state === "conflict") {
      throw new ConflictError(
        `Batch ${batch.epoch}/${batch.batch_seq} of ${nodeId} was stored with another body: ` +
          `use a new batch_seq for new samples`,
      );
    }
    if (status.state !== "new") {
      const duplicate = { ...ack, duplicate: true };
      return status.state === "pending"
        ? status.done.then(() => duplicate)
        : Promise.resolve(duplicate);
    }

    const known = new Array<Series | undefined>(n);
    const problems = this.#check(nodeId, batch, labelsKeys, now, known);
    if (problems.length > 0) {
      throw new ValidationError(
        `Batch refused, nothing stored: ${problems.length} sample(s) cannot be stored; first: ${
          problems[0]!.path
        }: ${problems[0]!.message}`,
        { details: problems },
      );
    }
    // From the ledger check to markPending nothing awaits, so a concurrent retry sees "pending".
    const seriesIds = new Uint32Array(n);
    const ts = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = samples[i]!;
      seriesIds[i] = (known[i] ??
        this.registry.resolve(nodeId, s.metric, labelsKeys[i]!, s.unit ?? null)).id;
      ts[i] = s.ts;
      values[i] = s.value;
    }
    const done = this.#committer.submit({
      batch: { nodeId, epoch: batch.epoch, seq: batch.batch_seq, hash, receivedAt: now },
      seriesIds,
      ts,
      values,
    });
    this.#ledger.markPending(nodeId, batch.epoch, batch.batch_seq, hash, done);
    // Triggers act on a breach without waiting for the group commit.
    try {
      this.onSamples?.(nodeId, samples, seriesIds);
    } catch (error) {
      this.options.log.error("evaluating flow triggers failed", { error });
    }
    return done.then(() => {
      if (
        this.head.sampleCount >= (this.options.maxHeadSamples ?? 2_000_000) && !this.#compacting
      ) {
        this.compact({ all: true, early: true }).catch((error) =>
          this.options.log.error("telemetry compaction failed", { error })
        );
      }
      return ack;
    });
  }

  /** Refused samples of a batch; fills `known` with the existing series of each sample. */
  #check(
    nodeId: string,
    batch: TelemetryBatch,
    labelsKeys: string[],
    now: number,
    known: (Series | undefined)[],
  ) {
    const problems: { path: string; message: string }[] = [];
    const retentionDays = this.options.settings.get().telemetry_raw_retention_days;
    const oldest = now - retentionDays * DAY_MS;
    const newest = now + MAX_FUTURE_MS;
    let unitInBatch: Map<string, string> | undefined;
    const samples = batch.samples;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      if (s.ts > newest) {
        problems.push({
          path: `body.samples.${i}.ts`,
          message: `${
            new Date(s.ts).toISOString()
          } is more than 5 minutes ahead of the gateway's clock (${
            new Date(now).toISOString()
          }); set the node's clock from the report answer's gateway_time_ms`,
        });
      } else if (s.ts < oldest) {
        problems.push({
          path: `body.samples.${i}.ts`,
          message: `${
            new Date(s.ts).toISOString()
          } is older than raw retention (${retentionDays} days)`,
        });
      }
      const series = known[i] = this.registry.find(nodeId, s.metric, labelsKeys[i]!);
      if (s.unit === undefined) continue;
      let expected = series?.unit;
      if (!expected) {
        // A series new in this batch (or stored without a unit) takes its first sample's unit.
        unitInBatch ??= new Map();
        const key = `${s.metric}\u0000${labelsKeys[i]}`;
        expected = unitInBatch.get(key);
        if (expected === undefined) unitInBatch.set(key, s.unit);
      }
      if (expected && expected !== s.unit) {
        problems.push({
          path: `body.samples.${i}.unit`,
          message: `${s.metric} of this node is in ${expected}, not ${s.unit}`,
        });
      }
    }
    return problems;
  }

  /** Commits waiting batches now (shutdown, tests). */
  flush(): void {
    this.#committer.flush();
  }

  /**
   * Moves the head into stored chunks; see compactor.ts. A compaction asked
   * for while one runs waits for it and then runs too. An `early` one (the
   * head outgrew its limit: heavy ingest) forces no garbage collections:
   * V8 collects often enough under such load, and the forced ones cost ~10 %
   * of peak ingest (bench (c)). Any other ends with a collection that hands
   * the heap compaction grew back to the kernel: without it the gateway's
   * resident memory stayed at its compaction peak.
   */
  async compact(options: { all?: boolean; early?: boolean } = {}): Promise<CompactionResult> {
    while (this.#compacting) await this.#compacting.catch(() => {});
    this.#committer.flush();
    const run = compact({
      db: this.options.db,
      head: this.head,
      chunks: this.#chunks,
      registry: this.registry,
      ledger: this.#ledger,
      batches: this.#committed,
      collectGarbage: options.early ? null : this.options.collectGarbage ?? null,
    }, {
      storeRaw: !this.#rawPaused,
      ...(options.all ? {} : { keepFrom: windowOf(this.options.clock.now()) }),
    });
    this.#compacting = run;
    try {
      const result = await run;
      // Here, not inside compact(): there its work lists were still reachable.
      if (!options.early) this.options.collectGarbage?.({ reduce: true });
      return result;
    } finally {
      this.#compacting = null;
    }
  }

  /** Applies retention and the size cap with the current settings. */
  applyRetention(): RetentionResult {
    const result = applyRetention(
      this.options.db,
      this.options.settings.get(),
      this.options.clock.now(),
    );
    const { raw, minutes, hours } = result.capped;
    if (raw + minutes + hours > 0) {
      this.options.events.record(
        "telemetry_size_cap",
        null,
        `Telemetry reached its size cap: dropped the oldest ${raw} raw window(s), ${minutes} minute window(s), ${hours} hour(s)`,
        { ...result.capped, cap_mb: this.options.settings.get().telemetry_size_cap_mb },
      );
    }
    return result;
  }

  /** Checks free disk space; pauses or resumes raw storage and raises an event on change. */
  async checkDisk(): Promise<void> {
    const { free, total } = await this.options.diskSpace(this.options.dataDir);
    this.#diskFreePercent = total > 0 ? Math.round((free / total) * 1000) / 10 : null;
    const low = total > 0 && free / total < LOW_DISK_FRACTION;
    if (low === this.#rawPaused) return;
    this.#rawPaused = low;
    this.options.events.record(
      low ? "storage_low" : "storage_ok",
      null,
      low
        ? `Less than 5% disk free (${this.#diskFreePercent}%): raw telemetry is no longer stored, rollups are`
        : `Disk space recovered (${this.#diskFreePercent}% free): raw telemetry is stored again`,
      { free_bytes: free, total_bytes: total },
    );
  }

  health(): TelemetryHealth {
    return {
      raw_paused: this.#rawPaused,
      disk_free_percent: this.#diskFreePercent,
      head_samples: this.head.sampleCount,
    };
  }

  /** Series matching the filters, at most `limit`. */
  select(
    q: {
      nodes?: string[] | undefined;
      metrics?: string[] | undefined;
      labels?: Record<string, string> | undefined;
    },
    limit = 500,
  ): Series[] {
    const nodes = q.nodes ? new Set(q.nodes) : null;
    const metrics = q.metrics ? new Set(q.metrics) : null;
    const out: Series[] = [];
    const unsaved = new Set(this.registry.unsaved());
    const candidates = q.nodes
      ? q.nodes.flatMap((n) => this.registry.ofNode(n))
      : this.registry.all();
    for (const s of candidates) {
      if (unsaved.has(s)) continue;
      if (nodes && !nodes.has(s.nodeId)) continue;
      if (metrics && !metrics.has(s.metric)) continue;
      if (q.labels && !Object.entries(q.labels).every(([k, v]) => s.labels[k] === v)) continue;
      out.push(s);
      if (out.length >= limit) break;
    }
    return out.sort((a, b) =>
      a.nodeId.localeCompare(b.nodeId) || a.metric.localeCompare(b.metric) ||
      a.labelsKey.localeCompare(b.labelsKey)
    );
  }

  /** Points of the matching series at the requested (or chosen) resolution. */
  query(q: TelemetryQuery): { resolution: Resolution; series: SeriesResult[] } {
    const resolution = q.resolution === "auto" ? autoResolution(q.from, q.to) : q.resolution;
    const series = this.select(q).map((s) => {
      if (resolution === "raw") {
        const p = this.#reader.raw(s.id, q.from, q.to);
        return { series: s, points: p.ts.map((ts, i) => ({ ts, value: p.values[i]! })) };
      }
      const r = resolution === "1m"
        ? this.#reader.minutes(s.id, q.from, q.to)
        : this.#reader.hours(s.id, q.from, q.to);
      return {
        series: s,
        points: r.ts.map((ts, i) => ({
          ts,
          min: r.min[i]!,
          max: r.max[i]!,
          avg: r.sum[i]! / r.count[i]!,
          count: r.count[i]!,
        })),
      };
    });
    return { resolution, series };
  }

  /** Each series' newest sample. */
  latest(
    q: { nodes?: string[] | undefined; metrics?: string[] | undefined },
  ): { series: Series; ts: number; value: number }[] {
    const out: { series: Series; ts: number; value: number }[] = [];
    for (const s of this.select(q, Number.MAX_SAFE_INTEGER)) {
      const fresh = this.head.latest(s.id);
      if (fresh && (s.lastTs === null || fresh.ts >= s.lastTs)) out.push({ series: s, ...fresh });
      else if (s.lastTs !== null && s.lastValue !== null) {
        out.push({ series: s, ts: s.lastTs, value: s.lastValue });
      }
    }
    return out;
  }
}
