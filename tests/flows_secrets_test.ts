/**
 * Webhook URLs are credentials (a Slack or Teams URL is all it takes to post
 * to a channel): nothing a viewer can read — the flow list, a flow, its
 * versions, action templates, execution history, a dry run, the portal's
 * pages — shows more of them than their host, and neither do the audit log
 * or the gateway's log. A flow or template read and saved back unchanged
 * keeps its URLs; a new URL replaces the stored one.
 */
import { assert, assertEquals, assertMatch } from "../lib/testing/assert.ts";
import { createHarness, type Harness } from "../gateway/testing/harness.ts";
import { call, finished } from "./_helpers/flows_api.ts";
import { loginAs } from "./_helpers/login.ts";
import { startWebhookSink } from "./_helpers/webhook_sink.ts";

/** The secret part of every webhook URL below: what follows the host. */
const TOKEN = `T0${crypto.randomUUID().replaceAll("-", "")}`;
const HEADER_SECRET = `header-${crypto.randomUUID()}`;

async function enrollNode(h: Harness): Promise<void> {
  const res = await h.request("/v1/enroll", {
    method: "POST",
    json: {
      join_token: await h.joinToken(),
      hardware: { serial: "RC00000042" },
      hostname: "pump-house",
    },
  });
  assert(res.ok, await res.clone().text());
  await res.body?.cancel();
}

Deno.test("webhook URLs are secret fields", async (t) => {
  await using sink = await startWebhookSink();
  await using h = await createHarness();
  await enrollNode(h);
  const admin = await h.tokenFor("admin");
  const viewer = await h.tokenFor("viewer");
  await h.user("vera", "viewer", "vera-password-1");
  const viewerCookie = (await loginAs(h, "vera", "vera-password-1")).cookie;
  const path = (name: string) => `/hooks/${TOKEN}/${name}`;
  const shownUrl = `${sink.url}/…`;
  // Receivers that echo where they were reached, as an error page might.
  for (const name of ["direct", "each", "template"]) {
    sink.respond({ status: 200, body: `delivered to ${path(name)}` }, { path: path(name) });
  }

  const template = {
    name: "Page ops",
    type: "webhook_out",
    config: { url: `${sink.url}${path("template")}`, format: "teams", message: "{flow_name}" },
  };
  const flow = (templateId: number) => ({
    name: "Pump alarm",
    steps: [
      { id: "go", type: "manual", config: {} },
      {
        id: "direct",
        type: "webhook_out",
        config: {
          url: `${sink.url}${path("direct")}`,
          format: "slack",
          message: "{flow_name} fired",
          secret_headers: { "X-Api-Key": HEADER_SECRET },
        },
      },
      {
        id: "each",
        type: "for_each_node",
        config: {
          selector: { kind: "all" },
          action: {
            type: "webhook_out",
            config: { url: `${sink.url}${path("each")}`, format: "slack", message: "{node_name}" },
          },
        },
      },
      { id: "tpl", type: "webhook_out", template_id: templateId },
    ],
    edges: [{ from: "go", to: "direct" }, { from: "direct", to: "each" }, {
      from: "each",
      to: "tpl",
    }],
  });
  const storedUrl = (flowId: number, stepId: string) =>
    JSON.parse(
      (h.deps.db.prepare("SELECT config FROM flow_steps WHERE flow_id = ? AND step_id = ?")
        .get(flowId, stepId) as { config: string }).config,
    ).url;
  const run = async (flowId: number) => {
    const started = await call(h, admin, "POST", `/v1/flows/${flowId}/trigger`, { payload: {} });
    assertEquals(started.status, 202, JSON.stringify(started.body));
    const execution = await finished(h, viewer, flowId, started.body.execution_id);
    assertEquals(execution.status, "succeeded", JSON.stringify(execution));
    return execution.id as number;
  };

  const createdTemplate = await call(h, admin, "POST", "/v1/flows/action-templates", template);
  assertEquals(createdTemplate.status, 201, JSON.stringify(createdTemplate.body));
  const templateId = createdTemplate.body.id as number;
  const created = await call(h, admin, "POST", "/v1/flows", flow(templateId));
  assertEquals(created.status, 201, JSON.stringify(created.body));
  const flowId = created.body.id as number;
  const executionId = await run(flowId);

  await t.step("the webhooks went to their full URLs", async () => {
    for (const name of ["direct", "each", "template"]) {
      await sink.waitFor(1, { path: path(name) });
    }
  });

  await t.step("no answer a viewer gets shows more of a URL than its host", async () => {
    const dryRun = await h.request(`/v1/flows/${flowId}/test`, {
      method: "POST",
      token: admin,
      json: { context: {} },
    });
    assertEquals(dryRun.status, 200);
    const dryRunText = await dryRun.text();
    const dryRunId = JSON.parse(dryRunText).id as number;
    const api = [
      "/v1/flows",
      `/v1/flows/${flowId}`,
      `/v1/flows/${flowId}/versions/1`,
      "/v1/flows/action-templates",
      `/v1/flows/action-templates/${templateId}`,
      `/v1/flows/${flowId}/executions`,
      `/v1/flows/${flowId}/executions/${executionId}`,
      `/v1/flows/${flowId}/executions/${dryRunId}`,
    ];
    const pages = [
      "/flows",
      `/flows/${flowId}`,
      `/flows/${flowId}/executions`,
      `/flows/${flowId}/executions/${executionId}`,
      `/flows/${flowId}/executions/${dryRunId}`,
    ];
    const answers: [string, string][] = [[`POST /v1/flows/${flowId}/test`, dryRunText]];
    for (const p of api) {
      const res = await h.request(p, { token: viewer });
      assertEquals(res.status, 200, p);
      answers.push([p, await res.text()]);
    }
    for (const p of pages) {
      const res = await h.request(p, { headers: { cookie: viewerCookie } });
      assertEquals(res.status, 200, p);
      answers.push([p, await res.text()]);
    }
    const audit = await h.request("/v1/audit", { token: admin });
    answers.push(["GET /v1/audit (admin)", await audit.text()]);
    answers.push(["the gateway log", h.logs.join("\n")]);

    for (const [what, text] of answers) {
      assert(!text.includes(TOKEN), `${what} shows a webhook URL: …${excerpt(text, TOKEN)}…`);
      assert(!text.includes(HEADER_SECRET), `${what} shows a secret header value`);
    }
    const shown = (p: string) => answers.find(([what]) => what === p)![1];
    for (
      const p of [
        `/v1/flows/${flowId}`,
        `/v1/flows/${flowId}/versions/1`,
        `/v1/flows/action-templates/${templateId}`,
        `/v1/flows/${flowId}/executions/${executionId}`,
        `POST /v1/flows/${flowId}/test`,
        `/flows/${flowId}`,
      ]
    ) {
      assert(shown(p).includes(shownUrl), `${p} does not show the host: ${shownUrl}`);
    }
  });

  await t.step("a step recorded with its URL by an older gateway shows none either", async () => {
    const url = `${sink.url}${path("direct")}`;
    h.deps.flows.executions.recordStep(executionId, {
      stepId: "direct",
      status: "failed",
      outcome: "failure",
      input: { config: { url, format: "slack", message: "{flow_name} fired" } },
      output: { status: null, attempts: 1, url, error: `error sending request for url (${url})` },
      startedAt: 0,
      finishedAt: 0,
    });
    const shown = await h.request(`/v1/flows/${flowId}/executions/${executionId}`, {
      token: viewer,
    });
    const text = await shown.text();
    assert(!text.includes(TOKEN), `the old record shows a webhook URL: ${excerpt(text, TOKEN)}`);
    assertMatch(text, new RegExp(`error sending request for url \\(${RegExp.escape(shownUrl)}\\)`));
  });

  await t.step("a flow read and saved back unchanged keeps its URLs", async () => {
    const read = await call(h, admin, "GET", `/v1/flows/${flowId}`);
    const { id: _id, version: _v, builtin: _b, ...definition } = read.body;
    for (const key of ["created_at", "created_by", "updated_at", "updated_by"]) {
      delete definition[key];
    }
    const saved = await call(h, admin, "PUT", `/v1/flows/${flowId}`, definition);
    assertEquals(saved.status, 200, JSON.stringify(saved.body));
    assertEquals(saved.body.version, 2);
    assertEquals(storedUrl(flowId, "direct"), `${sink.url}${path("direct")}`);
    assertEquals(
      JSON.parse(
        (h.deps.db.prepare("SELECT config FROM flow_steps WHERE flow_id = ? AND step_id = 'each'")
          .get(flowId) as { config: string }).config,
      ).action.config.url,
      `${sink.url}${path("each")}`,
    );
    await run(flowId);
    const [, again] = await sink.waitFor(2, { path: path("direct") });
    assertEquals(again!.headers["x-api-key"], HEADER_SECRET, "the secret header was kept too");
    await sink.waitFor(2, { path: path("each") });
  });

  await t.step("a template read and saved back unchanged keeps its URL", async () => {
    const read = await call(h, admin, "GET", `/v1/flows/action-templates/${templateId}`);
    assertEquals(read.body.config.url, shownUrl);
    const { name, description, type, config } = read.body;
    const saved = await call(h, admin, "PUT", `/v1/flows/action-templates/${templateId}`, {
      name,
      description,
      type,
      config,
    });
    assertEquals(saved.status, 200, JSON.stringify(saved.body));
    await run(flowId);
    await sink.waitFor(3, { path: path("template") });
  });

  await t.step("a new URL replaces the stored one", async () => {
    const read = await call(h, admin, "GET", `/v1/flows/${flowId}`);
    const steps = read.body.steps.map((s: { id: string; config: Record<string, unknown> }) =>
      s.id === "direct" ? { ...s, config: { ...s.config, url: `${sink.url}${path("moved")}` } } : s
    );
    const saved = await call(h, admin, "PUT", `/v1/flows/${flowId}`, {
      name: read.body.name,
      steps,
      edges: read.body.edges,
    });
    assertEquals(saved.status, 200, JSON.stringify(saved.body));
    assertEquals(storedUrl(flowId, "direct"), `${sink.url}${path("moved")}`);
    const toOld = () => sink.requests.filter((r) => r.path === path("direct")).length;
    const before = toOld();
    await run(flowId);
    await sink.waitFor(1, { path: path("moved") });
    assertEquals(toOld(), before, "the old URL got the new run's webhook");
  });

  await t.step("a masked URL where none is stored is refused, naming the field", async () => {
    const original = flow(templateId);
    const copy = {
      ...original,
      name: "Copy of pump alarm",
      steps: original.steps.map((s) =>
        s.id === "direct" ? { ...s, config: { ...s.config, url: shownUrl } } : s
      ),
    };
    const refused = await call(h, admin, "POST", "/v1/flows", copy);
    assertEquals(refused.status, 400);
    assertEquals(refused.body.error.details[0].path, "body.steps.direct.config.url");
    assertMatch(refused.body.error.message, /is how a stored URL is shown/);

    const badTemplate = await call(h, admin, "POST", "/v1/flows/action-templates", {
      ...template,
      name: "Copy",
      config: { ...template.config, url: shownUrl },
    });
    assertEquals(badTemplate.status, 400);
    assertEquals(badTemplate.body.error.details[0].path, "body.config.url");
  });

  await t.step("the metadata marks the URL write-only", async () => {
    const { body } = await call(h, viewer, "GET", "/v1/flows/metadata");
    const webhook = body.step_types.find((s: { type: string }) => s.type === "webhook_out");
    assertEquals(webhook.config_schema.properties.url.writeOnly, true);
    assertEquals(webhook.config_schema.properties.secret_headers.writeOnly, true);
  });
});

/** A few characters around `needle` in `text`, to say where a leak is. */
function excerpt(text: string, needle: string): string {
  const at = text.indexOf(needle);
  return text.slice(Math.max(0, at - 80), at + needle.length + 20);
}
