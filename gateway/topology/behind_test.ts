import { assertEquals } from "../../lib/testing/assert.ts";
import { nodesBehind } from "./behind.ts";
import type { TopoLink, TopoNode } from "./compute.ts";

const node = (id: string, status: TopoNode["status"] = "online"): TopoNode => ({
  id,
  name: id,
  role: id === "gw" ? "gateway" : "node",
  status,
});
const link = (from: string, to: string, last_seen_ms = 500): TopoLink => ({
  from,
  to,
  iface: "wlan1",
  tq: 200,
  throughput_kbps: null,
  signal_dbm: null,
  last_seen_ms,
  updated_at: 0,
});

Deno.test("nodesBehind()", async (t) => {
  // gw → a → b, c; d hears both a and gw; e hangs off b.
  const nodes = ["gw", "a", "b", "c", "d", "e"].map((id) => node(id));
  const links = [
    link("a", "gw"),
    link("b", "a"),
    link("c", "a"),
    link("d", "a"),
    link("d", "gw"),
    link("e", "b"),
  ];
  const behind = (id: string, n = nodes, l = links) => [...nodesBehind(n, l, id)].sort();

  await t.step("names the nodes whose only way to the gateway is through the node", () => {
    assertEquals(behind("a"), ["b", "c", "e"]);
    assertEquals(behind("b"), ["e"]);
    assertEquals(behind("c"), []);
  });

  await t.step("leaves out a node with a redundant path", () => {
    assertEquals(behind("a").includes("d"), false);
    assertEquals(behind("d"), []);
  });

  await t.step("uses the last known links whatever the nodes' status", () => {
    const down = nodes.map((n) => (n.id === "gw" ? n : node(n.id, "offline")));
    assertEquals(behind("a", down), ["b", "c", "e"]);
  });

  await t.step("ignores neighbours not heard at the time of the report", () => {
    assertEquals(behind("a", nodes, [...links.slice(0, 5), link("e", "b", 60_000)]), ["b", "c"]);
  });

  await t.step("is empty for the gateway, an unknown node, or without a gateway", () => {
    assertEquals(behind("gw"), []);
    assertEquals(behind("zz"), []);
    assertEquals(behind("a", nodes.filter((n) => n.id !== "gw")), []);
  });
});
