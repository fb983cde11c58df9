import { openDatabase } from "../../lib/db/database.ts";
import { migrate, readMigrations } from "../../lib/db/migrate.ts";
import { ConflictError, ValidationError } from "../../lib/errors.ts";
import type { MetricInfo } from "../../lib/metrics/catalogue.ts";
import { assertEquals, assertThrows } from "../../lib/testing/assert.ts";
import { MetricCatalogueStore } from "./metric_catalogue.ts";
import { MIGRATIONS_DIR } from "./migrations.ts";

const T0 = Date.UTC(2026, 0, 1);
const GAS: MetricInfo = {
  name: "bme688.gas",
  unit: null,
  labels: ["sensor"],
  description: "Gas resistance of the BME688's hot plate",
  source: "template:bme688",
};

Deno.test("MetricCatalogueStore", async (t) => {
  const db = openDatabase(":memory:");
  await migrate(db, await readMigrations(MIGRATIONS_DIR));
  const store = new MetricCatalogueStore(db);

  await t.step("a stored entry reads back and joins the built-ins in one lookup", () => {
    store.put(GAS, T0);
    assertEquals(store.list(), [GAS]);
    const catalogue = store.catalogue();
    assertEquals(catalogue.lookup("bme688.gas"), GAS);
    assertEquals(catalogue.lookup("soc.temp")?.unit, "°C");
  });

  await t.step("putting the same name again replaces it", () => {
    store.put({ ...GAS, unit: "Pa", description: "Gas resistance, ohms as Pa by mistake" }, T0);
    assertEquals(store.list().map((m) => [m.name, m.unit]), [["bme688.gas", "Pa"]]);
  });

  await t.step("a built-in name is refused and nothing is stored", () => {
    const error = assertThrows(
      () => store.put({ ...GAS, name: "soc.temp" }, T0),
      ConflictError,
      '"soc.temp" is a built-in metric',
    ) as ConflictError;
    assertEquals(error.code, "builtin_metric");
    assertEquals(store.list().map((m) => m.name), ["bme688.gas"]);
  });

  await t.step("bad fields are refused, each named", () => {
    const error = assertThrows(
      () =>
        store.put(
          { ...GAS, name: "Gas Level", unit: "ohm" as MetricInfo["unit"], labels: ["A"] },
          T0,
        ),
      ValidationError,
    ) as ValidationError;
    assertEquals(error.details?.map((d) => d.path), ["name", "unit", "labels.0"]);
    assertEquals(store.list().length, 1);
  });

  await t.step("a removed entry is gone", () => {
    assertEquals(store.remove("bme688.gas"), true);
    assertEquals(store.remove("bme688.gas"), false);
    assertEquals(store.catalogue().lookup("bme688.gas"), undefined);
  });
  db.close();
});
