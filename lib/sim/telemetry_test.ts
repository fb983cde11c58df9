import {
  MAX_BATCH_BYTES,
  MAX_BATCH_SAMPLES,
  type Sample,
  sampleSchema,
  telemetryBatchSchema,
} from "../schemas/telemetry.ts";
import { assert, assertEquals, assertNotEquals, assertThrows } from "../testing/assert.ts";
import { DEMO_NETWORK, deviceOf, meshMacOf } from "./network_plan.ts";
import { seededRandom } from "./random.ts";
import { SimNetwork } from "./sim_network.ts";
import { linkReadingsOf, SimTelemetry } from "./telemetry.ts";

const T0 = Date.UTC(2026, 10, 23, 0, 0, 0);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const KEYS = DEMO_NETWORK.devices.map((d) => d.key);

/** `[metric, labels]` of each sample, as the gateway tells series apart. */
const seriesOf = (samples: Sample[]) =>
  samples.map((s) => `${s.metric}${s.labels ? JSON.stringify(s.labels) : ""}`);

/** Every sample of `key` over `days` days, one round a minute. */
function history(telemetry: SimTelemetry, key: string, days: number, from = T0): Sample[] {
  const out: Sample[] = [];
  for (let t = from; t < from + days * DAY; t += MINUTE) out.push(...telemetry.samples(key, t));
  return out;
}

Deno.test("SimTelemetry samples pass the gateway's sample schema, units included", () => {
  const telemetry = new SimTelemetry(DEMO_NETWORK, { seed: 1 });
  for (const key of KEYS) {
    for (let t = T0; t < T0 + DAY; t += 17 * MINUTE) {
      for (const sample of telemetry.samples(key, t)) {
        const parsed = sampleSchema.safeParse(sample);
        assert(parsed.success, `${key} ${JSON.stringify(sample)}: ${parsed.error?.message}`);
        assertEquals(sample.ts, t);
      }
    }
  }
});

Deno.test("SimTelemetry gives each device its system metrics, links and sensors", async (t) => {
  const telemetry = new SimTelemetry(DEMO_NETWORK, { seed: 1 });
  const system = ["cpu.usage", "mem.used", 'disk.used{"path":"/"}', "soc.temp"];
  const link = (host: string) => [
    `link.signal{"neighbor":"${host}"}`,
    `link.tq{"neighbor":"${host}"}`,
  ];
  await t.step("the gateway: system metrics and its two radio neighbours", () => {
    assertEquals(seriesOf(telemetry.samples("gateway", T0)), [
      ...system,
      ...link("halo-relay-01"),
      ...link("halo-leaf-04"),
    ]);
  });
  await t.step("the weather station adds its BME280 readings", () => {
    assertEquals(seriesOf(telemetry.samples("leaf-1", T0)), [
      ...system,
      ...link("halo-relay-01"),
      ...link("halo-leaf-02"),
      'env.temp{"sensor":"bme280"}',
      'env.humidity{"sensor":"bme280"}',
      'env.pressure{"sensor":"bme280"}',
    ]);
  });
  await t.step("the battery monitor adds its INA219 readings", () => {
    assertEquals(seriesOf(telemetry.samples("leaf-2", T0)).slice(-3), [
      'power.voltage{"sensor":"ina219"}',
      'power.current{"sensor":"ina219"}',
      'power.power{"sensor":"ina219"}',
    ]);
  });
  await t.step("units: % for loads, °C, dBm, none for TQ, hPa, V, A, W", () => {
    const units = new Map(
      KEYS.flatMap((k) => telemetry.samples(k, T0)).map((s) => [s.metric, s.unit]),
    );
    assertEquals(Object.fromEntries(units), {
      "cpu.usage": "%",
      "mem.used": "%",
      "disk.used": "%",
      "soc.temp": "°C",
      "link.signal": "dBm",
      "link.tq": undefined,
      "env.temp": "°C",
      "env.humidity": "%",
      "env.pressure": "hPa",
      "power.voltage": "V",
      "power.current": "A",
      "power.power": "W",
    });
  });
  await t.step("an unknown device is a RangeError naming the known ones", () => {
    assertThrows(() => telemetry.samples("leaf-9", T0), RangeError, "leaf-1");
  });
});

Deno.test("SimTelemetry is a pure function of seed, device and time", async (t) => {
  await t.step("the same seed gives the same values, whatever was asked before", () => {
    const a = new SimTelemetry(DEMO_NETWORK, { seed: 7 });
    const b = new SimTelemetry(DEMO_NETWORK, { seed: 7 });
    const later = b.samples("relay", T0 + DAY);
    assertEquals(b.samples("relay", T0), a.samples("relay", T0));
    assertEquals(a.samples("relay", T0 + DAY), later);
  });
  await t.step("another seed gives other values", () => {
    const values = (seed: number) =>
      new SimTelemetry(DEMO_NETWORK, { seed }).samples("leaf-2", T0 + 12 * 3600_000)
        .map((s) => s.value);
    assertNotEquals(values(1), values(2));
  });
  await t.step("values ten seconds apart differ a little, not wildly", () => {
    const telemetry = new SimTelemetry(DEMO_NETWORK, { seed: 3 });
    const soc = (t: number) => telemetry.samples("gateway", t)[3]!.value;
    for (let t = T0; t < T0 + DAY; t += 10 * MINUTE) {
      assert(Math.abs(soc(t + 10_000) - soc(t)) < 1.5, `SoC jumps at ${new Date(t).toISOString()}`);
    }
  });
});

Deno.test("SimTelemetry values stay in plausible ranges with sensor rounding over three days", () => {
  const ranges: Record<string, { low: number; high: number; decimals: number }> = {
    "cpu.usage": { low: 0, high: 100, decimals: 1 },
    "mem.used": { low: 5, high: 95, decimals: 1 },
    "disk.used": { low: 5, high: 60, decimals: 2 },
    "soc.temp": { low: 5, high: 55, decimals: 1 },
    "link.signal": { low: -95, high: -30, decimals: 1 },
    "link.tq": { low: 1, high: 255, decimals: 0 },
    "env.temp": { low: -5, high: 35, decimals: 2 },
    "env.humidity": { low: 10, high: 100, decimals: 2 },
    "env.pressure": { low: 970, high: 1030, decimals: 2 },
    "power.voltage": { low: 11.8, high: 14.2, decimals: 3 },
    "power.current": { low: -0.5, high: 3.5, decimals: 3 },
    "power.power": { low: 0, high: 50, decimals: 2 },
  };
  const telemetry = new SimTelemetry(DEMO_NETWORK, { seed: 11 });
  for (const key of KEYS) {
    for (const s of history(telemetry, key, 3)) {
      const range = ranges[s.metric]!;
      const where = `${key} ${s.metric}=${s.value} at ${new Date(s.ts).toISOString()}`;
      assert(s.value >= range.low && s.value <= range.high, `out of range: ${where}`);
      const scaled = s.value * 10 ** range.decimals;
      assert(
        Math.abs(scaled - Math.round(scaled)) < 1e-6,
        `more than ${range.decimals} dp: ${where}`,
      );
    }
  }
});

Deno.test("SimTelemetry link values stay where SimNetwork's link walk keeps them", () => {
  const telemetry = new SimTelemetry(DEMO_NETWORK, { seed: 5 });
  for (const link of DEMO_NETWORK.links) {
    const host = deviceOf(DEMO_NETWORK, link.b).hostname;
    const ofLink = history(telemetry, link.a, 2).filter((s) => s.labels?.neighbor === host);
    const signal = ofLink.filter((s) => s.metric === "link.signal").map((s) => s.value);
    const tq = ofLink.filter((s) => s.metric === "link.tq").map((s) => s.value);
    assertEquals(signal.length, 2 * 24 * 60);
    assert(
      Math.min(...signal) >= link.signal_dbm - 5 && Math.max(...signal) <= link.signal_dbm + 4,
    );
    assert(Math.min(...tq) >= link.tq - 25 && Math.max(...tq) <= link.tq + 15);
    assert(Math.max(...signal) - Math.min(...signal) >= 2, `${link.a}-${link.b} signal moves`);
  }
});

/** Upward crossings of 45 °C (counting again only after dropping below 44.5 °C). */
function crossingsOf45(temps: { ts: number; value: number }[]) {
  let above = false;
  const at: number[] = [];
  for (const { ts, value } of temps) {
    if (!above && value > 45) {
      above = true;
      at.push(ts);
    } else if (above && value < 44.5) above = false;
  }
  return at;
}

Deno.test("the weather station's SoC crosses 45 °C a few times each afternoon and no other device's does", async (t) => {
  for (const seed of [1, 2, 3]) {
    await t.step(`seed ${seed}`, () => {
      const telemetry = new SimTelemetry(DEMO_NETWORK, { seed });
      for (const key of KEYS) {
        const temps = history(telemetry, key, 5).filter((s) => s.metric === "soc.temp");
        const crossings = crossingsOf45(temps);
        if (key !== "leaf-1") {
          assertEquals(
            crossings.length,
            0,
            `${key} reaches ${Math.max(...temps.map((s) => s.value))}`,
          );
          continue;
        }
        for (let day = 0; day < 5; day++) {
          const today = crossings.filter((ts) => ts >= T0 + day * DAY && ts < T0 + (day + 1) * DAY);
          assert(today.length >= 1 && today.length <= 8, `day ${day}: ${today.length} crossings`);
          for (const ts of today) {
            const hour = new Date(ts).getUTCHours();
            assert(hour >= 11 && hour < 19, `crossing at ${new Date(ts).toISOString()}`);
          }
        }
      }
    });
  }
});

Deno.test("SimTelemetry peaks in the devices' local afternoon", () => {
  const warmestHour = (utcOffsetMinutes: number) => {
    const telemetry = new SimTelemetry(DEMO_NETWORK, { seed: 1, utcOffsetMinutes });
    const sums = new Array<number>(24).fill(0);
    for (const s of history(telemetry, "leaf-1", 4).filter((s) => s.metric === "env.temp")) {
      sums[new Date(s.ts).getUTCHours()]! += s.value;
    }
    return sums.indexOf(Math.max(...sums));
  };
  const utc = warmestHour(0);
  assert(utc >= 13 && utc <= 16, `warmest at ${utc}:00 UTC`);
  assertEquals(warmestHour(-300), utc + 5, "five hours west of UTC, the afternoon comes later");
});

Deno.test("SimTelemetry reports live link readings instead of simulated ones when given", async (t) => {
  const telemetry = new SimTelemetry(DEMO_NETWORK, { seed: 1 });
  const network = new SimNetwork(DEMO_NETWORK, { random: seededRandom(2), now: T0 });

  await t.step("readings come from the status report's links, by neighbour", () => {
    const report = network.report("relay", T0 + 60_000);
    const readings = linkReadingsOf(DEMO_NETWORK, report.links!);
    assertEquals(readings.map((r) => r.neighbor).sort(), ["gateway", "leaf-1", "leaf-2", "leaf-3"]);
    const samples = telemetry.samples("relay", T0 + 60_000, { links: readings });
    for (const link of report.links!) {
      const host = DEMO_NETWORK.devices.find((d) => meshMacOf(d) === link.neighbor_mac)!.hostname;
      const of = (metric: string) =>
        samples.find((s) => s.metric === metric && s.labels?.neighbor === host)?.value;
      assertEquals([of("link.signal"), of("link.tq")], [link.signal_dbm, link.tq]);
    }
  });

  await t.step("a neighbour not heard for more than ten seconds gives no reading", () => {
    network.disconnect("leaf-4", T0 + 100_000);
    const links = network.report("gateway", T0 + 130_000).links!;
    assertEquals(links.length, 2, "batman-adv still lists leaf-4 for a while");
    assertEquals(linkReadingsOf(DEMO_NETWORK, links).map((r) => r.neighbor), ["relay"]);
    const samples = telemetry.samples("gateway", T0 + 130_000, {
      links: linkReadingsOf(DEMO_NETWORK, links),
    });
    assertEquals(samples.filter((s) => s.labels?.neighbor === "halo-leaf-04"), []);
  });
});

Deno.test("SimTelemetry.batches() back-fills a time range in valid batches", async (t) => {
  const telemetry = new SimTelemetry(DEMO_NETWORK, { seed: 1 });
  const from = T0 - 3 * DAY + 30_000;
  const to = T0;
  const batches = [...telemetry.batches("relay", {
    nodeId: "n-0123456789ab",
    epoch: "demo-test",
    firstSeq: 40,
    from,
    to,
  })];

  await t.step("every batch passes the gateway's schema", () => {
    for (const b of batches) {
      const parsed = telemetryBatchSchema.safeParse(b);
      assert(parsed.success, `batch ${b.batch_seq}: ${parsed.error?.message}`);
      assert(b.samples.length <= MAX_BATCH_SAMPLES);
      assert(new TextEncoder().encode(JSON.stringify(b)).length <= MAX_BATCH_BYTES);
    }
  });
  await t.step("sequence numbers follow on from firstSeq", () => {
    assertEquals(batches.map((b) => b.batch_seq), batches.map((_, i) => 40 + i));
  });
  await t.step("they hold one round a minute, on the minute, from `from` up to `to`", () => {
    const samples = batches.flatMap((b) => b.samples);
    const perRound = telemetry.samples("relay", T0).length;
    assertEquals(samples.length, 3 * 24 * 60 * perRound - perRound, "the first round is past from");
    assertEquals(samples[0]!.ts, from - 30_000 + MINUTE);
    assertEquals(samples.at(-1)!.ts, to - MINUTE);
    assert(samples.every((s) => s.ts % MINUTE === 0));
    assertEquals(samples.slice(0, perRound), telemetry.samples("relay", from - 30_000 + MINUTE));
  });
  await t.step("the same range gives the same batches", () => {
    const again = [...telemetry.batches("relay", {
      nodeId: "n-0123456789ab",
      epoch: "demo-test",
      firstSeq: 40,
      from,
      to,
    })];
    assertEquals(again, batches);
  });
  await t.step("a step of zero is a RangeError", () => {
    assertThrows(
      () => [
        ...telemetry.batches("relay", {
          nodeId: "n-0123456789ab",
          epoch: "e",
          from,
          to,
          stepMs: 0,
        }),
      ],
      RangeError,
    );
  });
});
