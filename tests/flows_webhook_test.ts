/**
 * The `webhook_out` action against a real HTTP server on loopback: the
 * payload shapes as a receiver sees them, retries after a 500, a receiver
 * that never answers, and secret headers that arrive but are never shown —
 * first through the runner, then through the gateway's API.
 */
import { assert, assertEquals, assertStringIncludes } from "../lib/testing/assert.ts";
import { systemClock } from "../lib/clock.ts";
import { fetchHttpClient } from "../lib/http_client.ts";
import type { StepInput, StepResult } from "../gateway/flows/engine.ts";
import { webhookRunner } from "../gateway/flows/runners/webhook.ts";
import { createHarness } from "../gateway/testing/harness.ts";
import { startWebhookSink } from "./_helpers/webhook_sink.ts";

const SECRET = `halo-secret-${crypto.randomUUID()}`;
const HOSTILE_NAME = `pump "7" {node_id} \\ }]} '`;
const RETRY_BASE_MS = 50;

const runner = webhookRunner({
  http: fetchHttpClient,
  clock: systemClock,
  silenced: () => false,
  retryBaseMs: RETRY_BASE_MS,
});

function send(config: Record<string, unknown>): Promise<StepResult> {
  const input: StepInput = {
    step: { id: "notify", type: "webhook_out", config },
    execution: { flowId: 1, flowName: "Cold room", executionId: 1, dryRun: false },
    context: {
      node_id: "n-00000000000a",
      node_name: HOSTILE_NAME,
      metric: "soc.temp",
      value: 47.5,
      threshold: 45,
      operator: ">",
    },
    prevResult: { alert_id: 12, message: 'said "hot"' },
    signal: new AbortController().signal,
  };
  return runner(input);
}

Deno.test("webhook_out against a real HTTP server", async (t) => {
  await using sink = await startWebhookSink();

  await t.step("a Slack webhook receives an incoming-webhook JSON body", async () => {
    const result = await send({
      url: `${sink.url}/hooks/slack`,
      format: "slack",
      message: "{node_name}: {metric} is {value} ({operator} {threshold})",
    });
    assertEquals(result.outcome, "success");
    const [request] = await sink.waitFor(1, { path: "/hooks/slack" });
    assertEquals([request!.method, request!.headers["content-type"]], ["POST", "application/json"]);
    assertEquals(JSON.parse(request!.body), {
      text: `${HOSTILE_NAME}: soc.temp is 47.5 (> 45)`,
    });
  });

  await t.step("a JSON body template with braces and quotes arrives as valid JSON", async () => {
    const result = await send({
      url: `${sink.url}/hooks/json`,
      body: `{"title": "Alert for {node_name} \\"now\\"", "node": {node_name},
        "reading": {"value": {value}, "limit": {threshold}}, "literal": "{ } [ ]",
        "prev": {prev_result}}`,
    });
    assertEquals(result.outcome, "success");
    const [request] = await sink.waitFor(1, { path: "/hooks/json" });
    assertEquals(JSON.parse(request!.body), {
      title: `Alert for ${HOSTILE_NAME} "now"`,
      node: HOSTILE_NAME,
      reading: { value: 47.5, limit: 45 },
      literal: "{ } [ ]",
      prev: { alert_id: 12, message: 'said "hot"' },
    });
  });

  await t.step("a Teams webhook receives an Adaptive Card", async () => {
    await send({ url: `${sink.url}/hooks/teams`, format: "teams", message: "{node_name} hot" });
    const [request] = await sink.waitFor(1, { path: "/hooks/teams" });
    const card = JSON.parse(request!.body).attachments[0];
    assertEquals(card.contentType, "application/vnd.microsoft.card.adaptive");
    assertEquals(card.content.body[1].text, `${HOSTILE_NAME} hot`);
  });

  await t.step("a 500 is retried after a backoff and the 200 that follows succeeds", async () => {
    sink.respond({ status: 500, body: "try later" }, { path: "/hooks/flaky", times: 1 });
    const result = await send({ url: `${sink.url}/hooks/flaky`, body: "{}", retries: 3 });
    assertEquals(result, {
      outcome: "success",
      output: { status: 200, body: "ok", attempts: 2, url: `${sink.url}/…` },
    });
    const [first, second] = await sink.waitFor(2, { path: "/hooks/flaky" });
    assert(
      second!.receivedAt - first!.receivedAt >= RETRY_BASE_MS,
      `retried after ${second!.receivedAt - first!.receivedAt} ms`,
    );
  });

  await t.step("a 404 fails at once", async () => {
    sink.respond({ status: 404, body: "no such hook" }, { path: "/hooks/gone" });
    const result = await send({ url: `${sink.url}/hooks/gone`, body: "{}", retries: 3 });
    assertEquals(result.outcome, "failure");
    assertEquals((result.output as { status: number }).status, 404);
    assertEquals(sink.requests.filter((r) => r.path === "/hooks/gone").length, 1);
  });

  await t.step("a 429 or 503 with Retry-After in seconds is retried that much later", async () => {
    sink.respond({ status: 429, body: "slow down", headers: { "retry-after": "1" } }, {
      path: "/hooks/busy",
      times: 1,
    });
    const result = await send({ url: `${sink.url}/hooks/busy`, body: "{}", retries: 2 });
    assertEquals(result.outcome, "success");
    const [first, second] = await sink.waitFor(2, { path: "/hooks/busy" });
    const waited = second!.receivedAt - first!.receivedAt;
    assert(waited >= 950, `retried after ${waited} ms, not the 1 s asked (backoff is 50 ms)`);
  });

  await t.step("a Retry-After HTTP date is honoured too", async () => {
    // Whole seconds, as HTTP dates have: at least one full second from now.
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
    sink.respond({ status: 503, headers: { "retry-after": at.toUTCString() } }, {
      path: "/hooks/maintenance",
      times: 1,
    });
    const result = await send({ url: `${sink.url}/hooks/maintenance`, body: "{}", retries: 1 });
    assertEquals(result.outcome, "success");
    const [, second] = await sink.waitFor(2, { path: "/hooks/maintenance" });
    assert(second!.receivedAt >= at.getTime() - 50, "retried before the date it was given");
  });

  await t.step("a Retry-After beyond the step's budget ends it at once", async () => {
    sink.respond({ status: 503, headers: { "retry-after": "3600" } }, { path: "/hooks/down" });
    const started = Date.now();
    const result = await send({
      url: `${sink.url}/hooks/down`,
      body: "{}",
      retries: 2,
      timeout_s: 2,
    });
    const output = result.output as { status: number; attempts: number; error: string };
    assertEquals([result.outcome, output.status, output.attempts], ["failure", 503, 1]);
    assertStringIncludes(output.error, "retry after 3600 s (Retry-After), beyond the");
    assert(Date.now() - started < 2000, "it waited");
  });

  await t.step("a receiver that never answers times out each attempt, then fails", async () => {
    sink.respond({ hang: true }, { path: "/hooks/hang" });
    const started = Date.now();
    const result = await send({
      url: `${sink.url}/hooks/hang`,
      body: "{}",
      timeout_s: 1,
      retries: 1,
    });
    const took = Date.now() - started;
    assertEquals(result.outcome, "failure");
    assertEquals(result.output, {
      status: null,
      body: "",
      attempts: 2,
      url: `${sink.url}/…`,
      error: "no answer within 1 s",
    });
    assertEquals(sink.requests.filter((r) => r.path === "/hooks/hang").length, 2);
    // Two 1 s timeouts and a backoff: bounded well below the test's patience.
    assert(took >= 2000 && took < 10_000, `took ${took} ms`);
  });

  await t.step("a secret header arrives at the receiver but never in the output", async () => {
    sink.respond({ status: 200, body: `welcome, bearer ${SECRET}` }, { path: "/hooks/secret" });
    const result = await send({
      url: `${sink.url}/hooks/secret`,
      body: "{}",
      headers: { "X-Source": "halo" },
      secret_headers: { Authorization: `Bearer ${SECRET}` },
    });
    const [request] = await sink.waitFor(1, { path: "/hooks/secret" });
    assertEquals(request!.headers["authorization"], `Bearer ${SECRET}`);
    assertEquals(request!.headers["x-source"], "halo");
    assertEquals(result.outcome, "success");
    const shown = JSON.stringify(result);
    assert(!shown.includes(SECRET), shown);
    assertStringIncludes(shown, "welcome, bearer [secret]");
  });
});

Deno.test("webhook_out in a flow run over the gateway API", async (t) => {
  await using sink = await startWebhookSink();
  await using h = await createHarness();
  const operator = await h.tokenFor("operator");

  await t.step(
    "posts to the receiver and shows no secret in the flow or its execution",
    async () => {
      const created = await h.request("/v1/flows", {
        method: "POST",
        token: operator,
        json: {
          name: "notify ops",
          steps: [
            { id: "t", type: "manual", config: { payload_fields: ["reason"] } },
            {
              id: "hook",
              type: "webhook_out",
              config: {
                url: `${sink.url}/hooks/ops`,
                format: "slack",
                message: "{flow_name}: {payload.reason}",
                secret_headers: { "X-Api-Key": SECRET },
              },
            },
          ],
          edges: [{ from: "t", to: "hook" }],
        },
      });
      assertEquals(created.status, 201);
      const flow = await created.json();
      const triggered = await h.request(`/v1/flows/${flow.id}/trigger`, {
        method: "POST",
        token: operator,
        json: { payload: { reason: 'pump "7" stalled' } },
      });
      assertEquals(triggered.status, 202);
      const { execution_id } = await triggered.json();

      const [request] = await sink.waitFor(1, { path: "/hooks/ops" });
      assertEquals(JSON.parse(request!.body), { text: 'notify ops: pump "7" stalled' });
      assertEquals(request!.headers["x-api-key"], SECRET);

      let execution: { status: string; steps: { step_id: string; output: unknown }[] };
      for (let i = 0;; i++) {
        const res = await h.request(`/v1/flows/${flow.id}/executions/${execution_id}`, {
          token: operator,
        });
        execution = await res.json();
        if (execution.status !== "running") break;
        if (i > 200) throw new Error("the execution did not finish");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assertEquals(execution.status, "succeeded");
      assertEquals(execution.steps.find((s) => s.step_id === "hook")!.output, {
        status: 200,
        body: "ok",
        attempts: 1,
        url: `${sink.url}/…`,
      });
      const shown = JSON.stringify(execution) +
        await (await h.request(`/v1/flows/${flow.id}`, { token: operator })).text();
      assert(!shown.includes(SECRET), "a secret header value was shown");
    },
  );
});
