import { assertEquals } from "../../../lib/testing/assert.ts";
import { flowsMetadata } from "../../flows/metadata.ts";
import {
  controlOf,
  fieldLabel,
  initialConfig,
  placeProblems,
  setAt,
  variablesAt,
} from "../../../ui/lib/flow_form.ts";
import type { FlowsMetadata, JsonSchema } from "../../../ui/lib/flow_types.ts";

const metadata = flowsMetadata([]) as FlowsMetadata;
const schemaOf = (type: string) => metadata.step_types.find((t) => t.type === type)!.config_schema;
const field = (type: string, key: string) => schemaOf(type).properties![key] as JsonSchema;

Deno.test("controlOf() picks a control for every field of every step type", async (t) => {
  await t.step("templates are textareas, secret fields never show their value", () => {
    assertEquals(controlOf(field("alert", "message")), "template");
    assertEquals(controlOf(field("set_variable", "value")), "template");
    assertEquals(controlOf(field("webhook_out", "secret_headers")), "secret-map");
    assertEquals(controlOf(field("webhook_out", "headers")), "map");
    assertEquals(controlOf(field("webhook_out", "url")), "secret-url");
  });
  await t.step("enums, numbers, lists, unions and variants", () => {
    assertEquals(controlOf(field("alert", "severity")), "enum");
    assertEquals(controlOf(field("threshold", "value")), "number");
    assertEquals(controlOf(field("cooldown", "duration_s")), "integer");
    assertEquals(controlOf(field("node_event", "events")), "enum-list");
    assertEquals(controlOf(field("manual", "payload_fields")), "string-list");
    assertEquals(controlOf(field("sensor_value", "nodes")), "union");
    assertEquals(controlOf(field("for_each_node", "selector")), "variants");
    assertEquals(controlOf(field("for_each_node", "action")), "variants");
  });
  await t.step("no field of the metadata is left without a control", () => {
    const visit = (schema: JsonSchema, where: string) => {
      assertEquals(controlOf(schema) === "unknown", false, `${where} has no control`);
      for (const [k, s] of Object.entries(schema.properties ?? {})) visit(s, `${where}.${k}`);
      for (const v of schema.oneOf ?? []) {
        for (const [k, s] of Object.entries(v.properties ?? {})) visit(s, `${where}.${k}`);
      }
    };
    for (const t of metadata.step_types) visit(t.config_schema, t.type);
  });
});

Deno.test("initialConfig() chooses the first variant where the config needs one", () => {
  assertEquals(initialConfig(schemaOf("response")), { check: "http_status" });
  assertEquals(initialConfig(schemaOf("for_each_node")), {
    selector: { kind: "all" },
    action: { type: "alert" },
  });
  assertEquals(initialConfig(schemaOf("alert")), {});
});

Deno.test("setAt() edits a nested config and removes emptied keys", () => {
  const config = { action: { type: "alert", config: { message: "hi" } } };
  assertEquals(setAt(config, ["action", "config", "severity"], "critical"), {
    action: { type: "alert", config: { message: "hi", severity: "critical" } },
  });
  assertEquals(setAt(config, ["action", "config", "message"], undefined), {
    action: { type: "alert", config: {} },
  });
  assertEquals(config.action.config.message, "hi", "the original is unchanged");
});

Deno.test("fieldLabel() reads a config key as words", () => {
  assertEquals(fieldLabel("auto_resolve"), "Auto resolve");
  assertEquals(fieldLabel("window_s"), "Window (s)");
});

Deno.test("variablesAt() offers what every path to the step provides, as the gateway checks", () => {
  const flow = {
    steps: [
      { id: "t", type: "sensor_value", config: {} },
      { id: "c", type: "threshold", config: {} },
      { id: "s", type: "set_variable", config: { name: "site" } },
      { id: "a", type: "alert", config: {} },
    ],
    edges: [
      { from: "t", to: "c" },
      { from: "c", to: "s", branch: "true" as const },
      { from: "s", to: "a" },
    ],
  };
  const names = (id: string, inner = false) =>
    variablesAt(id, flow, metadata.step_types, metadata.variables, { inner }).map((v) => v.name);
  assertEquals(names("t"), ["var.site"]);
  assertEquals(names("a"), [
    "node_id",
    "node_name",
    "metric",
    "value",
    "threshold",
    "operator",
    "prev_result",
    "flow_name",
    "fired_at",
    "var.site",
  ]);
  const manual = {
    steps: [
      { id: "m", type: "manual", config: { payload_fields: ["reason"] } },
      { id: "f", type: "for_each_node", config: {} },
    ],
    edges: [{ from: "m", to: "f" }],
  };
  assertEquals(
    variablesAt("f", manual, metadata.step_types, metadata.variables, {
      inner: true,
      storedVariables: ["count"],
    }).map((v) => v.name),
    ["node_id", "node_name", "prev_result", "flow_name", "fired_at", "payload.reason", "var.count"],
  );
});

Deno.test("placeProblems() puts the API's error details on their step, edge or field", () => {
  const steps = [{ id: "go" }, { id: "raise" }];
  assertEquals(
    placeProblems([
      { path: "body.steps.raise.config.message", message: "m" },
      { path: "body.steps.1.config", message: "by index" },
      { path: "body.steps.go", message: "not connected" },
      { path: "body.edges.0.branch", message: "b" },
      { path: "body.name", message: "n" },
      { path: "body.steps.raise.config.action.config.url", message: "u" },
    ], steps),
    [
      { step: "raise", edge: null, field: "message", flowField: null, message: "m" },
      { step: "raise", edge: null, field: "", flowField: null, message: "by index" },
      { step: "go", edge: null, field: "", flowField: null, message: "not connected" },
      { step: null, edge: 0, field: "", flowField: null, message: "b" },
      { step: null, edge: null, field: "", flowField: "name", message: "n" },
      { step: "raise", edge: null, field: "action.config.url", flowField: null, message: "u" },
    ],
  );
});
