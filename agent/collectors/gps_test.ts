import { assertEquals } from "../../lib/testing/assert.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import type { GpsFix, GpsSource } from "../sources/gps.ts";
import { SimulatedGpsSource } from "../sources/gps_simulated.ts";
import { GpsCollector, gpsReadings } from "./gps.ts";

const signal = new AbortController().signal;
const source = (fix: GpsFix | null): GpsSource => ({ latest: () => fix, close: () => {} });

Deno.test("a 3D fix gives every gps reading with its unit", async () => {
  const collector = new GpsCollector(source({
    mode: 3,
    time: "2024-05-14T10:00:00.000Z",
    lat: 48.1173,
    lon: 11.5221,
    alt_m: 592.3,
    speed_mps: 9.98,
    track_deg: 45,
    eph_m: 17.1,
    epv_m: 34.5,
    satellites_used: 8,
    satellites_seen: 10,
  }));
  assertEquals(collector.name, "gps");
  assertEquals((await collector.collect(signal)).readings, [
    { metric: "gps.mode", value: 3 },
    { metric: "gps.lat", value: 48.1173, unit: "deg" },
    { metric: "gps.lon", value: 11.5221, unit: "deg" },
    { metric: "gps.alt", value: 592.3, unit: "m" },
    { metric: "gps.speed", value: 9.98, unit: "m/s" },
    { metric: "gps.track", value: 45, unit: "deg" },
    { metric: "gps.eph", value: 17.1, unit: "m" },
    { metric: "gps.epv", value: 34.5, unit: "m" },
    { metric: "gps.satellites_used", value: 8, unit: "count" },
    { metric: "gps.satellites_seen", value: 10, unit: "count" },
  ]);
});

Deno.test("no fix is reported as gps.mode alone, never as a position", () => {
  assertEquals(gpsReadings({ mode: 1, time: "2024-05-14T10:00:05.000Z", satellites_seen: 2 }), [
    { metric: "gps.mode", value: 1 },
    { metric: "gps.satellites_seen", value: 2, unit: "count" },
  ]);
  assertEquals(gpsReadings({ mode: 0 }), [{ metric: "gps.mode", value: 0 }]);
});

Deno.test("a node whose GPS source never had data reports no gps readings", async () => {
  assertEquals((await new GpsCollector(source(null)).collect(signal)).readings, []);
});

Deno.test("gpsTime() gives clock sync GPS time and when it arrived, only with a fix", () => {
  const clock = new FakeClock(Date.UTC(2025, 0, 1));
  const utc = new FakeClock(Date.UTC(2026, 0, 1));
  const collector = new GpsCollector(
    new SimulatedGpsSource({ position: { lat: 1, lon: 2 }, clock, utc }),
  );
  assertEquals(collector.timeMs(), Date.UTC(2026, 0, 1));
  assertEquals(collector.gpsTime(), {
    gpsTimeMs: Date.UTC(2026, 0, 1),
    atLocalMs: Date.UTC(2025, 0, 1),
  });
  const noFix = new GpsCollector(source({ mode: 1, time: "2026-01-01T00:00:00.000Z" }));
  assertEquals(
    [noFix.timeMs(), noFix.gpsTime()],
    [null, null],
    "a receiver's time without a fix is not trusted",
  );
  const untimed = new GpsCollector(
    source({ mode: 2, time: "2026-01-01T00:00:00.000Z", lat: 1, lon: 2 }),
    { clock },
  );
  assertEquals(untimed.gpsTime(), { gpsTimeMs: Date.UTC(2026, 0, 1), atLocalMs: clock.now() });
});
