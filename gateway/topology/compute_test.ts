import { assertEquals } from "../../lib/testing/assert.ts";
import { computeTopology, type TopoLink, type TopoNode } from "./compute.ts";

const now = 1_000_000;
const node = (
  id: string,
  role: TopoNode["role"] = "node",
  status: TopoNode["status"] = "online",
): TopoNode => ({
  id,
  name: id,
  role,
  status,
});
const link = (
  from: string,
  to: string,
  tq: number | null,
  extra: Partial<TopoLink> = {},
): TopoLink => ({
  from,
  to,
  iface: "bat0",
  tq,
  throughput_kbps: null,
  signal_dbm: null,
  last_seen_ms: 500,
  updated_at: now - 1000,
  ...extra,
});

Deno.test("computeTopology()", async (t) => {
  const nodes = [node("gw", "gateway"), node("relay"), node("leaf-a"), node("leaf-b")];
  const opts = { now, staleAfterMs: 30_000 };

  await t.step("gives each node its hop count and path to the gateway", () => {
    const r = computeTopology(nodes, [
      link("relay", "gw", 240),
      link("leaf-a", "relay", 200),
      link("leaf-b", "relay", 180),
    ], opts);
    const byId = Object.fromEntries(r.nodes.map((n) => [n.id, n]));
    assertEquals(r.gatewayId, "gw");
    assertEquals(byId.gw!.hops, 0);
    assertEquals(byId.relay!.path, ["relay", "gw"]);
    assertEquals(byId["leaf-a"]!.hops, 2);
    assertEquals(byId["leaf-a"]!.path, ["leaf-a", "relay", "gw"]);
    assertEquals(
      Math.round(byId["leaf-a"]!.path_quality! * 1000),
      Math.round((200 / 255) * (240 / 255) * 1000),
    );
  });

  await t.step("prefers two good hops over one poor direct link, as batman-adv does", () => {
    const r = computeTopology(nodes, [
      link("relay", "gw", 250),
      link("leaf-a", "relay", 250),
      link("leaf-a", "gw", 40),
    ], opts);
    assertEquals(r.nodes.find((n) => n.id === "leaf-a")!.path, ["leaf-a", "relay", "gw"]);
  });

  await t.step("marks nodes behind an offline relay unreachable", () => {
    const r = computeTopology(
      [node("gw", "gateway"), node("relay", "node", "offline"), node("leaf-a")],
      [link("relay", "gw", 240), link("leaf-a", "relay", 200)],
      opts,
    );
    const leaf = r.nodes.find((n) => n.id === "leaf-a")!;
    assertEquals([leaf.reachable, leaf.hops, leaf.path], [false, null, []]);
    assertEquals(r.links.every((l) => !l.live), true);
  });

  await t.step("ignores stale reports and neighbours not heard recently", () => {
    const r = computeTopology(nodes.slice(0, 2), [
      link("relay", "gw", 240, { updated_at: now - 60_000 }),
    ], opts);
    assertEquals(r.nodes.find((n) => n.id === "relay")!.reachable, false);
    const r2 = computeTopology(nodes.slice(0, 2), [
      link("relay", "gw", 240, { last_seen_ms: 45_000 }),
    ], opts);
    assertEquals(r2.nodes.find((n) => n.id === "relay")!.reachable, false);
  });

  await t.step("uses the worse direction when both ends report", () => {
    const r = computeTopology(nodes.slice(0, 2), [
      link("relay", "gw", 255),
      link("gw", "relay", 51),
    ], opts);
    assertEquals(r.nodes.find((n) => n.id === "relay")!.path_quality, 51 / 255);
  });

  await t.step("has no paths without a gateway", () => {
    const r = computeTopology([node("a"), node("b")], [link("a", "b", 200)], opts);
    assertEquals(r.gatewayId, null);
    assertEquals(r.nodes.every((n) => !n.reachable), true);
  });
});
