// Whatever bytes arrive, decoding ends with records or a NetlinkProtocolError:
// no other exception, no read past the bytes, no loop that never ends.
import fc from "fast-check";
import { assert } from "../testing/assert.ts";
import { FakeNetlinkSocket, readCapture } from "../testing/fake_netlink.ts";
import {
  addressMessage,
  cstring,
  doneMessage,
  linkMessage,
  neighbourMessage,
  stats64,
  u32,
} from "../testing/netlink_fixtures.ts";
import { NetlinkChannel } from "./channel.ts";
import { NetlinkError, NetlinkProtocolError } from "./errors.ts";
import {
  concatBytes,
  decodeErrorReply,
  encodeAttribute,
  encodeMessage,
  parseAttributes,
  parseMessages,
} from "./message.ts";
import {
  decodeAddress,
  decodeLink,
  decodeNeighbour,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWNEIGH,
} from "./rtnetlink_records.ts";
import { Rtnetlink } from "./rtnetlink.ts";

const NUM_RUNS = Number(Deno.env.get("HALO_FC_RUNS") ?? 500);
const SEED = Number(Deno.env.get("HALO_FC_SEED") ?? 20261123);
const FC = { numRuns: NUM_RUNS, seed: SEED };

const testdata = new URL("./testdata/", import.meta.url);
const captured = ["links", "addresses", "neighbours"].flatMap((name) =>
  readCapture(Deno.readFileSync(new URL(`${name}.bin`, testdata)))
);
const encoded = [
  concatBytes(
    linkMessage(1, { index: 2, name: "eth0", mtu: 1500, mac: "02:00:00:00:00:01", kind: "veth" }),
    linkMessage(1, { index: 3, name: "wg0", mtu: 1420, stats: stats64({ rx_bytes: 9n }) }),
    doneMessage(1),
  ),
  concatBytes(
    addressMessage(1, { index: 2, family: 2, prefixLength: 24, local: "198.18.0.1" }),
    neighbourMessage(1, {
      index: 2,
      family: 10,
      state: 2,
      address: "fe80::1",
      mac: "02:00:00:00:00:02",
    }),
  ),
];

/** Valid datagrams with bytes overwritten and cut: close enough to pass the first checks. */
const mutatedDatagram = fc.tuple(
  fc.constantFrom(...captured, ...encoded),
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
  fc.option(fc.nat(), { nil: undefined }),
).map(([base, writes, cut]) => {
  const bytes = base.slice();
  for (const [at, value] of writes) bytes[at % bytes.length] = value;
  return cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
});
/** An attribute that is mostly well-formed, else absent or of any size and content. */
function field(type: number, valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { arbitrary: fc.constant(encodeAttribute(type, valid)), weight: 4 },
    { arbitrary: fc.constant(new Uint8Array(0)), weight: 1 },
    {
      arbitrary: fc.uint8Array({ maxLength: 210 }).map((p) => encodeAttribute(type, p)),
      weight: 1,
    },
  );
}
/** A family header of the right size with a family and a positive index, or of any size. */
function header(size: number, family: fc.Arbitrary<number>): fc.Arbitrary<Uint8Array> {
  const right = fc.tuple(family, fc.uint8Array({ minLength: size, maxLength: size }))
    .map(([f, bytes]) => {
      bytes[0] = f;
      new DataView(bytes.buffer).setInt32(4, 1 + (bytes[5]! % 9), true);
      return bytes;
    });
  return fc.oneof({ arbitrary: right, weight: 4 }, {
    arbitrary: fc.uint8Array({ maxLength: 20 }),
    weight: 1,
  });
}
/** Record messages where each part is right or wrong on its own, to reach every check. */
const recordMessage = fc.oneof(
  fc.tuple(
    header(16, fc.constant(0)),
    field(3, cstring("eth0")),
    field(4, u32(1500)),
    field(1, new Uint8Array(6)),
    field(16, new Uint8Array([6])),
    field(10, u32(3)),
    field(18, encodeAttribute(1, cstring("veth"))),
    field(23, stats64({ rx_bytes: 5n })),
  ).map(([h, ...a]) =>
    encodeMessage({ type: RTM_NEWLINK, flags: 2, seq: 1 }, concatBytes(h, ...a))
  ),
  fc.tuple(
    header(8, fc.constantFrom(2, 10, 45)),
    field(1, new Uint8Array(4)),
    field(2, new Uint8Array(16)),
    field(3, cstring("eth0")),
    field(8, u32(0x80)),
  ).map(([h, ...a]) =>
    encodeMessage({ type: RTM_NEWADDR, flags: 2, seq: 1 }, concatBytes(h, ...a))
  ),
  fc.tuple(
    header(12, fc.constantFrom(2, 10, 7)),
    field(1, new Uint8Array(4)),
    field(2, new Uint8Array(6)),
  ).map(([h, ...a]) =>
    encodeMessage({ type: RTM_NEWNEIGH, flags: 2, seq: 1 }, concatBytes(h, ...a))
  ),
);
const framedDatagram = fc.array(recordMessage, { minLength: 1, maxLength: 3 })
  .map((messages) => concatBytes(...messages));
const anyDatagram = fc.oneof(fc.uint8Array({ maxLength: 512 }), mutatedDatagram, framedDatagram);

/** Parses and decodes every message as whatever it claims to be. */
function decodeAll(datagram: Uint8Array): void {
  for (const message of parseMessages(datagram)) {
    if (message.type === RTM_NEWLINK) decodeLink(message);
    else if (message.type === RTM_NEWADDR) decodeAddress(message);
    else if (message.type === RTM_NEWNEIGH) decodeNeighbour(message);
    else if (message.type === 2) decodeErrorReply(message);
  }
}

function onlyOwnErrors(action: () => void): void {
  try {
    action();
  } catch (error) {
    assert(error instanceof NetlinkProtocolError, `threw ${error}`);
  }
}

Deno.test("parse and decode throw nothing but NetlinkProtocolError on any datagram", () => {
  fc.assert(fc.property(anyDatagram, (datagram) => onlyOwnErrors(() => decodeAll(datagram))), FC);
});

Deno.test("record messages right or wrong part by part decode or are a NetlinkProtocolError", () => {
  fc.assert(
    fc.property(framedDatagram, (datagram) => onlyOwnErrors(() => decodeAll(datagram))),
    { ...FC, numRuns: NUM_RUNS * 4 },
  );
});

Deno.test("any payload under a record's message type decodes or is a NetlinkProtocolError", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(RTM_NEWLINK, RTM_NEWADDR, RTM_NEWNEIGH, 2),
      fc.uint8Array({ maxLength: 300 }),
      (type, payload) =>
        onlyOwnErrors(() => decodeAll(encodeMessage({ type, flags: 2, seq: 1 }, payload))),
    ),
    FC,
  );
});

Deno.test("every message and attribute parsed holds exactly the bytes its length declares", () => {
  const declared = (bytes: Uint8Array, at: number, size: 2 | 4) => {
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    return size === 4 ? dv.getUint32(at, true) : dv.getUint16(at, true);
  };
  fc.assert(
    fc.property(anyDatagram, (datagram) =>
      onlyOwnErrors(() => {
        const messages = parseMessages(datagram);
        assert(messages.length <= datagram.length / 16);
        for (const m of messages) {
          assert(declared(datagram, m.offset - 16, 4) === m.payload.length + 16);
          for (const a of parseAttributes(m.payload, m.offset)) {
            assert(declared(datagram, a.offset - 4, 2) === a.payload.length + 4);
          }
        }
      })),
    FC,
  );
});

Deno.test("a dump fed any datagrams ends with records or a NetlinkError", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(anyDatagram, { maxLength: 4 }),
      fc.constantFrom("dumpLinks", "dumpAddresses", "dumpNeighbours"),
      async (datagrams, dump) => {
        // The datagrams carry sequence number 1 where they came from a real dump.
        const rt = new Rtnetlink(new FakeNetlinkSocket(() => datagrams));
        try {
          await rt[dump]();
        } catch (error) {
          assert(error instanceof NetlinkError, `threw ${error}`);
        }
      },
    ),
    FC,
  );
});

Deno.test("a channel stays usable after a reply it could not read", async () => {
  let garbage = true;
  const socket = new FakeNetlinkSocket((r) =>
    garbage
      ? [new Uint8Array([1, 2, 3])]
      : [concatBytes(linkMessage(r.seq, { index: 1, name: "lo", mtu: 65536 }), doneMessage(r.seq))]
  );
  const channel = new NetlinkChannel(socket);
  const request = { type: 18, body: new Uint8Array(16), what: "RTM_GETLINK dump" };
  await channel.dump(request).then(
    () => assert(false),
    (e) => assert(e instanceof NetlinkProtocolError),
  );
  garbage = false;
  assert((await channel.dump(request)).length === 1);
});
