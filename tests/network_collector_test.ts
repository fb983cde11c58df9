// The network collector against the real kernel: a veth pair between two
// fresh network namespaces, pings across it, then one collection inside the
// first namespace compared with that namespace's sysfs counters read just
// before and just after, and with iproute2.
import { assert, assertEquals } from "../lib/testing/assert.ts";
import { catalogueProblems } from "../lib/metrics/catalogue.ts";
import type { Collection } from "../agent/collectors/collector.ts";
import {
  createVethPair,
  ignoreWithoutNetns,
  must,
  namespaces,
  netnsUnavailable,
  sysfsCounters,
} from "./_helpers/netns.ts";

const PROBE = new URL("./_helpers/network_collector_probe.ts", import.meta.url).pathname;
const COUNTERS = [
  "rx_bytes",
  "tx_bytes",
  "rx_packets",
  "tx_packets",
  "rx_errors",
  "tx_errors",
  "rx_dropped",
  "tx_dropped",
];

/** Waits until IPv6 duplicate address detection has finished in `ns` (tentative addresses are not reported). */
async function settled(ns: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await must("ip", ["-n", ns, "-6", "addr", "show", "tentative"])).trim() === "") return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`IPv6 addresses in ${ns} still tentative after 10 s`);
}

Deno.test({
  name:
    "the network collector in a fresh namespace agrees with its sysfs and sees the peer as a client",
  ignore: await ignoreWithoutNetns(),
  async fn(t) {
    const reason = await netnsUnavailable();
    if (reason) throw new Error(`Cannot run namespace tests: ${reason} (CI=true: a skip fails CI)`);
    const tag = "netcol";
    {
      await using pair = await createVethPair(tag);
      const { a, b } = pair;
      await settled(a.ns);
      await must("ip", [
        "netns",
        "exec",
        a.ns,
        "ping",
        "-c",
        "3",
        "-i",
        "0.2",
        "-W",
        "2",
        b.address,
      ]);
      const before = await sysfsCounters(a.ns);
      const collection: Collection = JSON.parse(
        await must("ip", [
          "netns",
          "exec",
          a.ns,
          Deno.execPath(),
          "run",
          "--allow-ffi",
          PROBE,
        ]),
      );
      const after = await sysfsCounters(a.ns);

      await t.step("every counter lies between the sysfs readings before and after", () => {
        for (const counter of COUNTERS) {
          const reading = collection.readings.find((r) =>
            r.metric === `net.${counter}` && r.labels?.iface === a.ifname
          );
          const [low, high] = [before[a.ifname]![counter]!, after[a.ifname]![counter]!];
          assert(
            reading && low <= reading.value && reading.value <= high,
            `${counter}: ${low} <= ${reading?.value} <= ${high}`,
          );
        }
        assert(
          collection.readings.every((r) => r.labels?.iface !== "lo"),
          "loopback is left out",
        );
        assertEquals(catalogueProblems(collection.readings), []);
      });

      await t.step("the veth is reported as iproute2 sees it", async () => {
        const [ip] = JSON.parse(await must("ip", ["-n", a.ns, "-j", "addr", "show", a.ifname]));
        assertEquals(collection.report?.interfaces, [{
          name: a.ifname,
          kind: "other",
          mac: ip.address,
          addresses: ip.addr_info.map((ai: { local: string; prefixlen: number }) =>
            `${ai.local}/${ai.prefixlen}`
          ),
          up: true,
          mtu: ip.mtu,
        }]);
      });

      await t.step("the pinged peer is a client with its MAC and address", async () => {
        const [peer] = JSON.parse(await must("ip", ["-n", b.ns, "-j", "link", "show", b.ifname]));
        assertEquals(
          collection.report?.clients?.filter((c) => c.ip === b.address),
          [{ mac: peer.address, ip: b.address, iface: a.ifname }],
        );
      });
    }
    const left = (await namespaces()).filter((ns) => ns.startsWith(`halo-${tag}-${Deno.pid}-`));
    assertEquals(left, [], "both namespaces, and the pair with them, are gone");
  },
});
