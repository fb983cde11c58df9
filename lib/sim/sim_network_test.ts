import { nodeReportSchema } from "../schemas/report.ts";
import { assert, assertEquals, assertNotEquals, assertThrows } from "../testing/assert.ts";
import { DEMO_NETWORK, deviceOf, meshMacOf } from "./network_plan.ts";
import { seededRandom } from "./random.ts";
import { NEIGHBOR_PURGE_MS, SimNetwork } from "./sim_network.ts";

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const network = (seed = 1) => new SimNetwork(DEMO_NETWORK, { random: seededRandom(seed), now: T0 });
const macOf = (key: string) => meshMacOf(deviceOf(DEMO_NETWORK, key));

Deno.test("SimNetwork reports of every device pass the gateway's schema for an hour", () => {
  const net = network();
  for (let t = T0; t <= T0 + 3600_000; t += 10_000) {
    for (const d of DEMO_NETWORK.devices) {
      const parsed = nodeReportSchema.safeParse(net.report(d.key, t));
      assert(
        parsed.success,
        `${d.key} at +${(t - T0) / 1000}s: ${JSON.stringify(parsed.error?.issues)}`,
      );
    }
  }
});

Deno.test("SimNetwork links name the parent's mesh MAC and the children's", async (t) => {
  const net = network();
  const neighbours = (key: string) => net.report(key, T0).links!.map((l) => l.neighbor_mac).sort();
  await t.step("every node hears its parent on halow0", () => {
    for (const d of DEMO_NETWORK.devices.filter((d) => d.parent !== null)) {
      const links = net.report(d.key, T0).links!;
      const up = links.find((l) => l.neighbor_mac === macOf(d.parent!));
      assert(up, `${d.key} has a link to its parent ${d.parent}`);
      assertEquals(up.iface, "halow0");
    }
  });
  await t.step("the relay hears the gateway and its three leaves", () => {
    assertEquals(
      neighbours("relay"),
      [macOf("gateway"), macOf("leaf-1"), macOf("leaf-2"), macOf("leaf-3")].sort(),
    );
  });
  await t.step("the gateway hears the relay and the edge leaf", () => {
    assertEquals(neighbours("gateway"), [macOf("relay"), macOf("leaf-4")].sort());
  });
});

Deno.test("SimNetwork link quality wanders gently around its typical value", () => {
  const net = network(3);
  const seen: number[] = [];
  for (let t = T0; t <= T0 + 6 * 3600_000; t += 10_000) {
    const link = net.report("leaf-4", t).links!.find((l) => l.neighbor_mac === macOf("gateway"))!;
    seen.push(link.tq!);
    assert(link.signal_dbm! >= -89 && link.signal_dbm! <= -80, `signal ${link.signal_dbm}`);
  }
  for (let i = 1; i < seen.length; i++) {
    assert(Math.abs(seen[i]! - seen[i - 1]!) <= 4, `step ${seen[i - 1]} -> ${seen[i]}`);
  }
  assert(
    Math.min(...seen) >= 125 && Math.max(...seen) <= 165,
    `range ${Math.min(...seen)}-${Math.max(...seen)}`,
  );
  assert(new Set(seen).size > 5, "it moves");
});

Deno.test("SimNetwork: when a leaf drops off, the gateway stops hearing it", () => {
  const net = network();
  const edge = macOf("leaf-4");
  net.disconnect("leaf-4", T0);
  const soon = net.report("gateway", T0 + 40_000);
  assertEquals(soon.links!.find((l) => l.neighbor_mac === edge)?.last_seen_ms, 40_000);
  const peer = soon.overlay_peers!.find((p) =>
    p.public_key === deviceOf(DEMO_NETWORK, "leaf-4").wg_public_key
  );
  assert(peer!.latest_handshake_s! >= 40, `handshake age ${peer!.latest_handshake_s}`);
  const late = net.report("gateway", T0 + NEIGHBOR_PURGE_MS + 10_000);
  assertEquals(late.links!.some((l) => l.neighbor_mac === edge), false);
});

Deno.test("SimNetwork: a leaf that comes back after a reboot has a new boot id", () => {
  const net = network();
  const before = net.report("leaf-4", T0).boot_id;
  net.disconnect("leaf-4", T0);
  net.reconnect("leaf-4", T0 + 60_000);
  assertEquals(net.report("leaf-4", T0 + 60_000).boot_id, before);
  net.disconnect("leaf-4", T0 + 120_000);
  net.reconnect("leaf-4", T0 + 180_000, { rebootedAgoS: 25 });
  const back = net.report("leaf-4", T0 + 180_000);
  assertNotEquals(back.boot_id, before);
  assertEquals(back.uptime_s, 25);
  assert(back.links!.some((l) => l.neighbor_mac === macOf("gateway") && l.last_seen_ms < 2000));
});

Deno.test("SimNetwork overlay: the gateway peers with every node, a node with the gateway", () => {
  const net = network();
  const gatewayKey = deviceOf(DEMO_NETWORK, "gateway").wg_public_key;
  assertEquals(net.report("gateway", T0).overlay_peers!.length, 5);
  const peers = net.report("leaf-2", T0).overlay_peers!;
  assertEquals(peers.map((p) => [p.public_key, p.endpoint, p.allowed_ips]), [
    [gatewayKey, "198.18.8.1:51820", ["fd48:414c:4f00::/64"]],
  ]);
});

Deno.test("SimNetwork with the same seed gives the same reports", () => {
  const a = network(9), b = network(9);
  for (let t = T0; t < T0 + 120_000; t += 10_000) {
    assertEquals(a.report("relay", t), b.report("relay", t));
  }
});

Deno.test("SimNetwork refuses an unknown device", () => {
  assertThrows(() => network().report("leaf-9", T0), RangeError, "leaf-9");
});

Deno.test("SimNetwork carries on from the boots it is given", () => {
  const boot = { bootId: "6f1c1f9e-7a3b-4d2e-9c1a-2b3c4d5e6f70", bootedAt: T0 - 600_000 };
  const net = new SimNetwork(DEMO_NETWORK, {
    random: seededRandom(1),
    now: T0,
    boots: { relay: boot },
  });
  const relay = net.report("relay", T0);
  assertEquals([relay.boot_id, relay.uptime_s], [boot.bootId, 600]);
  assertNotEquals(net.report("leaf-1", T0).boot_id, boot.bootId);
});
