import { nodeReportSchema } from "../schemas/report.ts";
import { assert, assertEquals, assertNotEquals } from "../testing/assert.ts";
import { DEMO_NETWORK, deviceOf } from "./network_plan.ts";
import { seededRandom } from "./random.ts";
import { SimNode, WG_REKEY_S } from "./sim_node.ts";

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const NO_SURROUNDINGS = { links: [], overlay_peers: [] };

function weatherStation(uptimeS = 100) {
  return new SimNode(deviceOf(DEMO_NETWORK, "leaf-1"), {
    random: seededRandom(7),
    now: T0,
    uptimeS,
  });
}

Deno.test("SimNode's report passes the gateway's report schema", () => {
  const report = weatherStation().report(T0, NO_SURROUNDINGS);
  const parsed = nodeReportSchema.safeParse(report);
  assert(parsed.success, JSON.stringify(parsed.error?.issues));
  assertEquals(report.hostname, "halo-leaf-01");
  assertEquals(report.sensors, [{ name: "bme280", kind: "bme280", bus: "i2c-1", address: "0x76" }]);
});

Deno.test("SimNode's uptime grows with time and its boot id stays", () => {
  const node = weatherStation(100);
  const first = node.report(T0, NO_SURROUNDINGS);
  const later = node.report(T0 + 30_000, NO_SURROUNDINGS);
  assertEquals([first.uptime_s, later.uptime_s], [100, 130]);
  assertEquals(later.boot_id, first.boot_id);
});

Deno.test("SimNode gets a new boot id after a reboot and its uptime starts over", () => {
  const node = weatherStation(5000);
  const before = node.bootId;
  node.reboot(T0 + 60_000);
  const report = node.report(T0 + 85_000, NO_SURROUNDINGS);
  assertNotEquals(report.boot_id, before);
  assertEquals(report.uptime_s, 25);
  assertEquals(node.overlayBytes(T0 + 60_000), { tx: 0, rx: 0 });
});

Deno.test("SimNode cut off from the mesh sends no overlay traffic and its handshake ages", () => {
  const node = weatherStation(1000);
  node.disconnect(T0);
  const atCut = node.overlayBytes(T0);
  assertEquals(node.overlayBytes(T0 + 60_000), atCut);
  const age = node.handshakeAgeS(T0)!;
  assertEquals(node.handshakeAgeS(T0 + 300_000), age + 300);
  node.reconnect(T0 + 300_000);
  assert(node.overlayBytes(T0 + 310_000).tx > atCut.tx);
  assert(node.handshakeAgeS(T0 + 310_000)! < WG_REKEY_S);
});

Deno.test("SimNode with the same seed boots with the same boot id", () => {
  assertEquals(weatherStation().bootId, weatherStation().bootId);
  assertNotEquals(
    weatherStation().bootId,
    new SimNode(deviceOf(DEMO_NETWORK, "leaf-1"), { random: seededRandom(8), now: T0 }).bootId,
  );
});

Deno.test("SimNode carries on from a boot the gateway knows", () => {
  const boot = { bootId: "6f1c1f9e-7a3b-4d2e-9c1a-2b3c4d5e6f70", bootedAt: T0 - 3600_000 };
  const node = new SimNode(deviceOf(DEMO_NETWORK, "relay"), {
    random: seededRandom(1),
    now: T0,
    boot,
  });
  const report = node.report(T0 + 10_000, NO_SURROUNDINGS);
  assertEquals([report.boot_id, report.uptime_s], [boot.bootId, 3610]);
});
