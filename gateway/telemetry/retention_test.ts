import { DatabaseSync } from "node:sqlite";
import { assertEquals } from "../../lib/testing/assert.ts";
import { DEFAULT_SETTINGS } from "../../lib/schemas/system.ts";
import { migrate, readMigrations } from "../../lib/db/migrate.ts";
import { MIGRATIONS_DIR } from "../store/migrations.ts";
import { applyRetention } from "./retention.ts";
import { WINDOW_MS } from "./windows.ts";

const HOUR = 3_600_000;

async function dbWithWindows(rawWindows: number[], minuteWindows: number[], hours: number[]) {
  const db = new DatabaseSync(":memory:");
  await migrate(db, await readMigrations(MIGRATIONS_DIR));
  for (const w of rawWindows) {
    db.prepare("INSERT INTO telemetry_raw VALUES (?, 1, 1, x'00'), (?, 2, 1, x'00')").run(w, w);
  }
  for (const w of minuteWindows) db.prepare("INSERT INTO telemetry_1m VALUES (?, 1, x'00')").run(w);
  for (const h of hours) db.prepare("INSERT INTO telemetry_1h VALUES (?, 1, 0, 0, 0, 1)").run(h);
  return db;
}

const count = (db: DatabaseSync, table: string) =>
  (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

Deno.test("applyRetention()", async (t) => {
  const now = 1000 * WINDOW_MS;

  await t.step("removes a window only once all of it is older than the retention", async () => {
    const cutoff = now - 7 * 86_400_000;
    const db = await dbWithWindows(
      [cutoff - 2 * WINDOW_MS, cutoff - WINDOW_MS, cutoff - WINDOW_MS / 2],
      [],
      [],
    );
    const result = applyRetention(db, DEFAULT_SETTINGS, now);
    assertEquals(result.rawWindows, 2);
    assertEquals(
      db.prepare("SELECT DISTINCT window_start AS w FROM telemetry_raw").all().map((r) => r.w),
      [cutoff - WINDOW_MS / 2],
    );
  });

  await t.step(
    "the size cap drops the oldest raw windows first, then minutes, then hours",
    async () => {
      const db = await dbWithWindows(
        [now - 3 * WINDOW_MS, now - 2 * WINDOW_MS, now - WINDOW_MS],
        [now - 3 * WINDOW_MS, now - 2 * WINDOW_MS, now - WINDOW_MS],
        [now - 2 * HOUR, now - HOUR],
      );
      // Pretend every stored row costs 1 MB; the cap of 16 MB allows 16 rows.
      const mb = 1024 * 1024;
      const used = () =>
        (count(db, "telemetry_raw") + count(db, "telemetry_1m") + count(db, "telemetry_1h")) * mb;
      const settings = { ...DEFAULT_SETTINGS, telemetry_size_cap_mb: 16 };
      assertEquals(applyRetention(db, settings, now, used).capped, {
        raw: 0,
        minutes: 0,
        hours: 0,
      });
      for (let i = 0; i < 12; i++) {
        db.prepare("INSERT INTO telemetry_1h VALUES (?, 2, 0, 0, 0, 1)").run(now - (i + 10) * HOUR);
      }
      // 6 raw + 3 minute + 14 hour rows = 23 > 16: all three raw windows (6 rows) go, then
      // the oldest minute window; hours stay.
      const result = applyRetention(db, settings, now, used);
      assertEquals(result.capped, { raw: 3, minutes: 1, hours: 0 });
      assertEquals(count(db, "telemetry_raw"), 0);
      assertEquals(
        db.prepare("SELECT window_start AS w FROM telemetry_1m ORDER BY w").all().map((r) => r.w),
        [now - 2 * WINDOW_MS, now - WINDOW_MS],
      );
      assertEquals(count(db, "telemetry_1h"), 14);
    },
  );
});
