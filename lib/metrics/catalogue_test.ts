import { assert, assertEquals } from "../testing/assert.ts";
import { metricInfoSchema } from "../schemas/metric_catalogue.ts";
import { DEMO_NETWORK } from "../sim/network_plan.ts";
import { SimTelemetry } from "../sim/telemetry.ts";
import {
  BUILTIN_METRICS,
  catalogueProblems,
  MetricCatalogue,
  type MetricInfo,
} from "./catalogue.ts";

Deno.test("every built-in metric is declared once, valid against the catalogue's schema", () => {
  for (const info of BUILTIN_METRICS) {
    const parsed = metricInfoSchema.safeParse(info);
    assert(parsed.success, `${info.name}: ${parsed.error?.message}`);
  }
  const names = BUILTIN_METRICS.map((m) => m.name);
  assertEquals(names.filter((n, i) => names.indexOf(n) !== i), [], "no name twice");
});

Deno.test("the demo's simulated telemetry is all in the catalogue, units and labels as declared", () => {
  const telemetry = new SimTelemetry(DEMO_NETWORK, { seed: 1 });
  const start = Date.UTC(2026, 5, 1);
  for (const device of DEMO_NETWORK.devices) {
    for (let t = start; t < start + 86_400_000; t += 3_600_000) {
      assertEquals(catalogueProblems(telemetry.samples(device.key, t)), [], device.key);
    }
  }
});

Deno.test("the GPS helper's metrics are declared as it emits them", () => {
  const catalogue = new MetricCatalogue();
  for (const name of ["lat", "lon", "alt", "speed", "eph", "epv", "mode", "satellites_used"]) {
    assert(catalogue.lookup(`gps.${name}`), `gps.${name}`);
  }
});

const BME688_GAS: MetricInfo = {
  name: "bme688.gas",
  unit: null,
  labels: ["sensor"],
  description: "Gas resistance",
  source: "template:bme688",
};

Deno.test("MetricCatalogue answers built-ins and stored entries through one lookup", async (t) => {
  const catalogue = new MetricCatalogue([
    BME688_GAS,
    { ...BME688_GAS, name: "soc.temp", unit: "mV", description: "an impostor" },
  ]);
  await t.step("a stored entry is found by name", () => {
    assertEquals(catalogue.lookup("bme688.gas"), BME688_GAS);
  });
  await t.step("a stored entry never replaces a built-in", () => {
    assertEquals(catalogue.lookup("soc.temp")?.unit, "°C");
    assertEquals(catalogue.list().filter((m) => m.name === "soc.temp").length, 1);
  });
  await t.step("the list holds both, sorted by name", () => {
    const names = catalogue.list().map((m) => m.name);
    assertEquals(names.length, BUILTIN_METRICS.length + 1);
    assertEquals(names, [...names].sort((a, b) => a.localeCompare(b)));
  });
  await t.step("an unknown name has no entry", () => {
    assertEquals(catalogue.lookup("no.such"), undefined);
  });
});

Deno.test("catalogueProblems() names each reading that strays from its declaration", () => {
  assertEquals(
    catalogueProblems([
      { metric: "soc.temp", unit: "°C" },
      { metric: "soc.temp", unit: "mV" },
      { metric: "link.tq", labels: { neighbor: "halo-relay-01" } },
      { metric: "link.tq", labels: { peer: "x" } },
      { metric: "disk.used", unit: "%" },
      { metric: "made.up" },
    ]),
    [
      "soc.temp comes in mV, declared °C",
      "link.tq has labels [peer], declared [neighbor]",
      "disk.used has labels [], declared [path]",
      "made.up is not in the metric catalogue",
    ],
  );
});
