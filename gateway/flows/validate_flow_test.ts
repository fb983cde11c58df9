import { assertEquals } from "../../lib/testing/assert.ts";
import { type FlowDefinition, flowDefinitionSchema } from "../../lib/schemas/flows.ts";
import { validateFlow } from "./validate_flow.ts";

const flow = (input: unknown): FlowDefinition => flowDefinitionSchema.parse(input);
const messages = (f: FlowDefinition) => validateFlow(f).map((p) => `${p.path}: ${p.message}`);

const hotNode = {
  name: "hot node",
  steps: [
    { id: "t", type: "sensor_value", config: { metric: "soc.temp", operator: ">", value: 45 } },
    { id: "cool", type: "cooldown", config: { duration_s: 600, scope: "flow_node" } },
    {
      id: "a",
      type: "alert",
      config: { message: "Node {node_name} {metric} hit {value} (threshold {threshold})" },
    },
    {
      id: "w",
      type: "webhook_out",
      config: {
        url: "http://127.0.0.1:9/hook",
        format: "slack",
        message: "{node_name} is hot: {value} °C",
      },
    },
  ],
  edges: [
    { from: "t", to: "cool" },
    { from: "cool", to: "a", branch: "true" },
    { from: "a", to: "w", branch: "success" },
  ],
};

Deno.test("validateFlow()", async (t) => {
  await t.step("accepts a well-formed graph", () => {
    assertEquals(messages(flow(hotNode)), []);
  });

  await t.step("refuses a flow without a trigger", () => {
    assertEquals(
      messages(flow({ ...hotNode, steps: hotNode.steps.slice(1), edges: hotNode.edges.slice(1) })),
      [
        "steps: a flow needs a trigger step (sensor_value, node_event, schedule or manual)",
      ],
    );
  });

  await t.step("names the step whose config fails its schema", () => {
    const bad = structuredClone(hotNode);
    bad.steps[0]!.config = { metric: "soc.temp", operator: "=>", value: 45 };
    const got = messages(flow(bad));
    assertEquals(got.length, 1);
    assertEquals(got[0]!.startsWith("steps.t.config.operator: step t (sensor_value):"), true);
  });

  await t.step("refuses dangling edges and cycles, naming the steps", () => {
    const dangling = { ...hotNode, edges: [...hotNode.edges, { from: "w", to: "ghost" }] };
    assertEquals(messages(flow(dangling)), [
      'edges.3.to: edge 3 leads to step "ghost", which does not exist',
    ]);
    const cycle = structuredClone(hotNode);
    cycle.steps.push({ id: "b", type: "alert", config: { message: "again" } });
    cycle.edges.push({ from: "w", to: "b", branch: "success" }, { from: "b", to: "a" });
    assertEquals(messages(flow(cycle)), [
      "steps.a: steps a, w, b form a cycle; a flow is a graph without loops",
    ]);
  });

  await t.step("checks branch labels against the step they leave", () => {
    const wrong = structuredClone(hotNode);
    wrong.edges[1] = { from: "cool", to: "a" } as never;
    wrong.edges[2] = { from: "a", to: "w", branch: "true" };
    assertEquals(messages(flow(wrong)), [
      "edges.1.branch: edge 1 leaves condition cool: say whether it is the true or the false branch",
      "edges.2.branch: step a (alert) has branches success and failure, not true",
    ]);
  });

  await t.step("refuses steps not connected to the trigger", () => {
    const island = structuredClone(hotNode);
    island.steps.push({ id: "lonely", type: "alert", config: { message: "x" } });
    assertEquals(messages(flow(island)), [
      "steps.lonely: step lonely is not connected to trigger t",
    ]);
  });

  await t.step("refuses variables the trigger cannot provide, when saving", () => {
    const scheduled = flow({
      name: "nightly",
      steps: [
        { id: "t", type: "schedule", config: { cron: "0 3 * * *", timezone: "Europe/Berlin" } },
        { id: "a", type: "alert", config: { message: "{flow_name} at {fired_at} on {node_name}" } },
        {
          id: "each",
          type: "for_each_node",
          config: {
            selector: { kind: "role", role: "node" },
            action: {
              type: "command",
              config: { command: "uptime; echo {node_name} {var.site} {nope}" },
            },
          },
        },
      ],
      edges: [{ from: "t", to: "a" }, { from: "t", to: "each" }],
      variables: { site: "north" },
    });
    assertEquals(messages(scheduled), [
      "steps.a.config.message: step a: {node_name} is not available here: the trigger and the steps before it do not provide it",
      "steps.each.config.action.config.command: step each: {nope} is not a known variable; use one of node_id, node_name, metric, value, threshold, operator, prev_result, flow_name, fired_at, event",
    ]);
  });

  await t.step("refuses a shell variable inside quotes, where quoting could not protect it", () => {
    const quoted = structuredClone(hotNode);
    quoted.steps.push(
      { id: "c", type: "command", config: { command: "logger 'hot: {node_name}'" } } as never,
    );
    quoted.edges.push({ from: "a", to: "c", branch: "success" });
    assertEquals(messages(flow(quoted)), [
      "steps.c.config.command: step c: a variable at character 14 is inside quotes; leave it unquoted, values are quoted for you",
    ]);
  });

  await t.step("knows manual payload fields and flow variables", () => {
    const manual = flow({
      name: "manual",
      steps: [
        { id: "t", type: "manual", config: { payload_fields: ["reason"] } },
        {
          id: "a",
          type: "alert",
          config: { message: "{payload.reason} {payload.other} {var.missing}" },
        },
      ],
      edges: [{ from: "t", to: "a" }],
    });
    assertEquals(messages(manual), [
      "steps.a.config.message: step a: {payload.other} is not a payload field of the manual trigger",
      "steps.a.config.message: step a: {var.missing} names a flow variable that is not defined: declare it in variables, set it with a set_variable step, or PUT /v1/flows/{id}/variables/missing",
    ]);
  });

  await t.step("validates cron expressions and time zones", () => {
    const bad = flow({
      name: "bad cron",
      steps: [{ id: "t", type: "schedule", config: { cron: "61 * * * *", timezone: "Mars/Base" } }],
    });
    assertEquals(validateFlow(bad).map((p) => p.path), [
      "steps.t.config.cron",
      "steps.t.config.timezone",
    ]);
  });
});
