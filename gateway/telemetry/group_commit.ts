import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Logger } from "../../lib/log.ts";
import type { BatchLedger } from "./batch_ledger.ts";
import type { Head } from "./head.ts";
import {
  encodeLogRecord,
  LOG_DEFLATE_LEVEL,
  LOG_DEFLATE_LEVEL_FAST,
  type LogBatch,
} from "./log_codec.ts";
import type { SeriesRegistry } from "./series_registry.ts";
import { prepared, transaction } from "../../lib/db/database.ts";

/** One acknowledged-to-be batch waiting for the next group commit. */
export interface CommitEntry {
  batch: LogBatch;
  seriesIds: Uint32Array;
  ts: Float64Array;
  values: Float64Array;
}

/** Options for {@linkcode GroupCommitter}. */
export interface GroupCommitOptions {
  db: DatabaseSync;
  registry: SeriesRegistry;
  head: Head;
  ledger: BatchLedger;
  /** Batches committed since the last compaction; compaction stores and empties it. */
  committed: LogBatch[];
  log: Logger;
  now: () => number;
  /** Longest an acknowledgement waits for its commit. @default 1000 */
  maxDelayMs?: number;
  /**
   * Commit at once when this many samples wait: under load, commits come as
   * fast as batches fill them, each still large enough to compress well.
   * Well below what a busy network has in flight: a commit that waits for
   * nearly every sender leaves the gateway idle while they all answer their
   * acknowledgements, whereas one group's next batches arrive while another
   * group's commit is written (50 senders of 100-sample batches, each waiting
   * for its acknowledgement: 20-40% more samples/s at 2500 than at 5000).
   * @default 2500
   */
  maxSamples?: number;
}

function concat<T extends Uint32Array | Float64Array>(
  parts: T[],
  Type: { new (length: number): T },
): T {
  if (parts.length === 1) return parts[0]!;
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Type(length);
  let at = 0;
  for (const p of parts) (out.set(p, at), at += p.length);
  return out;
}

/**
 * Commits closer together than this mean heavy ingest: over ten a second is
 * 25,000 samples/s or more at the default `maxSamples`, twelve times a
 * 200-node network's 100 metrics every 10 s. Their records are deflated at
 * {@linkcode LOG_DEFLATE_LEVEL_FAST}: the event loop is then the limit, and
 * deflate at zlib's default level was 6 % of its time at bench (c)'s load.
 */
export const HEAVY_INGEST_COMMIT_GAP_MS = 100;

interface Waiting extends CommitEntry {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: batches that arrive within `maxDelayMs` are written as one
 * compressed row of the ingest log in one fsynced transaction, and only then
 * acknowledged. One commit a second instead of one per request is what keeps
 * the bytes written per sample low.
 */
export class GroupCommitter {
  #waiting: Waiting[] = [];
  #samples = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #maxDelayMs: number;
  readonly #maxSamples: number;
  readonly #insert: StatementSync;
  #lastCommitAt = -Infinity;

  constructor(private readonly options: GroupCommitOptions) {
    this.#maxDelayMs = options.maxDelayMs ?? 1000;
    this.#maxSamples = options.maxSamples ?? 2500;
    this.#insert = prepared(
      options.db,
      "INSERT INTO telemetry_log (received_at, data) VALUES (?, ?)",
    );
  }

  /** Resolves once the entry is durable. */
  submit(entry: CommitEntry): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.#waiting.push({ ...entry, resolve, reject });
    });
    this.#samples += entry.ts.length;
    if (this.#samples >= this.#maxSamples) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), this.#maxDelayMs);
    return done;
  }

  /** Commits everything waiting now; synchronous, so nothing interleaves with it. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const entries = this.#waiting;
    this.#waiting = [];
    this.#samples = 0;
    if (entries.length === 0) return;
    const { db, registry, head, now } = this.options;
    const record = {
      batches: entries.map((e) => e.batch),
      seriesIds: concat(entries.map((e) => e.seriesIds), Uint32Array),
      ts: concat(entries.map((e) => e.ts), Float64Array),
      values: concat(entries.map((e) => e.values), Float64Array),
    };
    const newSeries = registry.unsaved().slice();
    const at = now();
    const heavy = at - this.#lastCommitAt < HEAVY_INGEST_COMMIT_GAP_MS;
    this.#lastCommitAt = at;
    try {
      const data = encodeLogRecord(record, heavy ? LOG_DEFLATE_LEVEL_FAST : LOG_DEFLATE_LEVEL);
      // Its own commit: the batches are acknowledged as durable right after it.
      transaction(db, () => {
        registry.saveNew(at);
        this.#insert.run(at, data);
      }, { nested: "refuse" });
    } catch (error) {
      // Series first seen in these batches were never stored: forget them too.
      registry.discard(newSeries);
      this.options.log.error("telemetry commit failed", { error, batches: entries.length });
      for (const e of entries) e.reject(error);
      return;
    }
    for (const e of entries) {
      head.addAll(e.seriesIds, e.ts, e.values);
      this.options.committed.push(e.batch);
      e.resolve();
    }
  }

  /** Samples waiting for the next commit. */
  get waitingSamples(): number {
    return this.#samples;
  }
}
