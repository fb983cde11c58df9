/**
 * Flow variables over the gateway API: a `set_variable` step whose value the
 * steps after it and the next runs read as `{var.NAME}` (seen by a real
 * receiver on loopback), a dry run that writes nothing, validation of
 * `{var.NAME}` at save, and the variables API with its audit trail.
 */
import { assertEquals, assertMatch } from "../lib/testing/assert.ts";
import { createHarness } from "../gateway/testing/harness.ts";
import { call, finished } from "./_helpers/flows_api.ts";
import { startWebhookSink } from "./_helpers/webhook_sink.ts";

Deno.test("flow variables over the API", async (t) => {
  await using sink = await startWebhookSink();
  await using h = await createHarness();
  const operator = await h.tokenFor("operator");
  const admin = await h.tokenFor("admin");
  const hook = (id: string, message: string) => ({
    id,
    type: "webhook_out",
    config: { url: `${sink.url}/${id}`, format: "slack", message },
  });
  const definition = (extra: Record<string, unknown> = {}) => ({
    name: "Reading log",
    steps: [
      { id: "go", type: "manual", config: { payload_fields: ["reading"] } },
      hook("before", "previous {var.last}"),
      {
        id: "remember",
        type: "set_variable",
        config: { name: "last", value: "{payload.reading}" },
      },
      hook("after", "now {var.last}"),
    ],
    edges: [
      { from: "go", to: "before" },
      { from: "before", to: "remember" },
      { from: "remember", to: "after" },
    ],
    ...extra,
  });
  const texts = () => sink.requests.map((r) => JSON.parse(r.body).text);
  const run = async (flowId: number, reading: number) => {
    const started = await call(h, operator, "POST", `/v1/flows/${flowId}/trigger`, {
      payload: { reading },
    });
    assertEquals(started.status, 202);
    return finished(h, operator, flowId, started.body.execution_id);
  };
  const stored = async (flowId: number) =>
    (await call(h, operator, "GET", `/v1/flows/${flowId}/variables`)).body.variables.map((
      v: { name: string; value: unknown },
    ) => [v.name, v.value]);
  let flowId = 0;

  await t.step("reading a variable no step sets and none stores is refused at save", async () => {
    const res = await call(h, operator, "POST", "/v1/flows", {
      ...definition(),
      steps: [...definition().steps.slice(0, 2), hook("after", "site {var.site}")],
      edges: [{ from: "go", to: "before" }, { from: "before", to: "after" }],
    });
    assertEquals(res.status, 400);
    assertMatch(res.body.error.message, /step before: \{var\.last\} names a flow variable/);
    assertEquals(res.body.error.details.length, 2);
  });

  await t.step("a set value is read by the steps after it and by the next run", async () => {
    const created = await call(h, operator, "POST", "/v1/flows", {
      ...definition(),
      variables: { last: "none" },
    });
    assertEquals(created.status, 201, JSON.stringify(created.body));
    flowId = created.body.id;
    const first = await run(flowId, 41);
    assertEquals(first.status, "succeeded", JSON.stringify(first));
    await run(flowId, 43);
    assertEquals(texts(), ["previous none", "now 41", "previous 41", "now 43"]);
    const remember = first.steps.find((s: { step_id: string }) => s.step_id === "remember");
    assertEquals(remember.output, { name: "last", value: "41", previous: "none" });
    assertEquals(await stored(flowId), [["last", "43"]]);
  });

  await t.step("a dry run shows the value but stores nothing", async () => {
    const res = await call(h, operator, "POST", `/v1/flows/${flowId}/test`, {
      context: { "payload.reading": 99 },
    });
    assertEquals(res.status, 200);
    const output = (id: string) =>
      res.body.steps.find((s: { step_id: string }) => s.step_id === id).output;
    assertEquals(output("remember"), { would_set: { name: "last", value: "99" } });
    assertEquals(JSON.parse(output("after").would_send.body), { text: "now 99" });
    assertEquals(await stored(flowId), [["last", "43"]]);
    assertEquals(sink.requests.length, 4);
  });

  await t.step("saving the flow without variables keeps the stored ones", async () => {
    const saved = await call(h, operator, "PUT", `/v1/flows/${flowId}`, definition());
    assertEquals(saved.status, 200, JSON.stringify(saved.body));
    assertEquals(await stored(flowId), [["last", "43"]]);
  });

  await t.step("the API sets a value the next run reads", async () => {
    const set = await call(h, operator, "PUT", `/v1/flows/${flowId}/variables/last`, {
      value: 7,
    });
    assertEquals([set.status, set.body.name, set.body.value], [200, "last", 7]);
    await run(flowId, 50);
    assertEquals(texts().slice(4), ["previous 7", "now 50"]);
    const bad = await call(h, operator, "PUT", `/v1/flows/${flowId}/variables/Bad-Name`, {
      value: 1,
    });
    assertEquals([bad.status, bad.body.error.details[0].path], [400, "path.name"]);
  });

  await t.step("a variable a step reads and none sets cannot be deleted", async () => {
    const created = await call(h, operator, "POST", "/v1/flows", {
      name: "Site page",
      steps: [{ id: "go", type: "manual", config: {} }, hook("page", "site {var.site}")],
      edges: [{ from: "go", to: "page" }],
      variables: { site: "north" },
    });
    assertEquals(created.status, 201);
    const refused = await call(
      h,
      operator,
      "DELETE",
      `/v1/flows/${created.body.id}/variables/site`,
    );
    assertEquals([refused.status, refused.body.error.code], [409, "variable_in_use"]);
    assertMatch(refused.body.error.message, /read by steps page/);
    const deleted = await call(h, operator, "DELETE", `/v1/flows/${flowId}/variables/last`);
    assertEquals(deleted.status, 200);
    assertEquals(await stored(flowId), []);
  });

  await t.step("every variable change over the API is audited", async () => {
    const { body } = await call(h, admin, "GET", "/v1/audit?action=flow_variable");
    assertEquals(
      body.entries.map((e: { action: string; details: { name: string } }) => e.action).reverse(),
      ["flow_variable.set", "flow_variable.delete"],
    );
  });
});
