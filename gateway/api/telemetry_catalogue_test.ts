import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { metricCatalogueSchema } from "../../lib/schemas/metric_catalogue.ts";
import { flowsMetadataSchema, metricPreviewSchema } from "../../lib/schemas/flows_api.ts";
import { createHarness } from "../testing/harness.ts";
import { MetricCatalogueStore } from "../store/metric_catalogue.ts";

const GAS = {
  name: "bme688.gas",
  unit: null,
  labels: ["sensor"],
  description: "Gas resistance of the BME688's hot plate",
  source: "template:bme688",
};

Deno.test("the metric catalogue explains metrics over the API", async (t) => {
  await using h = await createHarness();
  const viewer = await h.tokenFor("viewer");
  new MetricCatalogueStore(h.deps.db).put(GAS, h.clock.now());

  await t.step(
    "GET /v1/telemetry/catalogue lists the built-ins and the stored entries",
    async () => {
      const res = await h.request("/v1/telemetry/catalogue", { token: viewer });
      assertEquals(res.status, 200);
      const { metrics } = metricCatalogueSchema.parse(await res.json());
      assertEquals(metrics.find((m) => m.name === "soc.temp"), {
        name: "soc.temp",
        unit: "°C",
        labels: [],
        description: "Temperature of the system-on-chip (CPU thermal zone)",
        source: "system",
        builtin: true,
      });
      assertEquals(metrics.find((m) => m.name === "bme688.gas"), { ...GAS, builtin: false });
      assertEquals(metrics.find((m) => m.name === "disk.used")?.labels, ["path"]);
    },
  );

  await t.step("without a credential it is refused", async () => {
    assertEquals((await h.request("/v1/telemetry/catalogue")).status, 401);
  });

  await t.step("the Flows metadata carries the catalogue for the builder", async () => {
    const res = await h.request("/v1/flows/metadata", { token: viewer });
    const { metrics } = flowsMetadataSchema.parse(await res.json());
    assertEquals(metrics.find((m) => m.name === "link.tq")?.labels, ["neighbor"]);
    assert(metrics.some((m) => m.name === "bme688.gas"), "stored entries too");
  });

  await t.step(
    "the metric preview says what the metric means, even before any sample",
    async () => {
      const res = await h.request("/v1/flows/metric-preview?metric=cpu.load1", { token: viewer });
      const preview = metricPreviewSchema.parse(await res.json());
      assertEquals(preview.series, []);
      assertEquals(preview.unit, null);
      assertEquals(
        preview.catalogue?.description,
        "Load average over 1 minute: runnable and waiting tasks",
      );
      const temp = metricPreviewSchema.parse(
        await (await h.request("/v1/flows/metric-preview?metric=soc.temp", { token: viewer }))
          .json(),
      );
      assertEquals(temp.unit, "°C", "the catalogue's unit while no series has one");
    },
  );

  await t.step("a metric nothing declares has no catalogue entry", async () => {
    const res = await h.request("/v1/flows/metric-preview?metric=made.up", { token: viewer });
    assertEquals((await res.json()).catalogue, null);
  });
});
