import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { FakeNetlinkSocket, readCapture } from "../testing/fake_netlink.ts";
import {
  addressMessage,
  doneMessage,
  linkMessage,
  neighbourMessage,
} from "../testing/netlink_fixtures.ts";
import { NetlinkProtocolError } from "./errors.ts";
import { attributesAfter, concatBytes, parseMessages } from "./message.ts";
import { Rtnetlink } from "./rtnetlink.ts";

const testdata = new URL("./testdata/", import.meta.url);

/** An Rtnetlink whose kernel answers request 1 with a capture from testdata/ (see capture.sh). */
function replaying(name: string): { rt: Rtnetlink } {
  const datagrams = readCapture(Deno.readFileSync(new URL(`${name}.bin`, testdata)));
  const socket = new FakeNetlinkSocket((request) => request.seq === 1 ? datagrams : []);
  return { rt: new Rtnetlink(socket) };
}

// deno-lint-ignore no-explicit-any -- iproute2's JSON, read field by field below
function ipJson(name: string): any[] {
  return JSON.parse(Deno.readTextFileSync(new URL(`ip-${name}.json`, testdata)));
}

Deno.test("dumpLinks() reads a real kernel dump as iproute2 read it", async () => {
  const { rt } = replaying("links");
  const links = await rt.dumpLinks();
  const expected = ipJson("links").map((l) => ({
    index: l.ifindex,
    name: l.ifname,
    up: l.flags.includes("UP"),
    running: l.flags.includes("LOWER_UP"),
    mtu: l.mtu,
    mac: l.address,
    operState: l.operstate.toLowerCase(),
    kind: l.linkinfo?.info_kind ?? null,
    counters: [
      ...["bytes", "packets", "errors", "dropped", "multicast"].map((k) => l.stats64.rx[k]),
      ...["bytes", "packets", "errors", "dropped", "collisions"].map((k) => l.stats64.tx[k]),
    ],
  }));
  const actual = links.map((l) => ({
    index: l.index,
    name: l.name,
    up: l.up,
    running: l.running,
    mtu: l.mtu,
    mac: l.mac,
    operState: l.operState,
    kind: l.kind,
    counters: [
      ...(["rx_bytes", "rx_packets", "rx_errors", "rx_dropped", "multicast"] as const)
        .map((k) => l.stats![k]),
      ...(["tx_bytes", "tx_packets", "tx_errors", "tx_dropped", "collisions"] as const)
        .map((k) => l.stats![k]),
    ],
  }));
  assertEquals(actual, expected);
  const veth = links.find((l) => l.kind === "veth");
  assert(veth && veth.stats!.tx_packets >= 3, "the capture's veth carried the pings");
});

Deno.test("the captured kernel placed IFLA_STATS64 on a 4-byte, not 8-byte, boundary", () => {
  const [datagram] = readCapture(Deno.readFileSync(new URL("links.bin", testdata)));
  const [first] = parseMessages(datagram!);
  assertEquals(attributesAfter(first!, { size: 16, name: "ifinfomsg" }).get(23)!.offset % 8, 4);
});

Deno.test("dumpAddresses() reads a real kernel dump as iproute2 read it", async () => {
  const { rt } = replaying("addresses");
  const addresses = await rt.dumpAddresses();
  const scopes: Record<string, string> = { global: "universe", link: "link", host: "host" };
  const expected = ipJson("addresses").flatMap((l) =>
    l.addr_info.map((a: Record<string, unknown>) => ({
      index: l.ifindex,
      family: a.family,
      address: a.local,
      prefixLength: a.prefixlen,
      scope: scopes[a.scope as string],
      label: a.label ?? null,
    }))
  );
  const byKey = (a: { index: number; address: unknown }) => `${a.index} ${a.address}`;
  assertEquals(
    addresses.map((a) => ({
      index: a.index,
      family: a.family,
      address: a.address,
      prefixLength: a.prefixLength,
      scope: a.scope,
      label: a.label,
    })).sort((a, b) => byKey(a).localeCompare(byKey(b))),
    expected.sort((a, b) => byKey(a).localeCompare(byKey(b))),
  );
  assert(addresses.some((a) => a.address === "198.18.0.1" && a.prefixLength === 24));
});

Deno.test("dumpNeighbours() reads a real kernel dump as iproute2 read it", async () => {
  const { rt } = replaying("neighbours");
  const neighbours = await rt.dumpNeighbours();
  const links = new Map(ipJson("links").map((l) => [l.ifname, l.ifindex]));
  assertEquals(
    neighbours.map((n) => [n.index, n.address, n.mac, n.state]),
    ipJson("neighbours").map((n) => [
      links.get(n.dev),
      n.dst,
      n.lladdr ?? null,
      n.state[0].toLowerCase(),
    ]),
  );
  const peer = neighbours.find((n) => n.address === "198.18.0.2");
  assertEquals(peer?.state, "reachable", "the ping's peer was learned");
});

Deno.test("dumpAddresses() and dumpNeighbours() pass over families other than IPv4 and IPv6", async () => {
  const rt = new Rtnetlink(
    new FakeNetlinkSocket((r) => [
      concatBytes(
        r.type === 22
          ? addressMessage(r.seq, { index: 1, family: 45 as 2, prefixLength: 0 })
          : neighbourMessage(r.seq, { index: 1, family: 7, state: 0x80 }),
        doneMessage(r.seq),
      ),
    ]),
  );
  assertEquals(await rt.dumpAddresses(), []);
  assertEquals(await rt.dumpNeighbours(), []);
});

Deno.test("a dump holding a message of another kind is a protocol error", async () => {
  const rt = new Rtnetlink(
    new FakeNetlinkSocket((r) => [
      concatBytes(linkMessage(r.seq, { index: 1, name: "lo", mtu: 65536 }), doneMessage(r.seq)),
    ]),
  );
  await assertRejects(
    () => rt.dumpNeighbours(),
    NetlinkProtocolError,
    "a dump of RTM_NEWNEIGH messages holds one of type 16",
  );
});

Deno.test("the three dumps ask RTM_GETLINK, RTM_GETADDR and RTM_GETNEIGH for every family", async () => {
  const socket = new FakeNetlinkSocket((r) => [doneMessage(r.seq)]);
  using rt = new Rtnetlink(socket);
  await rt.dumpLinks();
  await rt.dumpAddresses();
  await rt.dumpNeighbours();
  assertEquals(
    socket.sent.map((bytes) => {
      const [m] = parseMessages(bytes);
      return [m!.type, m!.flags, m!.seq, m!.payload.length, m!.payload.every((b) => b === 0)];
    }),
    [[18, 0x301, 1, 16, true], [22, 0x301, 2, 8, true], [30, 0x301, 3, 12, true]],
  );
});

Deno.test("closing an Rtnetlink closes its socket, also through `using`", () => {
  const socket = new FakeNetlinkSocket();
  {
    using _rt = new Rtnetlink(socket);
  }
  assertEquals(socket.closed, true);
});
