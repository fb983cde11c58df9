import { assertEquals } from "../../lib/testing/assert.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import { GpsFixTracker, sanitizeFix } from "./gps_tracker.ts";

const MUNICH = { lat: 48.1173, lon: 11.5221 };

Deno.test("sanitizeFix() never gives a position without a 2D or 3D fix", async (t) => {
  await t.step("mode 1 with coordinates loses them", () => {
    assertEquals(sanitizeFix({ mode: 1, ...MUNICH, alt_m: 500, speed_mps: 3, eph_m: 9 }), {
      mode: 1,
    });
  });
  await t.step("mode 0 keeps only its time", () => {
    assertEquals(sanitizeFix({ mode: 0, time: "2024-05-14T10:00:00.000Z", lat: 0, lon: 0 }), {
      mode: 0,
      time: "2024-05-14T10:00:00.000Z",
    });
  });
  await t.step("a 3D fix at exactly 0,0 is a receiver's placeholder: no fix", () => {
    assertEquals(sanitizeFix({ mode: 3, lat: 0, lon: 0, alt_m: 0, eph_m: 5 }), {
      mode: 1,
      eph_m: 5,
    });
  });
  await t.step("one coordinate alone is no position", () => {
    assertEquals(sanitizeFix({ mode: 2, lat: 48.1, speed_mps: 1 }), { mode: 2 });
  });
  await t.step("a 2D fix has no altitude", () => {
    assertEquals(sanitizeFix({ mode: 2, ...MUNICH, alt_m: 500, epv_m: 4 }), { mode: 2, ...MUNICH });
  });
  await t.step("fields out of range or not finite are dropped", () => {
    assertEquals(
      sanitizeFix({
        mode: 3,
        ...MUNICH,
        alt_m: Number.NaN,
        speed_mps: -1,
        track_deg: 361,
        eph_m: Infinity,
        time: "yesterday",
      }),
      { mode: 3, ...MUNICH },
    );
    assertEquals(sanitizeFix({ mode: 3, lat: 91, lon: 11 }), { mode: 3 });
  });
});

Deno.test("GpsFixTracker reports nothing before the first fix, then mode 0 once it is stale", async () => {
  const clock = new FakeClock();
  const tracker = new GpsFixTracker({ clock, staleAfterMs: 5000 });
  assertEquals(tracker.latest(), null);
  tracker.satellites({ used: 7, seen: 12 });
  assertEquals(tracker.latest(), null, "satellites alone are no fix");
  tracker.update({ mode: 3, ...MUNICH, alt_m: 520 });
  assertEquals(tracker.latest(), {
    mode: 3,
    ...MUNICH,
    alt_m: 520,
    satellites_used: 7,
    satellites_seen: 12,
  });
  assertEquals(tracker.fixAtLocalMs(), clock.now());
  await clock.tick(5000);
  assertEquals(tracker.latest()?.mode, 3, "5 s old is still current");
  await clock.tick(1);
  assertEquals(tracker.latest(), { mode: 0 }, "stale: unknown, no position, no satellites");
});

Deno.test("GpsFixTracker keeps a count the next report leaves out, unless it went stale", async () => {
  const clock = new FakeClock();
  const tracker = new GpsFixTracker({ clock, staleAfterMs: 5000 });
  tracker.update({ mode: 2, ...MUNICH });
  tracker.satellites({ used: 5, seen: 9 });
  tracker.satellites({ seen: 10 });
  assertEquals([tracker.latest()?.satellites_used, tracker.latest()?.satellites_seen], [5, 10]);
  await clock.tick(6000);
  tracker.update({ mode: 2, ...MUNICH });
  tracker.satellites({ seen: 11 });
  assertEquals([tracker.latest()?.satellites_used, tracker.latest()?.satellites_seen], [
    undefined,
    11,
  ]);
  tracker.satellites({ used: -1, seen: 2.5 });
  assertEquals(tracker.latest()?.satellites_seen, 11, "nonsense counts are ignored");
});

Deno.test("GpsFixTracker treats a clock stepped backwards as stale, not as fresh forever", () => {
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => now, sleep: () => Promise.resolve() };
  const tracker = new GpsFixTracker({ clock, staleAfterMs: 5000 });
  tracker.update({ mode: 3, ...MUNICH });
  now -= 1000;
  assertEquals(tracker.latest(), { mode: 0 });
  tracker.update({ mode: 3, ...MUNICH });
  assertEquals(tracker.latest(), { mode: 3, ...MUNICH }, "the next fix counts again");
});
