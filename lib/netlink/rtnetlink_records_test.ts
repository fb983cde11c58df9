import { assertEquals, assertThrows } from "../testing/assert.ts";
import {
  addressMessage,
  linkMessage,
  neighbourMessage,
  stats64,
} from "../testing/netlink_fixtures.ts";
import { NetlinkProtocolError } from "./errors.ts";
import { encodeAttribute, type NetlinkMessage, parseMessages } from "./message.ts";
import { decodeAddress, decodeLink, decodeNeighbour } from "./rtnetlink_records.ts";

function only(bytes: Uint8Array): NetlinkMessage {
  const [message] = parseMessages(bytes);
  return message!;
}

Deno.test("decodeLink() reads a veth enslaved to a bridge, up and running", () => {
  const link = decodeLink(only(linkMessage(1, {
    index: 5,
    name: "veth0",
    mtu: 1500,
    flags: 0x1 | 0x2 | 0x40 | 0x1000 | 0x10000,
    mac: "02:00:00:aa:bb:cc",
    operState: 6,
    master: 3,
    kind: "veth",
    stats: stats64({ rx_packets: 12n, tx_bytes: 3456n, rx_nohandler: 2n }),
  })));
  assertEquals({ ...link, stats: null }, {
    index: 5,
    name: "veth0",
    hardwareType: 1,
    flags: 0x11043,
    up: true,
    running: true,
    mtu: 1500,
    mac: "02:00:00:aa:bb:cc",
    operState: "up",
    masterIndex: 3,
    kind: "veth",
    stats: null,
  });
  assertEquals(
    [link.stats?.rx_packets, link.stats?.tx_bytes, link.stats?.rx_nohandler, link.stats?.multicast],
    [12, 3456, 2, 0],
  );
});

Deno.test("decodeLink() leaves out what the kernel did not send", () => {
  const link = decodeLink(only(linkMessage(1, { index: 9, name: "wg0", mtu: 1420, flags: 0x1 })));
  assertEquals(
    [link.mac, link.masterIndex, link.kind, link.stats, link.operState, link.running],
    [null, null, null, null, "unknown", false],
  );
});

Deno.test("decodeLink() reads IFLA_STATS64 off 8-byte alignment, exact to 2^53", () => {
  // An empty 4-byte attribute first moves the counters to an offset that is 4 mod 8,
  // as the kernel places them on x86_64 and arm64 (no IFLA_PAD where unaligned access is cheap).
  const message = only(linkMessage(1, {
    index: 2,
    name: "eth0",
    mtu: 1500,
    leading: [encodeAttribute(13, new Uint8Array(0))],
    stats: stats64({ rx_bytes: 2n ** 53n - 1n, tx_bytes: 2n ** 40n + 7n }),
  }));
  const stats = decodeLink(message).stats!;
  const statsOffset = message.offset + message.payload.length - 200;
  assertEquals(statsOffset % 8, 4, "the fixture really is off 8-byte alignment");
  assertEquals([stats.rx_bytes, stats.tx_bytes], [Number.MAX_SAFE_INTEGER, 2 ** 40 + 7]);
  assertEquals(stats.rx_otherhost_dropped, 0);
});

Deno.test("decodeLink() takes the 24 counters of a kernel before 5.19 without rx_otherhost_dropped", () => {
  const link = decodeLink(only(linkMessage(1, {
    index: 2,
    name: "eth0",
    mtu: 1500,
    stats: stats64({ tx_packets: 5n }, 24),
  })));
  assertEquals(link.stats?.tx_packets, 5);
  assertEquals("rx_otherhost_dropped" in link.stats!, false);
});

Deno.test("decodeLink() rejects what it cannot trust, naming the place", async (t) => {
  await t.step("a link without a name", () => {
    const bytes = linkMessage(1, { index: 2, name: "x", mtu: 1500 });
    const message = only(bytes);
    const nameless = { ...message, payload: message.payload.subarray(0, 16) };
    assertThrows(() => decodeLink(nameless), NetlinkProtocolError, "no IFLA_IFNAME attribute");
  });
  await t.step("counters cut short", () => {
    const bytes = linkMessage(1, { index: 2, name: "x", mtu: 1500, stats: stats64({}, 10) });
    assertThrows(
      () => decodeLink(only(bytes)),
      NetlinkProtocolError,
      "IFLA_STATS64 should hold at least 192 bytes, it holds 80",
    );
  });
  await t.step("a zero interface index", () => {
    assertThrows(
      () => decodeLink(only(linkMessage(1, { index: 0, name: "x", mtu: 1500 }))),
      NetlinkProtocolError,
      "offset 20: interface index 0 is not positive",
    );
  });
  await t.step("a message of another type", () => {
    const address = only(addressMessage(1, { index: 1, family: 2, prefixLength: 8 }));
    assertThrows(() => decodeLink(address), NetlinkProtocolError, "expected RTM_NEWLINK");
  });
});

Deno.test("decodeAddress() reads IPv4 with label and a point-to-point peer", async (t) => {
  await t.step("a lab address", () => {
    const address = decodeAddress(only(addressMessage(1, {
      index: 4,
      family: 2,
      prefixLength: 24,
      local: "198.18.0.1",
      address: "198.18.0.1",
      label: "eth0",
      flags: 0x80,
    })));
    assertEquals(address, {
      index: 4,
      family: "inet",
      address: "198.18.0.1",
      prefixLength: 24,
      peer: null,
      scope: "universe",
      label: "eth0",
      flags: 0x80,
    });
  });
  await t.step("a tunnel's two ends", () => {
    const address = decodeAddress(only(addressMessage(1, {
      index: 7,
      family: 2,
      prefixLength: 32,
      local: "198.18.1.1",
      address: "198.18.1.2",
    })));
    assertEquals([address?.address, address?.peer], ["198.18.1.1", "198.18.1.2"]);
  });
});

Deno.test("decodeAddress() reads IPv6 in RFC 5952 form with IFA_FLAGS over ifa_flags", () => {
  const address = decodeAddress(only(addressMessage(1, {
    index: 2,
    family: 10,
    prefixLength: 64,
    scope: 253,
    address: "fe80::e4b4:e5ff:feaf:a9e8",
    flags: 0x80,
    extendedFlags: 0x880,
  })));
  assertEquals(
    [address?.family, address?.address, address?.scope, address?.flags],
    ["inet6", "fe80::e4b4:e5ff:feaf:a9e8", "link", 0x880],
  );
});

Deno.test("decodeAddress() passes over other families and rejects impossible ones", () => {
  assertEquals(
    decodeAddress(only(addressMessage(1, { index: 1, family: 45 as 2, prefixLength: 0 }))),
    null,
  );
  assertThrows(
    () =>
      decodeAddress(only(addressMessage(1, {
        index: 1,
        family: 2,
        prefixLength: 33,
        local: "198.18.0.1",
      }))),
    NetlinkProtocolError,
    "prefix length 33 too long",
  );
  assertThrows(
    () =>
      decodeAddress(
        only(addressMessage(1, { index: 1, family: 10, prefixLength: 64, local: "198.18.0.1" })),
      ),
    NetlinkProtocolError,
    "IFA_LOCAL should hold 16 bytes, it holds 4",
  );
});

Deno.test("decodeNeighbour() reads a resolved IPv4 neighbour and an unresolved IPv6 router", () => {
  const reachable = decodeNeighbour(only(neighbourMessage(1, {
    index: 2,
    family: 2,
    state: 0x02,
    address: "198.18.0.2",
    mac: "02:00:00:00:00:02",
  })));
  assertEquals(reachable, {
    index: 2,
    family: "inet",
    address: "198.18.0.2",
    mac: "02:00:00:00:00:02",
    state: "reachable",
    router: false,
  });
  const router = decodeNeighbour(only(neighbourMessage(1, {
    index: 2,
    family: 10,
    state: 0x20,
    flags: 0x80,
    address: "fe80::1",
  })));
  assertEquals([router?.address, router?.mac, router?.state, router?.router], [
    "fe80::1",
    null,
    "failed",
    true,
  ]);
});

Deno.test("decodeNeighbour() skips bridge entries and needs NDA_DST", () => {
  assertEquals(decodeNeighbour(only(neighbourMessage(1, { index: 2, family: 7, state: 2 }))), null);
  assertThrows(
    () => decodeNeighbour(only(neighbourMessage(1, { index: 2, family: 2, state: 2 }))),
    NetlinkProtocolError,
    "no NDA_DST attribute",
  );
  const odd = decodeNeighbour(only(neighbourMessage(1, {
    index: 2,
    family: 2,
    state: 0x06,
    address: "198.18.0.9",
  })));
  assertEquals(odd?.state, "unknown");
});
