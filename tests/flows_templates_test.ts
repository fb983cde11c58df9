/**
 * Action templates over the gateway API: a webhook config saved once and
 * used by a flow's step with `template_id`, posting to a real receiver on
 * loopback; its config validated like a step's; a flow naming an unknown
 * template, a change that would break a flow, and deleting one in use are
 * refused with the step or flow named; every change is audited.
 */
import { assert, assertEquals, assertMatch } from "../lib/testing/assert.ts";
import { createHarness } from "../gateway/testing/harness.ts";
import { call, finished } from "./_helpers/flows_api.ts";
import { startWebhookSink } from "./_helpers/webhook_sink.ts";

const SECRET = `template-secret-${crypto.randomUUID()}`;

Deno.test("action templates over the API", async (t) => {
  await using sink = await startWebhookSink();
  await using h = await createHarness();
  const admin = await h.tokenFor("admin");
  const viewer = await h.tokenFor("viewer");
  const template = (message: string) => ({
    name: "Page ops",
    description: "Slack page to the ops channel",
    type: "webhook_out",
    config: {
      url: `${sink.url}/hooks/ops`,
      format: "slack",
      message,
      secret_headers: { "X-Api-Key": SECRET },
    },
  });
  const flowWith = (templateId: number) => ({
    name: "Pump check",
    steps: [
      { id: "go", type: "manual", config: { payload_fields: ["reason"] } },
      { id: "page", type: "webhook_out", template_id: templateId },
    ],
    edges: [{ from: "go", to: "page" }],
  });
  let templateId = 0;
  let flowId = 0;

  await t.step("a template's config is validated by its action's schema", async () => {
    const bad = await call(h, admin, "POST", "/v1/flows/action-templates", {
      name: "Broken",
      type: "webhook_out",
      config: { format: "slack", message: "hi", url: "ftp://example.net" },
    });
    assertEquals(bad.status, 400);
    assert(
      bad.body.error.details.some((d: { path: string }) => d.path === "body.config.url"),
      JSON.stringify(bad.body),
    );
  });

  await t.step("an admin saves one; its secret header is never shown", async () => {
    const created = await call(
      h,
      admin,
      "POST",
      "/v1/flows/action-templates",
      template("{flow_name}: {payload.reason}"),
    );
    assertEquals(created.status, 201);
    templateId = created.body.id;
    const shown = await call(h, viewer, "GET", `/v1/flows/action-templates/${templateId}`);
    assertEquals(shown.status, 200);
    assertEquals(shown.body.config.secret_headers, { "X-Api-Key": "" });
    assertEquals(shown.body.used_by, []);
  });

  await t.step("a flow naming an unknown template is refused, naming the step", async () => {
    const res = await call(h, admin, "POST", "/v1/flows", flowWith(templateId + 100));
    assertEquals(res.status, 400);
    assertMatch(res.body.error.message, /step page: action template \d+ does not exist/);
    assertEquals(res.body.error.details[0].path, "body.steps.page.template_id");
  });

  await t.step("a step using it posts the template's webhook and records its config", async () => {
    const created = await call(h, admin, "POST", "/v1/flows", flowWith(templateId));
    assertEquals(created.status, 201, JSON.stringify(created.body));
    flowId = created.body.id;
    const started = await call(h, admin, "POST", `/v1/flows/${flowId}/trigger`, {
      payload: { reason: "pressure low" },
    });
    const [request] = await sink.waitFor(1);
    assertEquals(JSON.parse(request!.body), { text: "Pump check: pressure low" });
    assertEquals(request!.headers["x-api-key"], SECRET);
    const execution = await finished(h, viewer, flowId, started.body.execution_id);
    const page = execution.steps.find((s: { step_id: string }) => s.step_id === "page");
    assertEquals(page.input.template_id, templateId);
    assertEquals(page.input.config.message, "{flow_name}: {payload.reason}");
    assertEquals(page.input.config.secret_headers, { "X-Api-Key": "(secret)" });
    assert(!JSON.stringify(execution).includes(SECRET));
  });

  await t.step("an edit applies to the flow's next run", async () => {
    const saved = await call(
      h,
      admin,
      "PUT",
      `/v1/flows/action-templates/${templateId}`,
      {
        ...template("Check {flow_name} now"),
        config: {
          ...template("").config,
          message: "Check {flow_name} now",
          secret_headers: { "X-Api-Key": "" },
        },
      },
    );
    assertEquals(saved.status, 200, JSON.stringify(saved.body));
    assertEquals(saved.body.used_by, [{ id: flowId, name: "Pump check", steps: ["page"] }]);
    await call(h, admin, "POST", `/v1/flows/${flowId}/trigger`, { payload: { reason: "x" } });
    const [, second] = await sink.waitFor(2);
    assertEquals(JSON.parse(second!.body), { text: "Check Pump check now" });
    assertEquals(second!.headers["x-api-key"], SECRET, "the kept secret is still sent");
  });

  await t.step("an edit that would break a flow using it is refused, naming it", async () => {
    const res = await call(
      h,
      admin,
      "PUT",
      `/v1/flows/action-templates/${templateId}`,
      template("{node_name} is down"),
    );
    assertEquals(res.status, 400);
    assertMatch(res.body.error.message, /flow "Pump check" \(\d+\): step page: \{node_name\}/);
  });

  await t.step("deleting it while in use is refused, naming the flow", async () => {
    const res = await call(h, admin, "DELETE", `/v1/flows/action-templates/${templateId}`);
    assertEquals(res.status, 409);
    assertEquals(res.body.error.code, "template_in_use");
    assertMatch(res.body.error.message, /flow "Pump check" \(\d+, steps page\)/);
    await call(h, admin, "DELETE", `/v1/flows/${flowId}`);
    assertEquals(
      (await call(h, admin, "DELETE", `/v1/flows/action-templates/${templateId}`)).status,
      200,
    );
  });

  await t.step("the metadata describes the template reference", async () => {
    const { body } = await call(h, viewer, "GET", "/v1/flows/metadata");
    assertEquals(body.action_templates.field, "template_id");
    assertEquals(body.action_templates.list, "/v1/flows/action-templates");
  });

  await t.step("every template change is in the audit log", async () => {
    const { body } = await call(h, admin, "GET", "/v1/audit?action=flow_template");
    assertEquals(
      body.entries.map((e: { action: string }) => e.action).reverse(),
      ["flow_template.create", "flow_template.update", "flow_template.delete"],
    );
  });
});
