import { assertEquals } from "../lib/testing/assert.ts";
import { FakeClock } from "../lib/testing/fake_clock.ts";
import { MidpointClockSync } from "./midpoint_clock_sync.ts";

const YEAR = 365 * 86_400_000;

Deno.test("MidpointClockSync puts a clock a year behind into gateway time", async () => {
  const gateway = Date.UTC(2026, 10, 23, 12);
  const clock = new FakeClock(gateway - YEAR);
  const sync = new MidpointClockSync(clock);
  assertEquals(sync.now(), { ms: gateway - YEAR, synced: false });
  assertEquals(sync.offsetMs(), null);

  // Sent at local t, answered 200 ms later; the gateway read its clock halfway.
  const sent = clock.now();
  await clock.tick(200);
  sync.observe(gateway + 100, sent, clock.now());
  assertEquals(sync.offsetMs(), YEAR);
  assertEquals(sync.now(), { ms: gateway + 200, synced: true });

  // GPS time is used only while the gateway has not answered.
  sync.observeGps(gateway + 5000, clock.now());
  assertEquals(sync.offsetMs(), YEAR);
});

Deno.test("MidpointClockSync uses GPS time before the gateway answers", () => {
  const clock = new FakeClock(1_000);
  const sync = new MidpointClockSync(clock);
  sync.observeGps(1_700_000_000_000, 1_000);
  assertEquals(sync.now(), { ms: 1_700_000_000_000, synced: true });
});
