import { assertEquals } from "../../lib/testing/assert.ts";
import { sampleReport } from "../../lib/testing/reports.ts";
import { flushLiveState } from "../nodes/apply_report.ts";
import { createHarness, type Harness } from "../testing/harness.ts";

async function enrollAndReport(
  h: Harness,
  name: string,
  mac: string,
  links: { to: string; tq: number }[],
) {
  const join = await h.joinToken();
  const res = await h.request("/v1/enroll", {
    method: "POST",
    json: {
      join_token: join,
      hardware: { serial: `SER${name.toUpperCase().replace(/-/g, "")}` },
      hostname: name,
    },
  });
  const { node_id, agent_token } = await res.json();
  const send = (tq?: number) =>
    h.request(`/v1/nodes/${node_id}/report`, {
      method: "POST",
      token: agent_token,
      json: sampleReport({
        interfaces: [{ name: "wlan1", kind: "halow", mac, addresses: [], up: true }],
        links: links.map((l) => ({
          iface: "wlan1",
          neighbor_mac: l.to,
          tq: tq ?? l.tq,
          last_seen_ms: 200,
        })),
      }),
    });
  return { node_id, send };
}

Deno.test("GET /v1/topology and link history", async (t) => {
  await using h = await createHarness();
  const viewer = await h.tokenFor("viewer");
  const gw = await enrollAndReport(h, "gw", "02:00:00:00:00:01", []);
  h.deps.db.prepare("UPDATE nodes SET role = 'gateway' WHERE id = ?").run(gw.node_id);
  const relay = await enrollAndReport(h, "relay", "02:00:00:00:00:02", [{
    to: "02:00:00:00:00:01",
    tq: 230,
  }]);
  const leaf = await enrollAndReport(h, "leaf", "02:00:00:00:00:03", [{
    to: "02:00:00:00:00:02",
    tq: 200,
  }]);
  for (const n of [gw, relay, leaf]) assertEquals((await n.send()).status, 200);

  await t.step("gives every node its path and hop count to the gateway", async () => {
    const topo = await (await h.request("/v1/topology", { token: viewer })).json();
    const byName = Object.fromEntries(topo.nodes.map((n: { name: string }) => [n.name, n]));
    assertEquals(topo.gateway_id, gw.node_id);
    assertEquals([byName.gw.hops, byName.relay.hops, byName.leaf.hops], [0, 1, 2]);
    assertEquals(byName.leaf.path, [leaf.node_id, relay.node_id, gw.node_id]);
    assertEquals(topo.links.length, 2);
  });

  await t.step("shows link metrics from the newest report before they are flushed", async () => {
    await h.clock.tick(10_000);
    await leaf.send(150);
    const stored = h.deps.db.prepare("SELECT tq FROM mesh_links WHERE node_id = ?").get(
      leaf.node_id,
    );
    assertEquals({ ...stored }, { tq: 200 });
    const topo = await (await h.request("/v1/topology", { token: viewer })).json();
    assertEquals(topo.links.find((l: { from: string }) => l.from === leaf.node_id).tq, 150);
  });

  await t.step("keeps at most one history point per link per minute", async () => {
    flushLiveState(h.deps);
    await h.clock.tick(55_000);
    await leaf.send();
    flushLiveState(h.deps);
    const hist =
      await (await h.request(`/v1/topology/links/${leaf.node_id}/${relay.node_id}/history`, {
        token: viewer,
      })).json();
    assertEquals(hist.points.length, 2);
    assertEquals(hist.points[0].tq, 200);
  });

  await t.step("a relay going offline leaves the leaf unreachable", async () => {
    h.deps.db.prepare("UPDATE nodes SET status = 'offline' WHERE id = ?").run(relay.node_id);
    const topo = await (await h.request("/v1/topology", { token: viewer })).json();
    const leafNode = topo.nodes.find((n: { id: string }) => n.id === leaf.node_id);
    assertEquals([leafNode.reachable, leafNode.hops], [false, null]);
  });
});
