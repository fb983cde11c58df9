/**
 * What a node's agent does with its samples until the gateway has them (the
 * demo's simulated nodes use it today): a buffer of samples, cut into
 * batches when sent; a batch keeps its epoch, `batch_seq` and body until the
 * gateway acknowledges it, however many attempts that takes, so a retry
 * after a lost answer is stored once (`duplicate: true`).
 *
 * The buffer lives in memory, so every process that makes one is a new
 * installation of it: a new epoch, `batch_seq` from 0. (Persisting the
 * epoch would need the unacknowledged batches persisted too: a rerun that
 * reused a `batch_seq` for another body would get a 409.) What a run has not
 * got acknowledged when it stops is lost, as with an agent whose SD card
 * dies; the demo tries a last flush on Ctrl-C.
 */
import { GatewayApiError, GatewayClient } from "../api_client.ts";
import { fetchHttpClient, type HttpClient } from "../http_client.ts";
import { MAX_BATCH_SAMPLES, type Sample, type TelemetryBatch } from "../schemas/telemetry.ts";
import { samplesFittingOneBatch } from "./samples_fitting_one_batch.ts";

/** Answers that refuse the batch itself: sending it again would be refused again. */
const REFUSED_FOR_GOOD = new Set([400, 409, 413, 415, 422]);
/** Answers that mean this gateway has no telemetry route. */
const UNSUPPORTED = new Set([404, 405]);

/** Options for {@linkcode TelemetrySender}. */
export interface TelemetrySenderOptions {
  /** The gateway, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** The node's agent token. */
  token: string;
  nodeId: string;
  /** This buffer's epoch (see the module comment). */
  epoch: string;
  /** @default fetch */
  http?: HttpClient;
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
  /** Most samples in one batch. @default MAX_BATCH_SAMPLES (5000) */
  maxBatchSamples?: number;
  /**
   * Batches sent at once. More than one lets a big backlog fill the
   * gateway's group commit instead of waiting a commit per batch; the
   * gateway does not need batches in `batch_seq` order. @default 1
   */
  maxInFlight?: number;
  /** Samples kept, batched or not, before the oldest are dropped. @default 100000 */
  maxBufferedSamples?: number;
  /** Wait after the first failure in a row; it doubles with each further one. @default 1000 */
  minBackoffMs?: number;
  /** Longest wait between attempts, unless the gateway's Retry-After asks for more. @default 60000 */
  maxBackoffMs?: number;
  /** Spreads the waits (between half and all of the backoff). @default Math.random */
  random?: () => number;
}

/** Why a flush stopped before the buffer was empty. */
export interface FlushBlocked {
  error: Error;
  /** When to try again. */
  retryInMs: number;
  /** The gateway has no telemetry route (404/405): trying again will not help. */
  unsupported: boolean;
}

/** What one {@linkcode TelemetrySender.prototype.flush} did. */
export interface FlushResult {
  /** Batches the gateway acknowledged, duplicates included. */
  acked: number;
  /** Samples in those batches. */
  samples: number;
  /** Acknowledged batches the gateway already had (an earlier answer was lost). */
  duplicates: number;
  /** Batches the gateway refused for good (400, 409, 413, 415, 422): dropped. */
  refused: { seq: number; samples: number; error: GatewayApiError }[];
  /** Set when a failure stopped the flush; the batch stays for the next one. */
  blocked?: FlushBlocked;
}

/** Seconds of a `Retry-After` header (the form the gateway sends), as ms; undefined otherwise. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}

/**
 * One node's telemetry buffer and its sending. Not a loop: the caller adds
 * samples and calls {@linkcode flush}, and waits `blocked.retryInMs` before
 * the next flush when one stops.
 *
 * @example
 * ```ts
 * const sender = new TelemetrySender({ baseUrl, token, nodeId, epoch: "demo-1" });
 * sender.add(telemetry.samples("leaf-1", Date.now()));
 * const result = await sender.flush();
 * if (result.blocked) await clock.sleep(result.blocked.retryInMs);
 * ```
 */
export class TelemetrySender {
  readonly nodeId: string;
  readonly epoch: string;
  readonly #client: GatewayClient;
  readonly #maxBatchSamples: number;
  readonly #maxInFlight: number;
  readonly #maxBuffered: number;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #random: () => number;
  /** Batches cut and numbered, oldest first; the first may be on its way. */
  #sealed: TelemetryBatch[] = [];
  /** Samples not yet in a batch. */
  #loose: Sample[] = [];
  #nextSeq = 0;
  #failures = 0;
  #dropped = 0;
  #retryAfterMs: number | undefined;
  #flushing: Promise<FlushResult> | null = null;
  /** Batches on their way to the gateway. */
  readonly #sending = new Set<TelemetryBatch>();

  constructor(options: TelemetrySenderOptions) {
    this.nodeId = options.nodeId;
    this.epoch = options.epoch;
    const http = options.http ?? fetchHttpClient;
    this.#client = new GatewayClient({
      baseUrl: options.baseUrl,
      token: options.token,
      http: async (request) => {
        const response = await http(request);
        const wait = retryAfterMs(response.headers.get("retry-after"));
        // Of the answers to one flush, the longest Retry-After counts.
        if (wait !== undefined) this.#retryAfterMs = Math.max(this.#retryAfterMs ?? 0, wait);
        return response;
      },
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    this.#maxBatchSamples = options.maxBatchSamples ?? MAX_BATCH_SAMPLES;
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? 1);
    this.#maxBuffered = options.maxBufferedSamples ?? 100_000;
    this.#minBackoffMs = options.minBackoffMs ?? 1000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.#random = options.random ?? Math.random;
  }

  /** The `batch_seq` the next batch gets. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Samples not yet acknowledged. */
  get buffered(): number {
    return this.#loose.length + this.#sealed.reduce((n, b) => n + b.samples.length, 0);
  }

  /** Samples dropped so far because the buffer was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Keeps `samples` until the gateway acknowledges them; past the cap, the oldest go. */
  add(samples: readonly Sample[]): void {
    this.#loose.push(...samples);
    this.#trim();
  }

  /**
   * Keeps a batch built elsewhere (e.g. by `SimTelemetry.batches` for a
   * back-fill) as if this buffer had cut it.
   *
   * @throws {RangeError} when it is for another node or epoch, or its
   *   `batch_seq` is not {@linkcode nextSeq}, or samples are waiting to be batched.
   */
  addBatch(batch: TelemetryBatch): void {
    if (batch.node_id !== this.nodeId || batch.epoch !== this.epoch) {
      throw new RangeError(
        `Cannot buffer batch ${batch.node_id}/${batch.epoch}/${batch.batch_seq}: this buffer is ${this.nodeId}/${this.epoch}`,
      );
    }
    if (batch.batch_seq !== this.#nextSeq || this.#loose.length > 0) {
      throw new RangeError(
        `Cannot buffer batch_seq ${batch.batch_seq}: the next one here is ${this.#nextSeq}` +
          (this.#loose.length > 0 ? ` and ${this.#loose.length} samples come first` : ""),
      );
    }
    this.#sealed.push(batch);
    this.#nextSeq++;
    this.#trim();
  }

  /**
   * Sends every buffered sample, oldest batch first, up to `maxInFlight`
   * requests at a time, until all are acknowledged or a failure stops it
   * (`blocked`; the requests already sent finish first). Batches the gateway
   * refuses for good are dropped and reported. A call while another runs
   * shares its result.
   */
  flush(): Promise<FlushResult> {
    this.#flushing ??= this.#flush().finally(() => (this.#flushing = null));
    return this.#flushing;
  }

  async #flush(): Promise<FlushResult> {
    const result: FlushResult = { acked: 0, samples: 0, duplicates: 0, refused: [] };
    const inFlight = new Set<Promise<void>>();
    let stopped: Error | undefined;
    this.#retryAfterMs = undefined;
    const send = async (batch: TelemetryBatch) => {
      try {
        const ack = await this.#client.sendTelemetry(batch);
        this.#forget(batch);
        result.acked++;
        result.samples += batch.samples.length;
        if (ack.duplicate) result.duplicates++;
      } catch (error) {
        if (error instanceof GatewayApiError && REFUSED_FOR_GOOD.has(error.status)) {
          this.#forget(batch);
          result.refused.push({ seq: batch.batch_seq, samples: batch.samples.length, error });
        } else {
          stopped ??= error as Error;
        }
      } finally {
        this.#sending.delete(batch);
      }
    };
    while (stopped === undefined) {
      this.#seal();
      const next = this.#sealed.find((b) => !this.#sending.has(b));
      if (next && inFlight.size < this.#maxInFlight) {
        this.#sending.add(next);
        const request: Promise<void> = send(next).finally(() => inFlight.delete(request));
        inFlight.add(request);
        continue;
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight);
    }
    // After a failure, the requests already on their way still count.
    await Promise.all(inFlight);
    if (stopped === undefined) {
      this.#failures = 0;
      return result;
    }
    this.#failures++;
    result.blocked = {
      error: stopped,
      retryInMs: this.#backoffMs(),
      unsupported: stopped instanceof GatewayApiError && UNSUPPORTED.has(stopped.status),
    };
    return result;
  }

  /** Cuts the loose samples into numbered batches. */
  #seal(): void {
    while (this.#loose.length > 0) {
      const n = samplesFittingOneBatch(this.#loose, this.#maxBatchSamples);
      this.#sealed.push({
        node_id: this.nodeId,
        epoch: this.epoch,
        batch_seq: this.#nextSeq++,
        samples: this.#loose.slice(0, n),
      });
      this.#loose = this.#loose.slice(n);
    }
  }

  #forget(batch: TelemetryBatch): void {
    const at = this.#sealed.indexOf(batch);
    if (at >= 0) this.#sealed.splice(at, 1);
  }

  /** Drops the oldest samples past the cap, never a batch on its way. */
  #trim(): void {
    let excess = this.buffered - this.#maxBuffered;
    for (const batch of [...this.#sealed]) {
      if (excess <= 0) break;
      if (this.#sending.has(batch)) continue;
      this.#forget(batch);
      excess -= batch.samples.length;
      this.#dropped += batch.samples.length;
    }
    if (excess > 0) {
      const n = Math.min(excess, this.#loose.length);
      this.#loose = this.#loose.slice(n);
      this.#dropped += n;
    }
  }

  /** Exponential backoff with jitter; a longer Retry-After from the gateway wins. */
  #backoffMs(): number {
    const exp = Math.min(
      this.#maxBackoffMs,
      this.#minBackoffMs * 2 ** Math.min(30, this.#failures - 1),
    );
    const wait = Math.round(exp * (0.5 + 0.5 * this.#random()));
    return Math.max(wait, this.#retryAfterMs ?? 0);
  }
}
