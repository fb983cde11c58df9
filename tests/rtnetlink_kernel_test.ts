// lib/netlink against the real kernel: a veth pair between two fresh network
// namespaces, pings across it, then rtnetlink read inside the first namespace
// and compared with that namespace's sysfs and with iproute2.
import { assert, assertEquals, assertRejects } from "../lib/testing/assert.ts";
import type { InterfaceAddress, Link, Neighbour } from "../lib/netlink/mod.ts";
import {
  createVethPair,
  ignoreWithoutNetns,
  must,
  namespaces,
  netnsUnavailable,
  sysfsCounters,
  type VethEnd,
} from "./_helpers/netns.ts";

const PINGS = 5;
const PROBE = new URL("./_helpers/rtnetlink_probe.ts", import.meta.url).pathname;

interface Probe {
  links: Link[];
  addresses: InterfaceAddress[];
  neighbours: Neighbour[];
  dumpMs: number;
}

/** Runs the probe inside `ns` with exactly the permission the module needs. */
async function probeInside(ns: string): Promise<Probe> {
  const output = await must("ip", [
    "netns",
    "exec",
    ns,
    Deno.execPath(),
    "run",
    "--allow-ffi",
    PROBE,
  ]);
  return JSON.parse(output);
}

// deno-lint-ignore no-explicit-any -- iproute2's JSON, read field by field below
async function ipJson(end: VethEnd, args: string[]): Promise<any[]> {
  return JSON.parse(await must("ip", ["-n", end.ns, "-j", ...args]));
}

async function requireNetns(): Promise<void> {
  const reason = await netnsUnavailable();
  if (reason) {
    throw new Error(`Cannot run namespace tests: ${reason} (CI=true: a skipped test fails CI)`);
  }
}

Deno.test({
  name: "rtnetlink in a fresh namespace agrees with its sysfs counters and with iproute2",
  ignore: await ignoreWithoutNetns(),
  async fn(t) {
    await requireNetns();
    const tag = "nl";
    {
      await using pair = await createVethPair(tag);
      const { a, b } = pair;
      const ping = await must("ip", [
        "netns",
        "exec",
        a.ns,
        "ping",
        "-c",
        String(PINGS),
        "-i",
        "0.2",
        "-W",
        "2",
        b.address,
      ]);
      assert(ping.includes(`${PINGS} received`), `every ping answered:\n${ping}`);
      const before = await sysfsCounters(a.ns);
      const probe = await probeInside(a.ns);
      const after = await sysfsCounters(a.ns);
      console.log(`one dump of links, addresses and neighbours: ${probe.dumpMs.toFixed(2)} ms`);
      const veth = probe.links.find((l) => l.name === a.ifname);
      assert(veth, `${a.ifname} among ${probe.links.map((l) => l.name)}`);

      await t.step("each counter lies between the sysfs readings before and after", () => {
        assertEquals(Object.keys(before).sort(), probe.links.map((l) => l.name).sort());
        for (const link of probe.links) {
          const low = before[link.name]!;
          const high = after[link.name]!;
          for (const [field, value] of Object.entries(link.stats!)) {
            if (!(field in low)) continue; // rx_otherhost_dropped has no sysfs file
            assert(
              low[field]! <= value && value <= high[field]!,
              `${link.name} ${field}: ${low[field]} <= ${value} <= ${high[field]}`,
            );
          }
          assertEquals(
            Object.keys(low).filter((f) => !(f in link.stats!)),
            [],
            `every sysfs counter of ${link.name} is in IFLA_STATS64`,
          );
        }
        assert(veth.stats!.tx_packets >= PINGS, `${veth.stats!.tx_packets} packets sent`);
        assert(veth.stats!.rx_packets >= PINGS, `${veth.stats!.rx_packets} packets received`);
        assert(veth.stats!.tx_bytes >= PINGS * 98, "five 98-byte echo requests at least");
      });

      await t.step("the veth is what iproute2 sees", async () => {
        const [ip] = await ipJson(a, ["-d", "link", "show", a.ifname]);
        assertEquals(
          [veth.index, veth.mac, veth.mtu, veth.kind, veth.up, veth.running, veth.operState],
          [ip.ifindex, ip.address, ip.mtu, "veth", true, true, "up"],
        );
        assertEquals(ip.linkinfo.info_kind, "veth");
      });

      await t.step("the addresses are what iproute2 sees", async () => {
        const expected = (await ipJson(a, ["addr", "show"])).flatMap((l) =>
          l.addr_info.map((ai: Record<string, unknown>) =>
            `${l.ifindex} ${ai.family} ${ai.local}/${ai.prefixlen}`
          )
        ).sort();
        const actual = probe.addresses
          .map((ad) => `${ad.index} ${ad.family} ${ad.address}/${ad.prefixLength}`).sort();
        assertEquals(actual, expected);
        assert(actual.includes(`${veth.index} inet ${a.address}/24`));
      });

      await t.step("the ping's peer is a neighbour with the other end's MAC", async () => {
        const [peerLink] = await ipJson(b, ["link", "show", b.ifname]);
        const peer = probe.neighbours.find((n) => n.address === b.address);
        assertEquals([peer?.index, peer?.family, peer?.mac], [
          veth.index,
          "inet",
          peerLink.address,
        ]);
        assert(
          ["reachable", "stale", "delay", "probe"].includes(peer!.state),
          `a resolved state, not ${peer!.state}`,
        );
      });
    }
    const left = (await namespaces()).filter((ns) => ns.startsWith(`halo-${tag}-${Deno.pid}-`));
    assertEquals(left, [], "both namespaces, and the pair with them, are gone");
  },
});

Deno.test({
  name: "a failing namespace test leaves no namespace behind",
  ignore: await ignoreWithoutNetns(),
  async fn() {
    await requireNetns();
    const tag = "nlfail";
    await assertRejects(
      async () => {
        await using pair = await createVethPair(tag);
        // No route to this lab address: ping fails, and the test with it.
        await must("ip", ["netns", "exec", pair.a.ns, "ping", "-c", "1", "-W", "1", "198.19.0.9"]);
      },
      Error,
      "ping -c 1 -W 1 198.19.0.9 exited",
    );
    assertEquals((await namespaces()).filter((ns) => ns.startsWith(`halo-${tag}-`)), []);
  },
});
