import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { catalogueProblems } from "../../lib/metrics/catalogue.ts";
import { type MeshStatus, meshStatusSchema } from "../../lib/schemas/mesh_socket.ts";
import { nodeReportSchema } from "../../lib/schemas/report.ts";
import { DEMO_NETWORK, seededRandom, SimNetwork, SimTelemetry } from "../../lib/sim/mod.ts";
import { linkReadingsOf } from "../../lib/sim/telemetry.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import type { MeshStatusSource } from "../sources/mesh_status.ts";
import { simulatedMeshStatus } from "../sources/sim_mesh_status.ts";
import { MeshCollector } from "./mesh.ts";

const signal = new AbortController().signal;
const KEY = "5DRThIVJEMfDhTwirhm61w6AtpyyHvLxuBD5S6fSbl0=";

function fixed(status: MeshStatus | null): MeshStatusSource {
  return { status: () => Promise.resolve(status) };
}

const STATUS: MeshStatus = meshStatusSchema.parse({
  mesh_iface: "bat0",
  radio: { iface: "wlan1", up: true, channel: 44, tx_power_dbm: 21, noise_dbm: -97 },
  links: [
    {
      iface: "wlan1",
      neighbor_mac: "02:48:4c:00:02:02",
      neighbor_name: "halo-relay-01",
      tq: 231,
      throughput_kbps: 6200,
      signal_dbm: -61,
      last_seen_ms: 310,
    },
    // Heard by batman-adv, but a while ago: reported, not measured.
    { iface: "wlan1", neighbor_mac: "02:48:4c:00:0e:02", tq: 90, last_seen_ms: 45_000 },
    { iface: "wlan1", neighbor_mac: "02:48:4c:00:0b:02", tq: 120, last_seen_ms: 800 },
  ],
  gateway: { underlay_address: "198.18.8.1", overlay_address: null },
  overlay: {
    iface: "wg0",
    public_key: KEY,
    address: null,
    peers: [{ public_key: KEY, rx_bytes: 1200, tx_bytes: 5400, latest_handshake_s: 41 }],
  },
});

Deno.test("MeshCollector puts halo-mesh's links and peers in the report and telemetry", async () => {
  const collection = await new MeshCollector(fixed(STATUS)).collect(signal);
  assertEquals(
    collection.readings.map((r) => [r.metric, r.labels?.neighbor ?? r.labels?.peer, r.value]),
    [
      ["link.signal", "halo-relay-01", -61],
      ["link.tq", "halo-relay-01", 231],
      ["link.throughput", "halo-relay-01", 6_200_000],
      // halo-mesh did not know this neighbour's name: its MAC stands in.
      ["link.tq", "02:48:4c:00:0b:02", 120],
      ["mesh.neighbors", undefined, 2],
      ["radio.noise", undefined, -97],
      ["radio.tx_power", undefined, 21],
      ["overlay.rx_bytes", KEY, 1200],
      ["overlay.tx_bytes", KEY, 5400],
      ["overlay.handshake_age", KEY, 41],
    ],
  );
  assertEquals(catalogueProblems(collection.readings), []);
  assertEquals(collection.report?.links?.map((l) => l.neighbor_mac), [
    "02:48:4c:00:02:02",
    "02:48:4c:00:0e:02",
    "02:48:4c:00:0b:02",
  ]);
  assertEquals(collection.report?.overlay_peers, STATUS.overlay!.peers);
  const parsed = nodeReportSchema.safeParse({
    boot_id: crypto.randomUUID(),
    uptime_s: 1,
    ...collection.report,
  });
  assert(parsed.success, `the report parts are valid report fields: ${parsed.error?.message}`);
});

Deno.test("MeshCollector reports nothing while halo-mesh is not running", async () => {
  assertEquals(await new MeshCollector(fixed(null)).collect(signal), { readings: [] });
});

const T0 = Date.UTC(2026, 5, 1, 14, 0, 0);

Deno.test("the simulated mesh status is what the report-level simulation reports", async (t) => {
  for (const device of DEMO_NETWORK.devices) {
    await t.step(device.key, async () => {
      // Two networks from one seed walk their links alike.
      const reporting = new SimNetwork(DEMO_NETWORK, { random: seededRandom(7), now: T0 });
      const serving = new SimNetwork(DEMO_NETWORK, { random: seededRandom(7), now: T0 });
      const clock = new FakeClock(T0 + 45_000);
      const status = await simulatedMeshStatus(serving, device.key, clock).status(signal);
      assertEquals(meshStatusSchema.parse(status), status, "a valid mesh.sock status");
      const report = reporting.report(device.key, T0 + 45_000);
      assertEquals(status?.links.map(({ neighbor_name: _, ...l }) => l), report.links);
      assertEquals(status?.overlay?.peers, report.overlay_peers);
      assertEquals(status?.overlay?.public_key, device.wg_public_key);
    });
  }
});

Deno.test("a simulated node's mesh readings are the demo telemetry's link readings", async () => {
  const reporting = new SimNetwork(DEMO_NETWORK, { random: seededRandom(3), now: T0 });
  const serving = new SimNetwork(DEMO_NETWORK, { random: seededRandom(3), now: T0 });
  const telemetry = new SimTelemetry(DEMO_NETWORK, { seed: 3 });
  const t = T0 + 30_000;
  for (const device of DEMO_NETWORK.devices) {
    const collection = await new MeshCollector(
      simulatedMeshStatus(serving, device.key, new FakeClock(t)),
    ).collect(signal);
    const links = linkReadingsOf(DEMO_NETWORK, reporting.report(device.key, t).links ?? []);
    const expected = telemetry.samples(device.key, t, { links })
      .filter((s) => s.metric.startsWith("link."))
      .map(({ ts: _, ...reading }) => reading);
    assert(expected.length > 0, `${device.key} hears neighbours`);
    assertEquals(
      collection.readings.filter((r) => r.metric === "link.signal" || r.metric === "link.tq"),
      expected,
      device.key,
    );
    assertEquals(catalogueProblems(collection.readings), [], device.key);
  }
});

Deno.test("a simulated node cut off from the mesh stops hearing its neighbours", async () => {
  const network = new SimNetwork(DEMO_NETWORK, { random: seededRandom(5), now: T0 });
  const clock = new FakeClock(T0);
  const collector = new MeshCollector(simulatedMeshStatus(network, "leaf-4", clock));
  const before = await collector.collect(signal);
  assertEquals(before.readings.find((r) => r.metric === "mesh.neighbors")?.value, 1);
  network.disconnect("leaf-4", T0);
  await clock.tick(30_000);
  const after = await collector.collect(signal);
  assertEquals(after.readings.find((r) => r.metric === "mesh.neighbors")?.value, 0);
  assertEquals(after.readings.filter((r) => r.metric.startsWith("link.")), []);
  assertEquals(after.report?.links?.map((l) => l.last_seen_ms), [30_000], "listed, not heard");
});
