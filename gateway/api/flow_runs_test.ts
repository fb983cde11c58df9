import { assert, assertEquals, assertMatch } from "../../lib/testing/assert.ts";
import { MAX_TRIGGER_CONTEXT_BYTES } from "../../lib/schemas/flows_api.ts";
import { createHarness, type Harness } from "../testing/harness.ts";

async function waitForExecution(h: Harness, flowId: number, executionId: number, token: string) {
  // The execution runs asynchronously; poll its record (bounded).
  for (let i = 0; i < 200; i++) {
    const e = await (await h.request(`/v1/flows/${flowId}/executions/${executionId}`, { token }))
      .json();
    if (e.status !== "running") return e;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("execution did not finish");
}

Deno.test("running flows", async (t) => {
  await using h = await createHarness();
  const operator = await h.tokenFor("operator");
  const enrolled = await (await h.request("/v1/enroll", {
    method: "POST",
    json: {
      join_token: await h.joinToken(),
      hardware: { serial: "FLOWRUN01" },
      hostname: "pump-house",
    },
  })).json();
  // The node reports a hot SoC.
  await h.request("/v1/telemetry", {
    method: "POST",
    token: enrolled.agent_token,
    json: {
      node_id: enrolled.node_id,
      epoch: "e",
      batch_seq: 1,
      samples: [{ metric: "soc.temp", ts: h.clock.now() - 1000, value: 47.5, unit: "°C" }],
    },
  });
  const flow = await (await h.request("/v1/flows", {
    method: "POST",
    token: operator,
    json: {
      name: "check pump",
      steps: [
        { id: "t", type: "manual", config: { payload_fields: ["reason"] } },
        {
          id: "hot",
          type: "threshold",
          config: { node: enrolled.node_id, metric: "soc.temp", operator: ">", value: 45 },
        },
        { id: "cool", type: "cooldown", config: { duration_s: 600 } },
        {
          id: "raise",
          type: "alert",
          config: { severity: "critical", message: "{flow_name}: {payload.reason}" },
        },
        { id: "fine", type: "alert", config: { severity: "info", message: "all fine" } },
      ],
      edges: [
        { from: "t", to: "hot" },
        { from: "hot", to: "cool", branch: "true" },
        { from: "cool", to: "raise", branch: "true" },
        { from: "hot", to: "fine", branch: "false" },
      ],
    },
  })).json();

  await t.step(
    "metric preview shows a metric's latest value and range to choose a threshold",
    async () => {
      const res = await h.request(
        `/v1/flows/metric-preview?metric=soc.temp&node=${enrolled.node_id}`,
        {
          token: operator,
        },
      );
      const body = await res.json();
      assertEquals([
        body.unit,
        body.series[0].latest.value,
        body.series[0].max,
        body.series[0].count,
      ], [
        "°C",
        47.5,
        47.5,
        1,
      ]);
    },
  );

  let firstExecution = 0;
  await t.step(
    "a manual trigger runs the graph and raises the alert on the taken branch",
    async () => {
      const res = await h.request(`/v1/flows/${flow.id}/trigger`, {
        method: "POST",
        token: operator,
        json: { payload: { reason: "inspection" } },
      });
      assertEquals(res.status, 202);
      firstExecution = (await res.json()).execution_id;
      const e = await waitForExecution(h, flow.id, firstExecution, operator);
      assertEquals(e.status, "succeeded");
      const path = Object.fromEntries(
        e.steps.map((s: { step_id: string; status: string }) => [s.step_id, s.status]),
      );
      assertEquals(path, {
        t: "succeeded",
        hot: "succeeded",
        cool: "succeeded",
        raise: "succeeded",
        fine: "skipped",
      });
      assertEquals(
        e.steps.find((s: { step_id: string }) => s.step_id === "hot").output.value,
        47.5,
      );
      const alerts = await (await h.request("/v1/alerts", { token: operator })).json();
      assertEquals(
        alerts.alerts.map((a: { message: string; severity: string }) => [a.message, a.severity]),
        [
          ["check pump: inspection", "critical"],
        ],
      );
    },
  );

  await t.step(
    "the cooldown holds a second run back, and the alert is not raised twice",
    async () => {
      const res = await h.request(`/v1/flows/${flow.id}/trigger`, {
        method: "POST",
        token: operator,
        json: { payload: { reason: "again" } },
      });
      const e = await waitForExecution(h, flow.id, (await res.json()).execution_id, operator);
      const cool = e.steps.find((s: { step_id: string }) => s.step_id === "cool");
      assertEquals([
        cool.outcome,
        e.steps.find((s: { step_id: string }) => s.step_id === "raise").status,
      ], [
        "false",
        "skipped",
      ]);
      assertEquals(
        (await (await h.request("/v1/alerts", { token: operator })).json()).alerts.length,
        1,
      );
    },
  );

  await t.step("a missing declared payload field is refused", async () => {
    const res = await h.request(`/v1/flows/${flow.id}/trigger`, {
      method: "POST",
      token: operator,
      json: {},
    });
    assertEquals(res.status, 400);
    assertEquals((await res.json()).error.details[0].path, "body.payload.reason");
  });

  await t.step("a payload or sample context past 16 KiB is refused, naming the limit", async () => {
    const executions = () => h.deps.db.prepare("SELECT count(*) AS n FROM flow_executions").get();
    const before = executions();
    const big = "x".repeat(MAX_TRIGGER_CONTEXT_BYTES);
    for (
      const [route, json, path] of [
        ["trigger", { payload: { reason: big } }, "body.payload"],
        ["test", { context: { "payload.reason": big } }, "body.context"],
      ] as const
    ) {
      const res = await h.request(`/v1/flows/${flow.id}/${route}`, {
        method: "POST",
        token: operator,
        json,
      });
      const { error } = await res.json();
      assertEquals([res.status, error.details[0].path], [400, path]);
      assertMatch(error.details[0].message, /at most 16384 bytes/);
    }
    assertEquals(executions(), before);
  });

  await t.step("a dry run shows the path and changes nothing", async () => {
    const before = h.deps.db.prepare("SELECT count(*) AS n FROM flow_alerts").get();
    await h.clock.tick(601_000);
    const res = await h.request(`/v1/flows/${flow.id}/test`, {
      method: "POST",
      token: operator,
      json: { context: { "payload.reason": "what if" } },
    });
    const e = await res.json();
    assertEquals(e.dry_run, true);
    assertEquals(e.steps.find((s: { step_id: string }) => s.step_id === "raise").output, {
      would_raise: { severity: "critical", message: "check pump: what if" },
    });
    assertEquals(h.deps.db.prepare("SELECT count(*) AS n FROM flow_alerts").get(), before);
    const cooldown = h.deps.db.prepare("SELECT until FROM flow_cooldowns").get() as {
      until: number;
    };
    assert(cooldown.until < h.clock.now(), "the dry run did not extend the cooldown");
  });

  await t.step(
    "alerts are acknowledged and resolved by operators, and show in events",
    async () => {
      const [alert] = (await (await h.request("/v1/alerts", { token: operator })).json()).alerts;
      const viewer = await h.tokenFor("viewer");
      assertEquals(
        (await h.request(`/v1/alerts/${alert.id}/acknowledge`, { method: "POST", token: viewer }))
          .status,
        403,
      );
      const ack = await (await h.request(`/v1/alerts/${alert.id}/acknowledge`, {
        method: "POST",
        token: operator,
      }))
        .json();
      assertEquals([ack.status, ack.acknowledged_by], ["acknowledged", "token:test-operator"]);
      const resolved = await (await h.request(`/v1/alerts/${alert.id}/resolve`, {
        method: "POST",
        token: operator,
      }))
        .json();
      assertEquals(resolved.status, "resolved");
      const types = h.deps.events.query({ types: ["alert_raised", "alert_resolved"] }).map((e) =>
        e.type
      );
      assertEquals(types, ["alert_resolved", "alert_raised"]);
    },
  );

  await t.step("history lists executions; a restart marks running ones interrupted", async () => {
    const list = await (await h.request(`/v1/flows/${flow.id}/executions`, { token: operator }))
      .json();
    assertEquals(list.executions.length, 3);
    h.deps.db.prepare("UPDATE flow_executions SET status = 'running' WHERE id = ?").run(
      firstExecution,
    );
    assertEquals(h.deps.flows.recover(), 1);
    const e = await (await h.request(`/v1/flows/${flow.id}/executions/${firstExecution}`, {
      token: operator,
    })).json();
    assertEquals(e.status, "interrupted");
  });

  await t.step("only flows with a manual trigger can be triggered", async () => {
    const other = await (await h.request("/v1/flows", {
      method: "POST",
      token: operator,
      json: {
        name: "nightly",
        steps: [{ id: "t", type: "schedule", config: { cron: "0 3 * * *" } }, {
          id: "a",
          type: "alert",
          config: { message: "{flow_name}" },
        }],
        edges: [{ from: "t", to: "a" }],
      },
    })).json();
    const res = await h.request(`/v1/flows/${other.id}/trigger`, {
      method: "POST",
      token: operator,
      json: {},
    });
    assertEquals(res.status, 409);
  });
});

Deno.test("a silenced node's alerts are raised as silenced", async () => {
  await using h = await createHarness();
  const operator = await h.tokenFor("operator");
  const flow = await (await h.request("/v1/flows", {
    method: "POST",
    token: operator,
    json: {
      name: "ping",
      steps: [{ id: "t", type: "manual", config: {} }, {
        id: "a",
        type: "alert",
        config: { message: "ping" },
      }],
      edges: [{ from: "t", to: "a" }],
    },
  })).json();
  const silence = await h.request("/v1/silences", {
    method: "POST",
    token: operator,
    json: { target: "flow", value: String(flow.id), reason: "maintenance", duration_s: 600 },
  });
  assertEquals(silence.status, 201);
  const started = await (await h.request(`/v1/flows/${flow.id}/trigger`, {
    method: "POST",
    token: operator,
    json: {},
  }))
    .json();
  await waitForExecution(h, flow.id, started.execution_id, operator);
  const alerts = await (await h.request("/v1/alerts", { token: operator })).json();
  assertEquals(alerts.alerts[0].silenced, true);
  const list = await (await h.request("/v1/silences", { token: operator })).json();
  assertEquals(list.silences[0].active, true);
});
