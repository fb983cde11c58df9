import { assertEquals } from "../../lib/testing/assert.ts";
import { createHarness, type Harness } from "../testing/harness.ts";
import { markOverdueNodesOffline } from "../nodes/offline_monitor.ts";
import { sampleReport } from "../../lib/testing/reports.ts";
import { ensureBuiltinFlows } from "./builtin.ts";

async function settle(h: Harness) {
  // Flow executions run asynchronously; let them finish (bounded).
  for (let i = 0; i < 100; i++) {
    const running = h.deps.db.prepare(
      "SELECT count(*) AS n FROM flow_executions WHERE status = 'running'",
    ).get() as {
      n: number;
    };
    if (running.n === 0) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

Deno.test("flows fire on their triggers", async (t) => {
  await using h = await createHarness();
  const operator = await h.tokenFor("operator");
  const node = await (await h.request("/v1/enroll", {
    method: "POST",
    json: {
      join_token: await h.joinToken(),
      hardware: { serial: "TRIG00001" },
      hostname: "weather",
    },
  })).json();
  let seq = 0;
  const temp = (value: number) =>
    h.request("/v1/telemetry", {
      method: "POST",
      token: node.agent_token,
      json: {
        node_id: node.node_id,
        epoch: "e",
        batch_seq: seq++,
        samples: [{ metric: "soc.temp", ts: h.clock.now() - 100 + seq, value, unit: "°C" }],
      },
    });
  const alerts = () =>
    (h.deps.db.prepare("SELECT message, status FROM flow_alerts ORDER BY id").all() as {
      message: string;
      status: string;
    }[]).map((r) => ({ message: r.message, status: r.status }));

  await h.request("/v1/flows", {
    method: "POST",
    token: operator,
    json: {
      name: "hot",
      steps: [
        {
          id: "t",
          type: "sensor_value",
          config: { metric: "soc.temp", operator: ">", value: 45, hysteresis: 1 },
        },
        {
          id: "a",
          type: "alert",
          config: { message: "{node_name} {metric} hit {value} (threshold {threshold})" },
        },
      ],
      edges: [{ from: "t", to: "a" }],
    },
  });

  await t.step("a sensor_value crossing raises the alert at ingest, once", async () => {
    await temp(44);
    await temp(46.5);
    await temp(47);
    await settle(h);
    assertEquals(alerts(), [{
      message: "weather soc.temp hit 46.5 (threshold 45)",
      status: "open",
    }]);
  });

  await t.step("crossing back past the hysteresis resolves it", async () => {
    await temp(44.5);
    await settle(h);
    assertEquals(alerts()[0]!.status, "open");
    await temp(43.9);
    await settle(h);
    assertEquals(alerts()[0]!.status, "resolved");
  });

  await t.step(
    "the built-in offline flow alerts when a node goes offline and resolves when it is back",
    async () => {
      ensureBuiltinFlows(h.deps.db, h.clock.now());
      h.deps.triggers.reload();
      await h.request(`/v1/nodes/${node.node_id}/report`, {
        method: "POST",
        token: node.agent_token,
        json: sampleReport(),
      });
      await h.clock.tick(31_000);
      markOverdueNodesOffline(h.deps, h.clock.now(), 0);
      await settle(h);
      assertEquals(alerts().at(-1), { message: "Node weather is offline", status: "open" });
      await h.request(`/v1/nodes/${node.node_id}/report`, {
        method: "POST",
        token: node.agent_token,
        json: sampleReport(),
      });
      await settle(h);
      assertEquals(alerts().at(-1), { message: "Node weather is offline", status: "resolved" });
    },
  );

  await t.step("a schedule fires on the scheduler tick", async () => {
    await h.request("/v1/flows", {
      method: "POST",
      token: operator,
      json: {
        name: "every minute",
        steps: [
          { id: "t", type: "schedule", config: { cron: "* * * * *" } },
          {
            id: "a",
            type: "alert",
            config: { severity: "info", message: "{flow_name} at {fired_at}" },
          },
        ],
        edges: [{ from: "t", to: "a" }],
      },
    });
    await h.clock.tick(61_000);
    h.deps.triggers.tick();
    await settle(h);
    assertEquals(alerts().at(-1)!.message.startsWith("every minute at "), true);
  });
});
