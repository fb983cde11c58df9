import { DatabaseSync } from "node:sqlite";
import { assertEquals, assertNotEquals } from "../../lib/testing/assert.ts";
import { createLogger } from "../../lib/log.ts";
import { migrate, readMigrations } from "../../lib/db/migrate.ts";
import { MIGRATIONS_DIR } from "../store/migrations.ts";
import { BatchLedger } from "./batch_ledger.ts";
import { type CommitEntry, GroupCommitter, HEAVY_INGEST_COMMIT_GAP_MS } from "./group_commit.ts";
import { Head } from "./head.ts";
import {
  encodeLogRecord,
  LOG_DEFLATE_LEVEL,
  LOG_DEFLATE_LEVEL_FAST,
  type LogBatch,
} from "./log_codec.ts";
import { SeriesRegistry } from "./series_registry.ts";

/** A batch of 100 series at one timestamp, values like a node's metrics. */
function entry(seq: number, ts: number): CommitEntry {
  const n = 100;
  const seriesIds = new Uint32Array(n), tsCol = new Float64Array(n), values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    seriesIds[i] = i + 1;
    tsCol[i] = ts;
    values[i] = Math.round(((i * 7919 + seq * 104729) % 10_000) / 7) / 100;
  }
  const batch: LogBatch = {
    nodeId: "n-0123456789ab",
    epoch: "e1",
    seq,
    hash: new Uint8Array(16).fill(seq),
    receivedAt: ts,
  };
  return { batch, seriesIds, ts: tsCol, values };
}

Deno.test("GroupCommitter deflates the records of commits in quick succession faster", async () => {
  const db = new DatabaseSync(":memory:");
  await migrate(db, await readMigrations(MIGRATIONS_DIR));
  let clock = 1_700_000_000_000;
  const committed: LogBatch[] = [];
  const committer = new GroupCommitter({
    db,
    registry: new SeriesRegistry(db),
    head: new Head(),
    ledger: new BatchLedger(db),
    committed,
    log: createLogger({ component: "test", write: () => {} }),
    now: () => clock,
    // Every 100-sample batch fills a commit.
    maxSamples: 100,
  });
  const sent: { entry: CommitEntry; level: number }[] = [];
  const send = async (seq: number, level: number) => {
    const e = entry(seq, clock - 10_000);
    sent.push({ entry: e, level });
    await committer.submit(e);
  };

  await send(0, LOG_DEFLATE_LEVEL); // the first commit
  clock += HEAVY_INGEST_COMMIT_GAP_MS - 1;
  await send(1, LOG_DEFLATE_LEVEL_FAST); // heavy ingest
  clock += 1;
  await send(2, LOG_DEFLATE_LEVEL_FAST);
  clock += HEAVY_INGEST_COMMIT_GAP_MS;
  await send(3, LOG_DEFLATE_LEVEL); // the pace of a network at its usual rate

  const rows = db.prepare("SELECT data FROM telemetry_log ORDER BY id").all() as {
    data: Uint8Array;
  }[];
  assertEquals(rows.length, sent.length);
  for (const [i, { entry: e, level }] of sent.entries()) {
    const record = { batches: [e.batch], seriesIds: e.seriesIds, ts: e.ts, values: e.values };
    // The two levels give different bytes for this data, so the row tells which was used.
    assertNotEquals(
      encodeLogRecord(record, LOG_DEFLATE_LEVEL),
      encodeLogRecord(record, LOG_DEFLATE_LEVEL_FAST),
    );
    assertEquals(new Uint8Array(rows[i]!.data), encodeLogRecord(record, level), `commit ${i}`);
  }
  assertEquals(committed.map((b) => b.seq), [0, 1, 2, 3]);
  db.close();
});
