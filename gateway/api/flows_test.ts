import { assert, assertEquals, assertMatch } from "../../lib/testing/assert.ts";
import { createHarness } from "../testing/harness.ts";

const hotNode = {
  name: "hot node",
  steps: [
    {
      id: "t",
      type: "sensor_value",
      config: { metric: "soc.temp", operator: ">", value: 45 },
      position: { x: 0, y: 0 },
    },
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
        message: "{node_name} is hot",
        secret_headers: { Authorization: "Bearer s3cret-value" },
      },
    },
  ],
  edges: [{ from: "t", to: "a" }, { from: "a", to: "w", branch: "success" }],
};

const withCommand = {
  name: "restart agent",
  steps: [
    { id: "t", type: "manual", config: {} },
    {
      id: "c",
      type: "command",
      config: { node: "n-0123456789ab", command: "systemctl restart halo-agent" },
    },
  ],
  edges: [{ from: "t", to: "c" }],
};

Deno.test("flows CRUD", async (t) => {
  await using h = await createHarness();
  const operator = await h.tokenFor("operator");
  const admin = await h.tokenFor("admin");
  let id = 0;

  await t.step("an operator creates a flow; secret headers are never answered", async () => {
    const res = await h.request("/v1/flows", { method: "POST", token: operator, json: hotNode });
    assertEquals(res.status, 201);
    const text = await res.text();
    assertEquals(text.includes("s3cret-value"), false);
    const flow = JSON.parse(text);
    id = flow.id;
    assertEquals([flow.version, flow.enabled, flow.steps.length, flow.edges.length], [
      1,
      true,
      3,
      2,
    ]);
    assertEquals(flow.steps[2].config.secret_headers, { Authorization: "" });
    assertEquals(flow.steps[0].position, { x: 0, y: 0 });
  });

  await t.step("the list shows the trigger; a viewer reads but cannot edit", async () => {
    const viewer = await h.tokenFor("viewer");
    const list = await (await h.request("/v1/flows", { token: viewer })).json();
    assertEquals(list.flows.map((f: { name: string; trigger: string }) => [f.name, f.trigger]), [[
      "hot node",
      "sensor_value",
    ]]);
    assertEquals(
      (await h.request(`/v1/flows/${id}`, { method: "DELETE", token: viewer })).status,
      403,
    );
  });

  await t.step("saving again keeps a masked secret and bumps the version", async () => {
    const current = await (await h.request(`/v1/flows/${id}`, { token: operator })).json();
    const res = await h.request(`/v1/flows/${id}`, {
      method: "PUT",
      token: operator,
      json: { name: current.name, steps: current.steps, edges: current.edges, enabled: false },
    });
    assertEquals(res.status, 200);
    assertEquals((await res.json()).version, 2);
    const stored = h.deps.db.prepare(
      "SELECT config FROM flow_steps WHERE flow_id = ? AND step_id = 'w'",
    ).get(id) as {
      config: string;
    };
    assertEquals(JSON.parse(stored.config).secret_headers, {
      Authorization: "Bearer s3cret-value",
    });
    const versions = h.deps.db.prepare(
      "SELECT version FROM flow_versions WHERE flow_id = ? ORDER BY version",
    ).all(id);
    assertEquals(versions.map((v) => v.version), [1, 2]);
  });

  await t.step("each saved version can be read back, secrets masked", async () => {
    const res = await h.request(`/v1/flows/${id}/versions/1`, { token: operator });
    assertEquals(res.status, 200);
    const text = await res.text();
    assertEquals(text.includes("s3cret-value"), false);
    const v1 = JSON.parse(text);
    assertEquals([v1.version, v1.definition.enabled, v1.definition.steps.length], [1, true, 3]);
    assertEquals(v1.definition.steps[2].config.secret_headers, { Authorization: "" });
    const v2 = await (await h.request(`/v1/flows/${id}/versions/2`, { token: operator })).json();
    assertEquals(v2.definition.enabled, false);
    assertEquals((await h.request(`/v1/flows/${id}/versions/9`, { token: operator })).status, 404);
  });

  await t.step("an invalid flow is refused naming the step, and nothing is written", async () => {
    const before = h.deps.db.prepare("SELECT count(*) AS n FROM flow_versions").get();
    const bad = structuredClone(hotNode);
    bad.name = "broken";
    bad.edges.push({ from: "w", to: "t" } as never);
    const res = await h.request("/v1/flows", { method: "POST", token: operator, json: bad });
    assertEquals(res.status, 400);
    const body = await res.json();
    assertEquals(body.error.code, "invalid_flow");
    assertEquals(body.error.details[0], {
      path: "body.edges.2.to",
      message: "edge 2 leads into trigger t; a trigger only starts a flow",
    });
    assertEquals(h.deps.db.prepare("SELECT count(*) AS n FROM flow_versions").get(), before);
  });

  await t.step("flows with command actions need an admin", async () => {
    assertEquals(
      (await h.request("/v1/flows", { method: "POST", token: operator, json: withCommand })).status,
      403,
    );
    const res = await h.request("/v1/flows", { method: "POST", token: admin, json: withCommand });
    assertEquals(res.status, 201);
    const created = await res.json();
    assertEquals(
      (await h.request(`/v1/flows/${created.id}`, { method: "DELETE", token: operator })).status,
      403,
    );
    assertEquals(
      (await h.request(`/v1/flows/${created.id}`, { method: "DELETE", token: admin })).status,
      200,
    );
  });

  await t.step("names are unique; edits are audited", async () => {
    const dup = await h.request("/v1/flows", { method: "POST", token: operator, json: hotNode });
    assertEquals(dup.status, 409);
    const audit = await (await h.request("/v1/audit?action=flow", { token: admin })).json();
    assertEquals(audit.entries.map((e: { action: string }) => e.action), [
      "flow.delete",
      "flow.create",
      "flow.update",
      "flow.create",
    ]);
    assertMatch(audit.entries[3].actor, /^token:test-operator$/);
    assert(!JSON.stringify(audit).includes("s3cret"));
  });
});
