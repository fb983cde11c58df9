/**
 * Foundation benchmarks: what one node report costs end to end (HTTP handler,
 * validation, one transaction) and what topology costs at portal scale (200
 * nodes). Run with `deno task bench`.
 */
import { sampleReport } from "../lib/testing/reports.ts";
import { computeTopology, type TopoLink, type TopoNode } from "../gateway/topology/compute.ts";
import { createHarness } from "../gateway/testing/harness.ts";

const h = await createHarness();
const join = await h.joinToken(1000);
const agents: { id: string; token: string }[] = [];
for (let i = 0; i < 50; i++) {
  const res = await h.request("/v1/enroll", {
    method: "POST",
    json: {
      join_token: join,
      hardware: { serial: `BENCH${String(i).padStart(4, "0")}` },
      hostname: `n${i}`,
    },
  });
  const body = await res.json();
  agents.push({ id: body.node_id, token: body.agent_token });
}
let turn = 0;

Deno.bench("POST /v1/nodes/{id}/report (6 interfaces, 4 links, in-process)", async () => {
  const agent = agents[turn++ % agents.length]!;
  const res = await h.request(`/v1/nodes/${agent.id}/report`, {
    method: "POST",
    token: agent.token,
    json: sampleReport({
      interfaces: ["eth0", "wlan1", "bat0", "wg0", "eth1", "usb0"].map((name, i) => ({
        name,
        kind: "eth" as const,
        mac: `02:00:00:00:${String(turn % 100).padStart(2, "0")}:${String(i).padStart(2, "0")}`,
        addresses: [`198.18.${turn % 200}.${i + 1}/24`],
        up: true,
      })),
      links: [1, 2, 3, 4].map((i) => ({
        iface: "wlan1",
        neighbor_mac: `02:00:00:00:0${i}:01`,
        tq: 200,
        last_seen_ms: 100,
      })),
    }),
  });
  await res.body?.cancel();
});

const nodes: TopoNode[] = Array.from({ length: 200 }, (_, i) => ({
  id: `n${i}`,
  name: `n${i}`,
  role: i === 0 ? "gateway" : "node",
  status: "online",
}));
const links: TopoLink[] = nodes.slice(1).flatMap((n, i) => {
  // A tree with some cross links, like a real mesh.
  const parent = `n${Math.floor(i / 3)}`;
  const cross = `n${(i * 7) % 200}`;
  return [parent, cross].filter((to) => to !== n.id).map((to) => ({
    from: n.id,
    to,
    iface: "bat0",
    tq: 120 + (i % 130),
    throughput_kbps: null,
    signal_dbm: null,
    last_seen_ms: 100,
    updated_at: 0,
  }));
});

Deno.bench("computeTopology() with 200 nodes and ~400 links", () => {
  computeTopology(nodes, links, { now: 1000, staleAfterMs: 30_000 });
});
