import { assert, assertEquals, assertRejects } from "../../lib/testing/assert.ts";
import type { Clock } from "../../lib/clock.ts";
import type { CommandResult } from "../../lib/command.ts";
import { catalogueProblems } from "../../lib/metrics/catalogue.ts";
import {
  type InterfaceAddress,
  type Link,
  LINK_STATS64_FIELDS,
  type LinkStats,
  type Neighbour,
  Rtnetlink,
} from "../../lib/netlink/mod.ts";
import { createLogger } from "../../lib/log.ts";
import { FakeCommandRunner } from "../../lib/testing/fake_command.ts";
import { fakeKernelFiles } from "../../lib/testing/fake_kernel_files.ts";
import { FakeNetlinkSocket, readCapture } from "../../lib/testing/fake_netlink.ts";
import type { Collection } from "./collector.ts";
import { NetworkCollector, type NetworkTables } from "./network.ts";

const NETLINK_TESTDATA = new URL("../../lib/netlink/testdata/", import.meta.url);
const signal = new AbortController().signal;

/** An Rtnetlink whose kernel replays a capture of lib/netlink/testdata/ (see capture.sh there). */
function replaying(name: string): Rtnetlink {
  const datagrams = readCapture(Deno.readFileSync(new URL(`${name}.bin`, NETLINK_TESTDATA)));
  return new Rtnetlink(new FakeNetlinkSocket((request) => request.seq === 1 ? datagrams : []));
}

// deno-lint-ignore no-explicit-any -- iproute2's JSON, read field by field below
function ipJson(name: string): any[] {
  return JSON.parse(Deno.readTextFileSync(new URL(`ip-${name}.json`, NETLINK_TESTDATA)));
}

function stoppedClock(at = 1_000_000): Clock & { at: number } {
  const clock = { at, now: () => clock.at, sleep: () => Promise.resolve() };
  return clock;
}

function stats(values: Partial<LinkStats> = {}): LinkStats {
  const zero = Object.fromEntries(LINK_STATS64_FIELDS.map((f) => [f, 0])) as LinkStats;
  return { ...zero, ...values };
}

function link(index: number, name: string, extra: Partial<Link> = {}): Link {
  return {
    index,
    name,
    hardwareType: 1,
    flags: 0x1043,
    up: true,
    running: true,
    mtu: 1500,
    mac: `02:00:00:00:00:${index.toString(16).padStart(2, "0")}`,
    operState: "up",
    masterIndex: null,
    kind: null,
    stats: stats(),
    ...extra,
  };
}

/** Tables that answer what the test puts in them. */
function tables(
  state: { links: Link[]; addresses?: InterfaceAddress[]; neighbours?: Neighbour[] },
) {
  return {
    dumpLinks: () => Promise.resolve(state.links),
    dumpAddresses: () => Promise.resolve(state.addresses ?? []),
    dumpNeighbours: () => Promise.resolve(state.neighbours ?? []),
  } satisfies NetworkTables;
}

function neighbour(index: number, address: string, mac: string | null, state = "reachable") {
  return {
    index,
    family: address.includes(":") ? "inet6" : "inet",
    address,
    mac,
    state,
    router: false,
  } as Neighbour;
}

function valueOf(collection: Collection, metric: string, iface?: string): number | undefined {
  return collection.readings.find((r) => r.metric === metric && r.labels?.iface === iface)?.value;
}

Deno.test("NetworkCollector reads a captured namespace as iproute2 saw it", async () => {
  const rts = {
    links: replaying("links"),
    addresses: replaying("addresses"),
    neighbours: replaying("neighbours"),
  };
  const collector = new NetworkCollector({
    tables: {
      dumpLinks: () => rts.links.dumpLinks(),
      dumpAddresses: () => rts.addresses.dumpAddresses(),
      dumpNeighbours: () => rts.neighbours.dumpNeighbours(),
    },
    files: fakeKernelFiles({}),
    clock: stoppedClock(),
  });
  const collection = await collector.collect(signal);
  const [, veth] = ipJson("links");
  const [, vethAddresses] = ipJson("addresses");
  assertEquals(collection.report?.interfaces, [{
    name: "veth0",
    kind: "other",
    mac: veth.address,
    addresses: vethAddresses.addr_info.map((a: { local: string; prefixlen: number }) =>
      `${a.local}/${a.prefixlen}`
    ),
    up: true,
    mtu: veth.mtu,
  }], "loopback is left out; a veth is of kind other");
  for (const [direction, counters] of Object.entries(veth.stats64) as [string, object][]) {
    for (const [counter, value] of Object.entries(counters)) {
      const metric = `net.${direction}_${counter}`;
      if (["bytes", "packets", "errors", "dropped"].includes(counter)) {
        assertEquals(valueOf(collection, metric, "veth0"), value, metric);
      }
    }
  }
  const [peer] = ipJson("neighbours");
  assertEquals(collection.report?.clients, [{ mac: peer.lladdr, ip: peer.dst, iface: "veth0" }]);
  assertEquals(
    valueOf(collection, "net.clients"),
    1,
    "the multicast NOARP entries are not clients",
  );
  assertEquals(catalogueProblems(collection.readings), []);
});

Deno.test("NetworkCollector maps each interface to its canonical kind", async () => {
  const collector = new NetworkCollector({
    tables: tables({
      links: [
        link(1, "lo", { hardwareType: 772, mac: "00:00:00:00:00:00" }),
        link(2, "eth0"),
        link(3, "wlan0"),
        link(4, "wlan1"),
        link(5, "bat0", { kind: "batadv" }),
        link(6, "wg0", { kind: "wireguard", hardwareType: 65534, mac: null }),
        link(7, "wg1", { kind: "tun", hardwareType: 65534, mac: null }),
        link(8, "br0", { kind: "bridge" }),
        link(9, "tun0", { kind: "tun", hardwareType: 65534, mac: null }),
        link(10, "sit0", { hardwareType: 776, mac: null }),
      ],
    }),
    files: fakeKernelFiles({
      "/sys/class/net/wlan0/phy80211/name": "phy0\n",
      "/sys/class/net/wlan0/device/uevent": "DRIVER=brcmfmac\nSDIO_CLASS=00\n",
      "/sys/class/net/wlan1/phy80211/name": "phy1\n",
      "/sys/class/net/wlan1/device/uevent": "DRIVER=morse_spi\nOF_NAME=mm6108\n",
    }),
    clock: stoppedClock(),
  });
  const { report } = await collector.collect(signal);
  assertEquals(report?.interfaces?.map((i) => `${i.name}:${i.kind}`), [
    "eth0:eth",
    "wlan0:wifi",
    "wlan1:halow",
    "bat0:batman",
    "wg0:wireguard",
    "wg1:wireguard",
    "br0:other",
    "tun0:other",
    "sit0:other",
  ]);
  assertEquals(report?.interfaces?.find((i) => i.name === "wg0")?.mac, undefined);
});

Deno.test("NetworkCollector counts as clients only live devices on access interfaces", async () => {
  const state = {
    links: [
      link(2, "wlan0"),
      link(3, "halow0"),
      link(4, "bat0", { kind: "batadv" }),
      link(5, "wg0", { kind: "wireguard", mac: null }),
    ],
    neighbours: [
      neighbour(2, "198.18.16.23", "02:48:4c:c0:00:01"),
      neighbour(2, "fe80::48:4cff:fec0:1", "02:48:4c:c0:00:01", "stale"),
      neighbour(2, "fe80::1234", "02:48:4c:c0:00:02", "delay"),
      neighbour(2, "198.18.16.24", "02:48:4c:c0:00:03", "failed"),
      neighbour(2, "198.18.16.25", null, "incomplete"),
      neighbour(2, "224.0.0.251", "01:00:5e:00:00:fb", "noarp"),
      neighbour(2, "198.18.16.1", "02:00:00:00:00:02", "permanent"),
      neighbour(3, "198.18.8.2", "02:48:4c:00:02:03"),
      neighbour(4, "198.18.8.40", "02:48:4c:c0:00:0a"),
    ],
  };
  const commands = new FakeCommandRunner((program, args) => {
    assertEquals([program, ...args], ["batctl", "meshif", "bat0", "transtable_local_json"]);
    return {
      code: 0,
      stderr: "",
      stdout: Deno.readTextFileSync(
        new URL("./testdata/batctl-transtable-local.out", import.meta.url),
      ),
    } satisfies CommandResult;
  });
  const collector = new NetworkCollector({
    tables: tables(state),
    files: fakeKernelFiles({
      "/sys/class/net/halow0/phy80211/name": "phy0\n",
      "/sys/class/net/halow0/device/uevent": "DRIVER=morse_sdio\n",
    }),
    clock: stoppedClock(),
    commands,
  });
  const { report } = await collector.collect(signal);
  assertEquals(report?.clients, [
    { mac: "02:48:4c:c0:00:01", ip: "198.18.16.23", iface: "wlan0" },
    { mac: "02:48:4c:c0:00:02", ip: "fe80::1234", iface: "wlan0" },
    // Bridged onto the mesh behind this node: batman-adv's local table names it, the
    // neighbour table (on the mesh, so not a client there) has its address.
    { mac: "02:48:4c:c0:00:0a", ip: "198.18.8.40", iface: "bat0" },
  ]);
});

Deno.test("NetworkCollector gives byte rates from one collection to the next", async (t) => {
  const clock = stoppedClock();
  const state = { links: [link(2, "eth0", { stats: stats({ rx_bytes: 1000, tx_bytes: 500 }) })] };
  const collector = new NetworkCollector({
    tables: tables(state),
    files: fakeKernelFiles({}),
    clock,
  });
  const rx = (
    c: Collection,
  ) => [valueOf(c, "net.rx_rate", "eth0"), valueOf(c, "net.tx_rate", "eth0")];
  await t.step("the first collection has nothing to compare with", async () => {
    assertEquals(rx(await collector.collect(signal)), [undefined, undefined]);
  });
  await t.step("ten seconds later", async () => {
    clock.at += 10_000;
    state.links = [link(2, "eth0", { stats: stats({ rx_bytes: 51_000, tx_bytes: 2500 }) })];
    assertEquals(rx(await collector.collect(signal)), [5000, 200]);
  });
  await t.step("counters that went back (the driver reset them) give no rate", async () => {
    clock.at += 10_000;
    state.links = [link(2, "eth0", { stats: stats({ rx_bytes: 10, tx_bytes: 10 }) })];
    assertEquals(rx(await collector.collect(signal)), [undefined, undefined]);
  });
  await t.step("an interface recreated under the same name starts afresh", async () => {
    clock.at += 10_000;
    state.links = [link(7, "eth0", { stats: stats({ rx_bytes: 20_000, tx_bytes: 20_000 }) })];
    assertEquals(rx(await collector.collect(signal)), [undefined, undefined]);
  });
});

Deno.test("NetworkCollector without batctl reports the neighbour-table clients and says why once", async () => {
  const lines: string[] = [];
  const commands = new FakeCommandRunner(() => new Deno.errors.NotFound("batctl"));
  const collector = new NetworkCollector({
    tables: tables({
      links: [link(2, "wlan0"), link(4, "bat0", { kind: "batadv" })],
      neighbours: [neighbour(2, "198.18.16.23", "02:48:4c:c0:00:01")],
    }),
    files: fakeKernelFiles({}),
    clock: stoppedClock(),
    commands,
    log: createLogger({ component: "test", write: (line) => lines.push(line) }),
  });
  for (let i = 0; i < 2; i++) {
    const { report } = await collector.collect(signal);
    assertEquals(report?.clients?.map((c) => c.mac), ["02:48:4c:c0:00:01"]);
  }
  assertEquals(commands.calls.length, 1);
  assertEquals(lines.map((l) => JSON.parse(l).msg), [
    "batctl is not installed: batman-adv clients are not reported",
  ]);
});

Deno.test("NetworkCollector refuses batctl output it cannot read, naming the field", async () => {
  const answer = (stdout: string) =>
    new NetworkCollector({
      tables: tables({ links: [link(4, "bat0", { kind: "batadv" })] }),
      files: fakeKernelFiles({}),
      clock: stoppedClock(),
      commands: new FakeCommandRunner(() => ({ code: 0, stdout, stderr: "" })),
    });
  await assertRejects(
    () => answer('[{"tt_address":"not a mac","tt_vid":-1,"tt_flags":{}}]').collect(signal),
    TypeError,
    "batctl meshif bat0 transtable_local_json: 0.tt_address: expected a lowercase MAC",
  );
  await assertRejects(
    () => answer("Error - interface bat0 is not present").collect(signal),
    SyntaxError,
    "batctl meshif bat0 transtable_local_json printed no JSON",
  );
});

Deno.test("NetworkCollector reports failing batctl in the log and carries on", async () => {
  const lines: string[] = [];
  const collector = new NetworkCollector({
    tables: tables({ links: [link(4, "bat0", { kind: "batadv" })] }),
    files: fakeKernelFiles({}),
    clock: stoppedClock(),
    commands: new FakeCommandRunner(() => ({
      code: 1,
      stdout: "",
      stderr: "Error - interface bat0 is not present or not a batman-adv interface\n",
    })),
    log: createLogger({ component: "test", write: (line) => lines.push(line) }),
  });
  const collection = await collector.collect(signal);
  assertEquals(collection.report?.clients, []);
  const [line] = lines.map((l) => JSON.parse(l));
  assertEquals([line.msg, line.code], ["batctl failed", 1]);
  assert(line.stderr.includes("not a batman-adv interface"));
});

Deno.test("NetworkCollector reads an interface's /sys files once while it exists", async () => {
  const reads: string[] = [];
  const files = fakeKernelFiles({
    "/sys/class/net/wlan0/phy80211/name": "phy0\n",
    "/sys/class/net/wlan0/device/uevent": "DRIVER=brcmfmac\n",
  });
  const state = { links: [link(2, "wlan0")] };
  const collector = new NetworkCollector({
    tables: tables(state),
    files: { list: files.list, read: (path) => (reads.push(path), files.read(path)) },
    clock: stoppedClock(),
  });
  await collector.collect(signal);
  await collector.collect(signal);
  assertEquals(reads.length, 2, "phy80211 and uevent, on the first collection only");
  state.links = [link(5, "wlan0")];
  await collector.collect(signal);
  assertEquals(reads.length, 4, "a recreated interface is looked at again");
});
