// A simulated device of the demo network run through the real system,
// network and power collectors: what they report is what the network plan
// and the demo's telemetry say of the device.
import { assert, assertEquals } from "../../lib/testing/assert.ts";
import type { Clock } from "../../lib/clock.ts";
import { catalogueProblems } from "../../lib/metrics/catalogue.ts";
import { DEMO_NETWORK, seededRandom, SimNetwork, SimTelemetry } from "../../lib/sim/mod.ts";
import type { Collection } from "../collectors/collector.ts";
import { NetworkCollector } from "../collectors/network.ts";
import { PowerCollector } from "../collectors/power.ts";
import { SystemCollector } from "../collectors/system.ts";
import { simulatedDiskSpace, simulatedKernelFiles } from "./sim_kernel_files.ts";
import { simulatedNetlink } from "./sim_netlink.ts";

const T0 = Date.UTC(2026, 5, 1, 13, 0, 0);
const VAR = "/var/lib/halo";
const signal = new AbortController().signal;

/** One clock for the device and the collectors; a collector's sleep moves it on. */
function deviceClock(at: number): Clock & { at: number } {
  const clock = {
    at,
    now: () => clock.at,
    sleep: (ms: number) => {
      clock.at += ms;
      return Promise.resolve();
    },
  };
  return clock;
}

function device(key: string, options: { upsBattery?: boolean } = {}) {
  const network = new SimNetwork(DEMO_NETWORK, { random: seededRandom(11), now: T0 });
  const telemetry = new SimTelemetry(DEMO_NETWORK, { seed: 11 });
  const clock = deviceClock(T0);
  const files = simulatedKernelFiles({ network, telemetry, key, clock, ...options });
  return {
    network,
    telemetry,
    clock,
    files,
    system: new SystemCollector({
      files,
      disk: simulatedDiskSpace(telemetry, key, clock),
      clock,
      varDir: VAR,
    }),
    net: new NetworkCollector({ tables: simulatedNetlink(network, key, clock), files, clock }),
  };
}

function value(collection: Collection, metric: string, labels?: Record<string, string>) {
  return collection.readings.find((r) =>
    r.metric === metric && JSON.stringify(r.labels) === JSON.stringify(labels)
  )?.value;
}

Deno.test("a simulated device's system collector reads what the demo's telemetry says", async () => {
  for (const { key } of DEMO_NETWORK.devices) {
    const d = device(key);
    await d.system.collect(signal);
    d.clock.at += 10_000;
    const collection = await d.system.collect(signal);
    const expected = Object.fromEntries(
      d.telemetry.samples(key, d.clock.at).map((s) => [s.metric, s.value]),
    );
    assert(
      Math.abs(value(collection, "cpu.usage")! - expected["cpu.usage"]!) <= 0.1,
      `${key} cpu.usage ${value(collection, "cpu.usage")} ≈ ${expected["cpu.usage"]}`,
    );
    assertEquals(
      [
        value(collection, "mem.used"),
        value(collection, "disk.used", { path: "/" }),
        value(collection, "disk.used", { path: VAR }),
        value(collection, "soc.temp"),
        value(collection, "cpu.count"),
      ],
      [expected["mem.used"], expected["disk.used"], expected["disk.used"], expected["soc.temp"], 4],
      key,
    );
    const report = d.network.report(key, d.clock.at);
    assertEquals(collection.report, {
      boot_id: report.boot_id,
      uptime_s: report.uptime_s,
      hostname: report.hostname,
      versions: { kernel: report.versions!.kernel! },
    });
    assertEquals(catalogueProblems(collection.readings), [], key);
  }
});

Deno.test("a simulated device that reboots has a new boot id and restarted counters", async () => {
  const d = device("leaf-4");
  const first = await d.system.collect(signal);
  const firstNet = await d.net.collect(signal);
  d.clock.at += 60_000;
  d.network.disconnect("leaf-4", d.clock.at);
  d.clock.at += 120_000;
  d.network.reconnect("leaf-4", d.clock.at, { rebootedAgoS: 30 });
  const after = await d.system.collect(signal);
  const afterNet = await d.net.collect(signal);
  assert(after.report?.boot_id !== first.report?.boot_id, "a new boot id");
  // The collector measured CPU over a fresh window after the reboot: 30 s plus that window.
  assertEquals(after.report?.uptime_s, 30.25);
  const before = value(firstNet, "net.rx_bytes", { iface: "halow0" })!;
  assert(value(afterNet, "net.rx_bytes", { iface: "halow0" })! < before, "counters restarted");
  assertEquals(value(afterNet, "net.rx_rate", { iface: "halow0" }), undefined, "no rate across");
  const usage = value(after, "cpu.usage")!;
  assert(usage >= 0 && usage <= 100, `cpu.usage ${usage} across the reboot`);
});

Deno.test("a simulated device's network collector reports its planned interfaces and clients", async () => {
  for (const plan of DEMO_NETWORK.devices) {
    const d = device(plan.key);
    const first = await d.net.collect(signal);
    assertEquals(first.report?.interfaces, plan.interfaces, `${plan.key}: kinds map back`);
    assertEquals(
      first.report?.clients,
      plan.clients.map(({ hostname: _, ...client }) => client),
      `${plan.key}: clients, but no hostnames (the neighbour table has none)`,
    );
    d.clock.at += 10_000;
    const second = await d.net.collect(signal);
    const halow = { iface: "halow0" };
    assert(
      value(second, "net.tx_bytes", halow)! > value(first, "net.tx_bytes", halow)!,
      `${plan.key}: the radio's counter grows`,
    );
    assert(value(second, "net.tx_rate", halow)! > 0, `${plan.key}: and gives a rate`);
    assertEquals(catalogueProblems(second.readings), [], plan.key);
  }
});

Deno.test("a simulated device with a UPS HAT reports its battery, one without reports none", async () => {
  const ups = device("relay", { upsBattery: true });
  const readings = (await new PowerCollector({ files: ups.files }).collect(signal)).readings;
  assertEquals(readings.map((r) => r.metric).sort(), [
    "supply.capacity",
    "supply.charging",
    "supply.online",
    "supply.voltage",
  ]);
  assertEquals(value({ readings }, "supply.charging", { supply: "battery" }), 1, "13:00 UTC");
  assertEquals(catalogueProblems(readings), []);
  const plain = device("relay");
  assertEquals((await new PowerCollector({ files: plain.files }).collect(signal)).readings, []);
});
