import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { createHarness } from "../testing/harness.ts";

Deno.test("GET /v1/flows/metadata describes every step type from its schema", async () => {
  await using h = await createHarness();
  const res = await h.request("/v1/flows/metadata", { token: await h.tokenFor("viewer") });
  assertEquals(res.status, 200);
  const body = await res.json();
  const byType = Object.fromEntries(body.step_types.map((t: { type: string }) => [t.type, t]));
  assertEquals(Object.keys(byType).sort(), [
    "alert",
    "command",
    "cooldown",
    "for_each_node",
    "manual",
    "node_event",
    "response",
    "schedule",
    "sensor_value",
    "set_variable",
    "threshold",
    "webhook_out",
  ]);
  const sensor = byType.sensor_value;
  assertEquals(sensor.kind, "trigger");
  assertEquals(sensor.config_schema.properties.operator.enum, [">", ">=", "<", "<=", "==", "!="]);
  assertEquals(sensor.config_schema.required.sort(), ["metric", "operator", "value"]);
  assert(sensor.provides.includes("node_name"));
  assertEquals(byType.threshold.branches, ["true", "false"]);
  assertEquals(byType.webhook_out.config_schema.properties.format.enum, ["slack", "teams", "json"]);
  assert(body.variables.some((v: { name: string }) => v.name === "prev_result"));
});
