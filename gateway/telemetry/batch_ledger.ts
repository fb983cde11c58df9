import type { DatabaseSync, StatementSync } from "node:sqlite";
import { prepared } from "../../lib/db/database.ts";

/** What the ledger knows of a batch key. */
export type BatchStatus =
  | { state: "new" }
  | { state: "stored" }
  | { state: "conflict" }
  | { state: "pending"; done: Promise<void> };

const key = (nodeId: string, epoch: string, seq: number) => `${nodeId}\u0000${epoch}\u0000${seq}`;

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Which batches were stored, for idempotent retries. Batches in the ingest
 * log are held in memory; compaction moves them to `telemetry_batches`.
 * A batch being committed is "pending": a concurrent retry waits for it.
 */
export class BatchLedger {
  readonly #recent = new Map<string, Uint8Array>();
  readonly #pending = new Map<string, { hash: Uint8Array; done: Promise<void> }>();
  /**
   * Highest batch_seq stored per node and epoch. Agents number their batches
   * upwards, so nearly every new batch is above it and needs no table lookup.
   */
  readonly #maxSeq = new Map<string, number>();

  readonly #stored: StatementSync;

  constructor(db: DatabaseSync) {
    this.#stored = prepared(
      db,
      "SELECT body_hash FROM telemetry_batches WHERE node_id = ? AND epoch = ? AND batch_seq = ?",
    );
    const rows = prepared(
      db,
      "SELECT node_id, epoch, max(batch_seq) AS seq FROM telemetry_batches GROUP BY node_id, epoch",
    ).all() as { node_id: string; epoch: string; seq: number }[];
    for (const r of rows) this.#raise(r.node_id, r.epoch, r.seq);
  }

  #raise(nodeId: string, epoch: string, seq: number): void {
    const k = `${nodeId}\u0000${epoch}`;
    if (!(seq <= (this.#maxSeq.get(k) ?? -1))) this.#maxSeq.set(k, seq);
  }

  check(nodeId: string, epoch: string, seq: number, hash: Uint8Array): BatchStatus {
    const k = key(nodeId, epoch, seq);
    const pending = this.#pending.get(k);
    if (pending) {
      return sameHash(pending.hash, hash)
        ? { state: "pending", done: pending.done }
        : { state: "conflict" };
    }
    let stored = this.#recent.get(k);
    if (!stored && seq <= (this.#maxSeq.get(`${nodeId}\u0000${epoch}`) ?? -1)) {
      const row = this.#stored.get(nodeId, epoch, seq) as { body_hash: Uint8Array } | undefined;
      stored = row?.body_hash;
    }
    if (!stored) return { state: "new" };
    return sameHash(stored, hash) ? { state: "stored" } : { state: "conflict" };
  }

  /** Marks a batch as being committed until `done` settles. */
  markPending(
    nodeId: string,
    epoch: string,
    seq: number,
    hash: Uint8Array,
    done: Promise<void>,
  ): void {
    const k = key(nodeId, epoch, seq);
    this.#pending.set(k, { hash, done });
    done.then(
      () => {
        this.#pending.delete(k);
        this.#recent.set(k, hash);
        this.#raise(nodeId, epoch, seq);
      },
      () => this.#pending.delete(k),
    );
  }

  /** Records a batch found in the ingest log at start-up. */
  remember(nodeId: string, epoch: string, seq: number, hash: Uint8Array): void {
    this.#recent.set(key(nodeId, epoch, seq), hash);
    this.#raise(nodeId, epoch, seq);
  }

  /**
   * Forgets the in-memory records of these batches once compaction has written
   * them to the table (batches committed meanwhile stay).
   */
  forget(batches: readonly { nodeId: string; epoch: string; seq: number }[]): void {
    for (const b of batches) this.#recent.delete(key(b.nodeId, b.epoch, b.seq));
  }
}
