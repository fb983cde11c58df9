import { enrollRequestSchema } from "../schemas/enrollment.ts";
import { cidrSchema, macSchema } from "../schemas/common.ts";
import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import {
  DEMO_NETWORK,
  deviceOf,
  meshMacOf,
  type NetworkPlan,
  planProblems,
} from "./network_plan.ts";

const JOIN_TOKEN = `halo_join_${"A".repeat(40)}`;

Deno.test("DEMO_NETWORK is the gateway, a relay and four leaves", () => {
  assertEquals(DEMO_NETWORK.devices.map((d) => [d.key, d.role]), [
    ["gateway", "gateway"],
    ["relay", "node"],
    ["leaf-1", "node"],
    ["leaf-2", "node"],
    ["leaf-3", "node"],
    ["leaf-4", "node"],
  ]);
  assertEquals(planProblems(DEMO_NETWORK), []);
});

Deno.test("DEMO_NETWORK has two data providers and one leaf with a client attached", () => {
  const providers = DEMO_NETWORK.devices.filter((d) => d.sensors.length > 0);
  assertEquals(
    providers.map((d) => [d.key, d.sensors.map((s) => `${s.kind}@${s.bus}/${s.address}`)]),
    [
      ["leaf-1", ["bme280@i2c-1/0x76"]],
      ["leaf-2", ["ina219@i2c-1/0x40"]],
    ],
  );
  const withClients = DEMO_NETWORK.devices.filter((d) => d.clients.length > 0);
  assertEquals(withClients.map((d) => d.key), ["leaf-3"]);
  assert(withClients[0]!.interfaces.some((i) => i.name === withClients[0]!.clients[0]!.iface));
});

Deno.test("every demo device can enroll: its identity passes the enrollment schema", () => {
  for (const d of DEMO_NETWORK.devices) {
    const parsed = enrollRequestSchema.safeParse({
      join_token: JOIN_TOKEN,
      hardware: d.hardware,
      hostname: d.hostname,
      role: d.role,
      wg_public_key: d.wg_public_key,
    });
    assert(parsed.success, `${d.key}: ${JSON.stringify(parsed.error?.issues)}`);
    assertEquals(atob(d.wg_public_key).length, 32, `${d.key}: WireGuard key is 32 bytes`);
  }
});

Deno.test("demo addresses stay in lab ranges and MACs are locally administered", async (t) => {
  const macs = DEMO_NETWORK.devices.flatMap((d) => [
    ...d.interfaces.flatMap((i) => (i.mac ? [i.mac] : [])),
    ...d.clients.map((c) => c.mac),
  ]);
  await t.step("MACs", () => {
    for (const mac of macs) {
      assert(macSchema.safeParse(mac).success, mac);
      const first = parseInt(mac.slice(0, 2), 16);
      assertEquals(first & 0x03, 0x02, `${mac} is locally administered unicast`);
    }
  });
  await t.step("addresses", () => {
    const addresses = DEMO_NETWORK.devices.flatMap((d) =>
      d.interfaces.flatMap((i) => i.addresses ?? [])
    );
    for (const cidr of addresses) {
      assert(cidrSchema.safeParse(cidr).success, cidr);
      assert(/^198\.1[89]\.|^fd/.test(cidr), `${cidr} is in 198.18.0.0/15 or a ULA`);
    }
  });
});

Deno.test("meshMacOf() gives the HaLow interface's MAC", () => {
  assertEquals(meshMacOf(deviceOf(DEMO_NETWORK, "relay")), "02:48:4c:00:02:02");
});

Deno.test("deviceOf() names the known devices when asked for an unknown one", () => {
  assertThrows(() => deviceOf(DEMO_NETWORK, "leaf-9"), RangeError, "gateway, relay, leaf-1");
});

Deno.test("planProblems() finds a second gateway and a parent without a radio link", () => {
  const broken: NetworkPlan = structuredClone(DEMO_NETWORK);
  broken.devices[1]!.role = "gateway";
  broken.links = broken.links.filter((l) => !(l.a === "leaf-4" && l.b === "gateway"));
  const problems = planProblems(broken);
  assert(problems.includes("expected one gateway, found 2"), problems.join("; "));
  assert(problems.includes("leaf-4 has no radio link to its parent"), problems.join("; "));
});
