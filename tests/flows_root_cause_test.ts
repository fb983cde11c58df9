/**
 * Root-cause alert suppression over the gateway API: a chain gateway → A →
 * B, C and a node D that hears both A and the gateway. When A goes offline,
 * the offline alerts of B and C are grouped under A's, whichever came first,
 * and their webhooks are suppressed; D stands alone. When A is back, a child
 * still offline stands alone again, and the page held back for it goes out.
 */
import { assertEquals } from "../lib/testing/assert.ts";
import { sampleReport } from "../lib/testing/reports.ts";
import { createHarness, type Harness } from "../gateway/testing/harness.ts";
import { startWebhookSink } from "./_helpers/webhook_sink.ts";

interface TestNode {
  id: string;
  name: string;
  report: () => Promise<void>;
}

const mac = (i: number) => `02:00:00:00:00:${i.toString(16).padStart(2, "0")}`;

/** Enrolls a node whose reports carry one HaLow interface and links to `neighbours`. */
async function node(h: Harness, name: string, i: number, neighbours: number[]): Promise<TestNode> {
  const res = await h.request("/v1/enroll", {
    method: "POST",
    json: {
      join_token: await h.joinToken(),
      hardware: { serial: `RC${i.toString().padStart(8, "0")}` },
      hostname: name,
    },
  });
  const { node_id, agent_token } = await res.json();
  const report = async () => {
    const r = await h.request(`/v1/nodes/${node_id}/report`, {
      method: "POST",
      token: agent_token,
      json: sampleReport({
        hostname: name,
        interfaces: [{ name: "wlan1", kind: "halow", mac: mac(i), addresses: [], up: true }],
        links: neighbours.map((n) => ({
          iface: "wlan1",
          neighbor_mac: mac(n),
          tq: 200,
          last_seen_ms: 300,
        })),
      }),
    });
    await r.body?.cancel();
    assertEquals(r.status, 200, `report of ${name}`);
  };
  await report();
  return { id: node_id, name, report };
}

/** What the offline monitor does when a node misses its reports. */
function goOffline(h: Harness, n: TestNode): void {
  h.deps.events.atomically(() => {
    h.deps.db.prepare("UPDATE nodes SET status = 'offline' WHERE id = ?").run(n.id);
    h.deps.events.record("offline", n.id, `${n.name} is offline`);
  });
}

/** Waits until no flow execution is running. */
async function settle(h: Harness): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { running } = h.deps.db.prepare(
      "SELECT count(*) AS running FROM flow_executions WHERE status = 'running'",
    ).get() as { running: number };
    if (running === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error("flow executions did not finish");
}

interface Alert {
  id: number;
  node_name: string;
  status: string;
  parent_id: number | null;
  children: number[];
  execution_id: number;
}

Deno.test("offline alerts behind an offline node are grouped under its alert", async (t) => {
  await using sink = await startWebhookSink();
  await using h = await createHarness();
  const admin = await h.tokenFor("admin");
  const viewer = await h.tokenFor("viewer");

  const gw = await node(h, "gw", 1, []);
  h.deps.db.prepare("UPDATE nodes SET role = 'gateway' WHERE id = ?").run(gw.id);
  const a = await node(h, "a", 2, [1]);
  const b = await node(h, "b", 3, [2]);
  const c = await node(h, "c", 4, [2]);
  const d = await node(h, "d", 5, [2, 1]);

  const created = await h.request("/v1/flows", {
    method: "POST",
    token: admin,
    json: {
      name: "Page on offline",
      steps: [
        { id: "offline", type: "node_event", config: { events: ["offline"] } },
        {
          id: "alert",
          type: "alert",
          config: { severity: "critical", message: "{node_name} is offline" },
        },
        {
          id: "page",
          type: "webhook_out",
          config: { url: `${sink.url}/page`, format: "slack", message: "{node_name} is offline" },
        },
      ],
      edges: [{ from: "offline", to: "alert" }, { from: "alert", to: "page" }],
    },
  });
  assertEquals(created.status, 201);
  const flow = await created.json();

  const alerts = async (query = "") => {
    const res = await h.request(`/v1/alerts${query}`, { token: viewer });
    assertEquals(res.status, 200);
    const body = await res.json() as { alerts: Alert[] };
    return new Map(body.alerts.map((x) => [x.node_name, x]));
  };
  const paged = () => sink.requests.map((r) => JSON.parse(r.body).text as string).sort();
  const stepOutput = async (executionId: number, stepId: string) => {
    const res = await h.request(`/v1/flows/${flow.id}/executions/${executionId}`, {
      token: viewer,
    });
    const execution = await res.json() as { steps: { step_id: string; output: unknown }[] };
    return execution.steps.find((s) => s.step_id === stepId)?.output;
  };

  await t.step("the relay's alert first: B and C go under it, D stands alone", async () => {
    goOffline(h, a);
    await settle(h);
    for (const n of [b, c, d]) goOffline(h, n);
    await settle(h);
    const open = await alerts();
    const root = open.get("a")!;
    assertEquals([root.parent_id, root.children], [null, [open.get("b")!.id, open.get("c")!.id]]);
    assertEquals([open.get("b")!.parent_id, open.get("c")!.parent_id], [root.id, root.id]);
    assertEquals([open.get("d")!.parent_id, open.get("d")!.children], [null, []]);
    assertEquals([...(await alerts("?top_level=true")).keys()].sort(), ["a", "d"]);
  });

  await t.step("grouped children send no webhook, and their executions say why", async () => {
    assertEquals(paged(), ["a is offline", "d is offline"]);
    const open = await alerts();
    const output = await stepOutput(open.get("b")!.execution_id, "page") as Record<string, unknown>;
    assertEquals([output.suppressed, output.grouped_under], ["grouped", open.get("a")!.id]);
    assertEquals(
      (await stepOutput(open.get("c")!.execution_id, "alert") as Record<string, unknown>)
        .grouped_under,
      open.get("a")!.id,
    );
  });

  await t.step("when the relay is back, a child still offline stands alone", async () => {
    await c.report();
    await a.report();
    await settle(h);
    const all = await alerts("?status=open,acknowledged,resolved");
    assertEquals(
      [all.get("a")!.status, all.get("c")!.status, all.get("b")!.status],
      ["resolved", "resolved", "open"],
    );
    assertEquals(all.get("b")!.parent_id, null);
    assertEquals([...(await alerts("?top_level=true")).keys()].sort(), ["b", "d"]);
  });

  await t.step("the page held back for a child that now stands alone goes out, once", async () => {
    const b = (await alerts()).get("b")!;
    assertEquals(paged(), ["a is offline", "b is offline", "d is offline"]);
    const res = await h.request(`/v1/flows/${flow.id}/executions`, { token: viewer });
    const { executions } = await res.json() as {
      executions: { id: number; trigger_type: string; trigger_context: Record<string, unknown> }[];
    };
    const ungrouped = executions.filter((e) => e.trigger_type === "ungrouped");
    assertEquals(ungrouped.map((e) => [e.trigger_context.alert_id, e.trigger_context.node_name]), [
      [b.id, "b"],
    ]);
    const output = await stepOutput(ungrouped[0]!.id, "page") as Record<string, unknown>;
    assertEquals(output.status, 200);
    // Grouped under a root again and released again: nothing more is sent for it.
    goOffline(h, a);
    await settle(h);
    assertEquals((await alerts()).get("b")!.parent_id, (await alerts()).get("a")!.id);
    await a.report();
    await settle(h);
    assertEquals((await alerts()).get("b")!.parent_id, null);
    assertEquals(paged(), ["a is offline", "a is offline", "b is offline", "d is offline"]);
  });

  await t.step(
    "the children's alerts first: they are grouped when the relay's arrives",
    async () => {
      for (const n of [b, d]) await n.report();
      await settle(h);
      assertEquals((await alerts()).size, 0);
      const sentBefore = sink.requests.length;
      goOffline(h, b);
      await settle(h);
      assertEquals((await alerts()).get("b")!.parent_id, null);
      goOffline(h, a);
      await settle(h);
      goOffline(h, c);
      goOffline(h, d);
      await settle(h);
      const open = await alerts();
      const root = open.get("a")!;
      assertEquals(root.children, [open.get("b")!.id, open.get("c")!.id]);
      assertEquals([open.get("b")!.parent_id, open.get("c")!.parent_id], [root.id, root.id]);
      assertEquals(open.get("d")!.parent_id, null);
      // B paged before A was known to be down; C, raised after, did not.
      assertEquals(
        sink.requests.slice(sentBefore).map((r) => JSON.parse(r.body).text).sort(),
        ["a is offline", "b is offline", "d is offline"],
      );
    },
  );
});

Deno.test("for_each_node over event_nodes reaches the nodes behind an offline relay", async () => {
  await using sink = await startWebhookSink();
  await using h = await createHarness();
  const admin = await h.tokenFor("admin");
  const gw = await node(h, "gw", 1, []);
  h.deps.db.prepare("UPDATE nodes SET role = 'gateway' WHERE id = ?").run(gw.id);
  const a = await node(h, "a", 2, [1]);
  await node(h, "b", 3, [2]);
  await node(h, "c", 4, [2]);
  await node(h, "d", 5, [2, 1]);
  const created = await h.request("/v1/flows", {
    method: "POST",
    token: admin,
    json: {
      name: "Cut off",
      steps: [
        { id: "offline", type: "node_event", config: { events: ["offline"] } },
        {
          id: "each",
          type: "for_each_node",
          config: {
            selector: { kind: "event_nodes" },
            action: {
              type: "webhook_out",
              config: { url: `${sink.url}/cut`, format: "slack", message: "{node_name} cut off" },
            },
          },
        },
      ],
      edges: [{ from: "offline", to: "each" }],
    },
  });
  assertEquals(created.status, 201);
  goOffline(h, a);
  await settle(h);
  assertEquals(
    sink.requests.map((r) => JSON.parse(r.body).text).sort(),
    ["a cut off", "b cut off", "c cut off"],
  );
});
