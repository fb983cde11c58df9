// Every reading of every collector, on real data (captures of this machine
// and of the kernel, fixtures of hardware it lacks) and on each simulated
// demo device, is declared in the metric catalogue with its unit and label
// names. The collectors' own tests check the same on their cases.
import { assertEquals } from "../../lib/testing/assert.ts";
import type { Clock } from "../../lib/clock.ts";
import { catalogueProblems } from "../../lib/metrics/catalogue.ts";
import { Rtnetlink } from "../../lib/netlink/mod.ts";
import { DEMO_NETWORK, seededRandom, SimNetwork, SimTelemetry } from "../../lib/sim/mod.ts";
import { fakeKernelFiles } from "../../lib/testing/fake_kernel_files.ts";
import { FakeNetlinkSocket, readCapture } from "../../lib/testing/fake_netlink.ts";
import type { Collector, Reading } from "./collector.ts";
import { MeshCollector } from "./mesh.ts";
import { NetworkCollector } from "./network.ts";
import { PowerCollector } from "./power.ts";
import { SystemCollector, THROTTLED_FILE } from "./system.ts";
import { simulatedDiskSpace, simulatedKernelFiles } from "../sources/sim_kernel_files.ts";
import { simulatedMeshStatus } from "../sources/sim_mesh_status.ts";
import { simulatedNetlink } from "../sources/sim_netlink.ts";

const signal = new AbortController().signal;
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

function clockAt(at: number): Clock & { at: number } {
  const clock = {
    at,
    now: () => clock.at,
    sleep: (ms: number) => (clock.at += ms, Promise.resolve()),
  };
  return clock;
}

/** Two collections a collection interval apart, so rates and CPU shares appear too. */
async function readingsOf(collector: Collector, clock: { at: number }): Promise<Reading[]> {
  const first = await collector.collect(signal);
  clock.at += 10_000;
  return [...first.readings, ...(await collector.collect(signal)).readings];
}

function testdata(path: string): URL {
  return new URL(path, import.meta.url);
}

Deno.test("every collector on real data emits only catalogued readings", async (t) => {
  const capture = JSON.parse(await Deno.readTextFile(testdata("./testdata/system-x86_64.json")));
  const files = fakeKernelFiles({
    ...capture.files,
    ...JSON.parse(await Deno.readTextFile(testdata("./testdata/power_supply-laptop.json"))),
    "/sys/class/thermal/thermal_zone0/type": "cpu-thermal\n",
    "/sys/class/thermal/thermal_zone0/temp": "47236\n",
    [THROTTLED_FILE]: "50005\n",
  });
  const clock = clockAt(T0);
  const replay = (name: string) => {
    const datagrams = readCapture(
      Deno.readFileSync(testdata(`../../lib/netlink/testdata/${name}.bin`)),
    );
    return () => new Rtnetlink(new FakeNetlinkSocket((r) => r.seq === 1 ? datagrams : []));
  };
  const [links, addresses, neighbours] = ["links", "addresses", "neighbours"].map(replay);
  const collectors: Collector[] = [
    new SystemCollector({
      files,
      clock,
      varDir: "/var/lib/halo",
      disk: {
        usage: () => Promise.resolve({ totalBytes: 100, freeBytes: 40, availableBytes: 30 }),
      },
    }),
    new NetworkCollector({
      tables: {
        dumpLinks: () => links!().dumpLinks(),
        dumpAddresses: () => addresses!().dumpAddresses(),
        dumpNeighbours: () => neighbours!().dumpNeighbours(),
      },
      files,
      clock,
    }),
    new PowerCollector({ files }),
  ];
  for (const collector of collectors) {
    await t.step(collector.name, async () => {
      assertEquals(catalogueProblems(await readingsOf(collector, clock)), []);
    });
  }
});

Deno.test("every collector on each simulated demo device emits only catalogued readings", async (t) => {
  for (const { key } of DEMO_NETWORK.devices) {
    await t.step(key, async () => {
      const network = new SimNetwork(DEMO_NETWORK, { random: seededRandom(2), now: T0 });
      const telemetry = new SimTelemetry(DEMO_NETWORK, { seed: 2 });
      const clock = clockAt(T0);
      const files = simulatedKernelFiles({ network, telemetry, key, clock, upsBattery: true });
      const collectors: Collector[] = [
        new SystemCollector({
          files,
          clock,
          varDir: "/var/lib/halo",
          disk: simulatedDiskSpace(telemetry, key, clock),
        }),
        new NetworkCollector({ tables: simulatedNetlink(network, key, clock), files, clock }),
        new PowerCollector({ files }),
        new MeshCollector(simulatedMeshStatus(network, key, clock)),
      ];
      for (const collector of collectors) {
        assertEquals(catalogueProblems(await readingsOf(collector, clock)), [], collector.name);
      }
    });
  }
});
