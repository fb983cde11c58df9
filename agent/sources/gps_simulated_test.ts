import { seededRandom } from "../../lib/sim/random.ts";
import { assert, assertEquals, assertThrows } from "../../lib/testing/assert.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import { fixTimeMs, hasPosition } from "./gps.ts";
import { offsetPosition, SimulatedGpsSource, spreadAround } from "./gps_simulated.ts";

const SITE = { lat: 48.1173, lon: 11.5221, alt_m: 560 };
/** Metres between two nearby positions (equirectangular; fine at this scale). */
function metres(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const x = (b.lon - a.lon) * rad * Math.cos(((a.lat + b.lat) / 2) * rad);
  const y = (b.lat - a.lat) * rad;
  return Math.hypot(x, y) * 6_371_000;
}

Deno.test("a still simulated receiver reports its position as a 3D fix with the clock's time", () => {
  const clock = new FakeClock();
  const gps = new SimulatedGpsSource({ position: SITE, clock });
  const fix = gps.latest()!;
  assertEquals(fix.mode, 3);
  assertEquals([fix.lat, fix.lon, fix.alt_m, fix.speed_mps], [SITE.lat, SITE.lon, 560, 0]);
  assertEquals(fixTimeMs(fix), clock.now());
  assertEquals([fix.satellites_used, fix.satellites_seen], [9, 14]);
  assertEquals(gps.fixAtLocalMs(), clock.now());
  gps.close();
  assertEquals(gps.latest(), null, "a closed source has nothing to say");
});

Deno.test("a moving simulated receiver travels at its speed and heading", async () => {
  const clock = new FakeClock();
  const gps = new SimulatedGpsSource({
    position: SITE,
    clock,
    motion: { speed_mps: 1.5, track_deg: 90 },
  });
  await clock.tick(600_000);
  const fix = gps.latest()!;
  assert(hasPosition(fix));
  assert(Math.abs(metres(SITE, fix) - 900) < 1, `900 m east, got ${metres(SITE, fix)}`);
  assert(Math.abs(fix.lat - SITE.lat) < 1e-9, "due east keeps the latitude");
  assertEquals([fix.speed_mps, fix.track_deg], [1.5, 90]);
});

Deno.test("satellite time can differ from a node clock that is a year behind", () => {
  const clock = new FakeClock(Date.UTC(2025, 0, 1));
  const utc = new FakeClock(Date.UTC(2026, 0, 1));
  const gps = new SimulatedGpsSource({ position: SITE, clock, utc });
  assertEquals(gps.latest()?.time, "2026-01-01T00:00:00.000Z");
  assertEquals(gps.fixAtLocalMs(), Date.UTC(2025, 0, 1));
});

Deno.test("a receiver without a fix reports mode 1 and no position", () => {
  const gps = new SimulatedGpsSource({ position: SITE, clock: new FakeClock(), noFix: true });
  const fix = gps.latest()!;
  assertEquals([fix.mode, fix.lat, fix.lon, fix.satellites_used], [1, undefined, undefined, 0]);
});

Deno.test("scatter stays within the jitter", () => {
  const gps = new SimulatedGpsSource({
    position: SITE,
    clock: new FakeClock(),
    jitterM: 5,
    random: seededRandom(7),
  });
  for (let i = 0; i < 100; i++) {
    const fix = gps.latest()!;
    assert(hasPosition(fix) && metres(SITE, fix) <= 5 * Math.SQRT2 + 1e-6);
  }
});

Deno.test("spreadAround() places each device key at its own stable spot near the site", () => {
  const keys = ["gateway", "relay", "leaf-1", "leaf-2", "leaf-3", "leaf-4"];
  const spots = keys.map((key) => spreadAround(SITE, key, 800));
  assertEquals(spots, keys.map((key) => spreadAround(SITE, key, 800)), "the same every run");
  assertEquals(new Set(spots.map((p) => `${p.lat},${p.lon}`)).size, keys.length);
  for (const spot of spots) assert(metres(SITE, spot) <= 800 + 1e-6);
  assertEquals(offsetPosition({ lat: 0, lon: 179.9999 }, 0, 100).lon < 0, true, "wraps at 180°");
});

Deno.test("a simulated position off the globe is refused", () => {
  assertThrows(
    () => new SimulatedGpsSource({ position: { lat: 95, lon: 0 } }),
    RangeError,
    "off the globe",
  );
});
