import { assertEquals, assertThrows } from "../testing/assert.ts";
import { cstring, errorMessage, u16, u32 } from "../testing/netlink_fixtures.ts";
import { NetlinkProtocolError } from "./errors.ts";
import {
  align4,
  concatBytes,
  decodeErrorReply,
  encodeAttribute,
  encodeMessage,
  NLA_F_NESTED,
  parseAttributes,
  parseMessages,
  readString,
  readU32,
  u64ToNumber,
} from "./message.ts";

Deno.test("a message round-trips through encodeMessage() and parseMessages()", () => {
  const bytes = encodeMessage({ type: 18, flags: 0x301, seq: 7, pid: 99 }, cstring("abc"));
  assertEquals(bytes.length, 20, "16-byte header + 4 bytes, already aligned");
  const [message, ...rest] = parseMessages(bytes);
  assertEquals(rest, []);
  assertEquals(
    { ...message, payload: Array.from(message!.payload) },
    { type: 18, flags: 0x301, seq: 7, pid: 99, payload: [97, 98, 99, 0], offset: 16 },
  );
});

Deno.test("parseMessages() splits a datagram at 4-byte boundaries, padding or not at the end", () => {
  const first = encodeMessage({ type: 16, flags: 2, seq: 1 }, new Uint8Array(5));
  const last = encodeMessage({ type: 3, flags: 2, seq: 1 }, new Uint8Array(1));
  assertEquals(first.length, 24, "21 bytes padded to 24");
  // The kernel pads the last message too; a sender that does not is still understood.
  const unpadded = concatBytes(first, last.subarray(0, 17));
  assertEquals(parseMessages(unpadded).map((m) => [m.type, m.offset, m.payload.length]), [
    [16, 16, 5],
    [3, 40, 1],
  ]);
});

Deno.test("parseMessages() names the offset of a truncated or lying header", async (t) => {
  const good = encodeMessage({ type: 16, flags: 0, seq: 1 }, new Uint8Array(8));
  await t.step("a datagram cut inside the second header", () => {
    const cut = concatBytes(good, good.subarray(0, 10));
    assertThrows(() => parseMessages(cut), NetlinkProtocolError, "offset 24: 10 bytes left");
  });
  await t.step("a length longer than the datagram", () => {
    const lying = good.slice();
    lying.set(u32(4096), 0);
    assertThrows(() => parseMessages(lying), NetlinkProtocolError, "offset 0: message length 4096");
  });
  await t.step("a length shorter than the header, which would never advance", () => {
    const zero = good.slice();
    zero.set(u32(0), 0);
    assertThrows(() => parseMessages(zero), NetlinkProtocolError, "message length 0 is outside");
  });
});

Deno.test("parseAttributes() reads TLVs, masks the nested flag and reports absolute offsets", () => {
  const nested = encodeAttribute(18, encodeAttribute(1, cstring("veth")), true);
  const bytes = concatBytes(encodeAttribute(3, cstring("eth0")), nested);
  const attributes = parseAttributes(bytes, 100);
  assertEquals(attributes.map((a) => [a.type, a.offset, a.payload.length]), [
    [3, 104, 5],
    [18, 116, 12],
  ]);
  assertEquals(new DataView(bytes.buffer).getUint16(14, true) & NLA_F_NESTED, NLA_F_NESTED);
  const [kind] = parseAttributes(attributes[1]!.payload, attributes[1]!.offset);
  assertEquals(readString(kind!), "veth");
});

Deno.test("parseAttributes() rejects an attribute whose length does not fit", async (t) => {
  await t.step("longer than what is left", () => {
    const bytes = concatBytes(u16(40), u16(3), new Uint8Array(8));
    assertThrows(
      () => parseAttributes(bytes, 32),
      NetlinkProtocolError,
      "offset 32: attribute 3 has length 40, outside 4..12",
    );
  });
  await t.step("shorter than its own header", () => {
    const bytes = concatBytes(u16(2), u16(3), new Uint8Array(4));
    assertThrows(() => parseAttributes(bytes, 0), NetlinkProtocolError, "length 2");
  });
  await t.step("trailing bytes too few for a header", () => {
    const bytes = concatBytes(encodeAttribute(4, u32(1500)), new Uint8Array(2));
    assertThrows(() => parseAttributes(bytes, 16), NetlinkProtocolError, "offset 24: 2 bytes left");
  });
});

Deno.test("readU32() insists on exactly four bytes", () => {
  const [short] = parseAttributes(encodeAttribute(4, u16(1500)), 16);
  assertThrows(
    () => readU32(short!, "IFLA_MTU"),
    NetlinkProtocolError,
    "offset 20: IFLA_MTU should hold 4 bytes, it holds 2",
  );
});

Deno.test("u64ToNumber() reads a u64 on a 4-byte boundary exactly up to 2^53", () => {
  const bytes = new Uint8Array(20);
  const dv = new DataView(bytes.buffer);
  // Offset 4 is not 8-aligned: a BigUint64Array there would throw.
  dv.setBigUint64(4, 2n ** 53n - 1n, true);
  dv.setBigUint64(12, 0x1_0000_0001n, true);
  assertEquals(u64ToNumber(dv, 4), Number.MAX_SAFE_INTEGER);
  assertEquals(u64ToNumber(dv, 12), 2 ** 32 + 1);
  dv.setBigUint64(4, 2n ** 64n - 1n, true);
  assertEquals(u64ToNumber(dv, 4), 2 ** 64, "past 2^53: the nearest double");
});

Deno.test("decodeErrorReply() gives the errno and the kernel's extended-ack text", () => {
  const [refusal] = parseMessages(errorMessage(3, 19, "Device not found"));
  assertEquals(decodeErrorReply(refusal!), { errno: 19, detail: "Device not found" });
  const [ack] = parseMessages(errorMessage(3, 0));
  assertEquals(decodeErrorReply(ack!), { errno: 0, detail: null });
});

Deno.test("decodeErrorReply() rejects a reply too short for struct nlmsgerr", () => {
  const [message] = parseMessages(encodeMessage({ type: 2, flags: 0, seq: 1 }, u32(0)));
  assertThrows(
    () => decodeErrorReply(message!),
    NetlinkProtocolError,
    "offset 16: NLMSG_ERROR needs 20 bytes, it has 4",
  );
});

Deno.test("align4() pads to four bytes without wrapping large lengths", () => {
  assertEquals([0, 1, 4, 5, 2 ** 32 - 1].map(align4), [0, 4, 4, 8, 2 ** 32]);
});

Deno.test("readString() ends a string at its first NUL", () => {
  const [name] = parseAttributes(encodeAttribute(3, new TextEncoder().encode("eth1\0junk")), 0);
  assertEquals(readString(name!), "eth1");
});
