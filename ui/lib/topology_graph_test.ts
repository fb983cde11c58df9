import { assertEquals } from "../../lib/testing/assert.ts";
import { buildGraph, edgeKey } from "./topology_graph.ts";
import type { Topology, TopologyLink, TopologyNode } from "./topology_types.ts";

const node = (id: string, status: TopologyNode["status"] = "online"): TopologyNode => ({
  id,
  name: id,
  role: id === "gw" ? "gateway" : "node",
  status,
  reachable: status === "online",
  hops: null,
  path: [],
  path_quality: null,
});
const link = (from: string, to: string, quality: number, live = true): TopologyLink => ({
  from,
  to,
  iface: "halow0",
  tq: Math.round(quality * 255),
  throughput_kbps: null,
  signal_dbm: null,
  quality,
  live,
  updated_at: "2026-11-23T12:00:00.000Z",
});
const topology = (nodes: TopologyNode[], links: TopologyLink[]): Topology => ({
  gateway_id: "gw",
  computed_at: "2026-11-23T12:00:00.000Z",
  nodes,
  links,
});

Deno.test("buildGraph() merges both directions of a link into one edge, rated by the worse", () => {
  const g = buildGraph(topology([node("gw"), node("a")], [
    link("a", "gw", 0.9),
    link("gw", "a", 0.6),
  ]));
  assertEquals(g.edges.map((e) => [e.key, e.quality]), [[edgeKey("gw", "a"), 0.6]]);
});

Deno.test("buildGraph() marks the nodes behind an offline relay with the one closest to the gateway", () => {
  // gw — r1 — r2 — leaf, with r1 and r2 offline; side is online beside gw.
  const g = buildGraph(topology(
    [
      node("gw"),
      node("r1", "offline"),
      node("r2", "offline"),
      { ...node("leaf"), reachable: false },
      node("side"),
    ],
    [
      link("r1", "gw", 0.9, false),
      link("r2", "r1", 0.9, false),
      link("leaf", "r2", 0.9, false),
      link("side", "gw", 0.5),
    ],
  ));
  const behind = Object.fromEntries(g.nodes.map((n) => [n.id, n.behind]));
  assertEquals(behind, { gw: null, r1: null, r2: "r1", leaf: "r1", side: null });
  const depth = Object.fromEntries(g.nodes.map((n) => [n.id, n.depth]));
  assertEquals(depth, { gw: 0, r1: 1, r2: 2, leaf: 3, side: 1 });
});

Deno.test("buildGraph() follows the best known path; a live fallback keeps a node unmarked", () => {
  // leaf reaches gw directly over a poor link, or over a good relay that is offline.
  const links = [
    link("leaf", "gw", 0.2, false),
    link("leaf", "relay", 0.9, false),
    link("relay", "gw", 0.9, false),
  ];
  const cut = buildGraph(topology(
    [node("gw"), node("relay", "offline"), { ...node("leaf"), reachable: false }],
    links,
  ));
  const leaf = cut.nodes.find((n) => n.id === "leaf")!;
  assertEquals([leaf.parent, leaf.behind], ["relay", "relay"]);
  const fallback = buildGraph(
    topology([node("gw"), node("relay", "offline"), node("leaf")], links),
  );
  assertEquals(fallback.nodes.find((n) => n.id === "leaf")!.behind, null);
});
