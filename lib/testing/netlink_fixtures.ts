/**
 * A small encoder for rtnetlink replies as the kernel writes them, so tests
 * state what a message holds and the bytes follow. Layouts as in
 * lib/netlink/rtnetlink_records.ts (<linux/rtnetlink.h>, <linux/if_link.h>,
 * <linux/if_addr.h>, <linux/neighbour.h>).
 */
import {
  concatBytes,
  encodeAttribute,
  encodeMessage,
  HOST_LITTLE_ENDIAN,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_MULTI,
  NLMSG_DONE,
  NLMSG_ERROR,
  view,
} from "../netlink/message.ts";
import {
  LINK_STATS64_FIELDS,
  type LinkStats,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWNEIGH,
} from "../netlink/rtnetlink_records.ts";

export function u8(n: number): Uint8Array {
  return new Uint8Array([n]);
}
export function u16(n: number): Uint8Array {
  const bytes = new Uint8Array(2);
  view(bytes).setUint16(0, n, HOST_LITTLE_ENDIAN);
  return bytes;
}
export function u32(n: number): Uint8Array {
  const bytes = new Uint8Array(4);
  view(bytes).setUint32(0, n, HOST_LITTLE_ENDIAN);
  return bytes;
}
export function cstring(text: string): Uint8Array {
  return new TextEncoder().encode(`${text}\0`);
}
/** `02:00:00:aa:bb:cc` as bytes. */
export function macBytes(text: string): Uint8Array {
  return new Uint8Array(text.split(":").map((h) => parseInt(h, 16)));
}
/** `198.18.0.1` or `fe80::1` as 4 or 16 bytes. */
export function ipBytes(text: string): Uint8Array {
  if (!text.includes(":")) return new Uint8Array(text.split(".").map(Number));
  const [head = "", tail] = text.split("::");
  const groups = (part: string) => part === "" ? [] : part.split(":").map((g) => parseInt(g, 16));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  return new Uint8Array(all.flatMap((g) => [g >> 8, g & 0xff]));
}

/** `struct rtnl_link_stats64` with the given counters (bigint, to reach past 2^53). */
export function stats64(values: Partial<Record<keyof LinkStats, bigint>>, fields = 25): Uint8Array {
  const bytes = new Uint8Array(fields * 8);
  const dv = view(bytes);
  [...LINK_STATS64_FIELDS, "rx_otherhost_dropped" as const].slice(0, fields).forEach((f, i) => {
    dv.setBigUint64(i * 8, values[f] ?? 0n, HOST_LITTLE_ENDIAN);
  });
  return bytes;
}

export interface LinkFixture {
  index: number;
  name: string;
  mtu?: number;
  hardwareType?: number;
  flags?: number;
  mac?: string;
  operState?: number;
  master?: number;
  kind?: string;
  /** Attributes placed before the others, e.g. to move IFLA_STATS64 off 8-byte alignment. */
  leading?: Uint8Array[];
  stats?: Uint8Array;
}

/** An RTM_NEWLINK message of a dump. */
export function linkMessage(seq: number, link: LinkFixture): Uint8Array {
  const header = concatBytes(
    u8(0),
    u8(0),
    u16(link.hardwareType ?? 1),
    u32(link.index),
    u32(link.flags ?? 0),
    u32(0),
  );
  const attributes = [
    ...(link.leading ?? []),
    encodeAttribute(3, cstring(link.name)),
    ...(link.mtu === undefined ? [] : [encodeAttribute(4, u32(link.mtu))]),
    ...(link.mac === undefined ? [] : [encodeAttribute(1, macBytes(link.mac))]),
    ...(link.operState === undefined ? [] : [encodeAttribute(16, u8(link.operState))]),
    ...(link.master === undefined ? [] : [encodeAttribute(10, u32(link.master))]),
    ...(link.kind === undefined
      ? []
      : [encodeAttribute(18, encodeAttribute(1, cstring(link.kind)), true)]),
    ...(link.stats === undefined ? [] : [encodeAttribute(23, link.stats)]),
  ];
  return encodeMessage(
    { type: RTM_NEWLINK, flags: NLM_F_MULTI, seq },
    concatBytes(header, ...attributes),
  );
}

export interface AddressFixture {
  index: number;
  family: 2 | 10;
  prefixLength: number;
  scope?: number;
  flags?: number;
  local?: string;
  address?: string;
  label?: string;
  extendedFlags?: number;
}

/** An RTM_NEWADDR message of a dump. */
export function addressMessage(seq: number, a: AddressFixture): Uint8Array {
  const header = concatBytes(
    u8(a.family),
    u8(a.prefixLength),
    u8(a.flags ?? 0),
    u8(a.scope ?? 0),
    u32(a.index),
  );
  const attributes = [
    ...(a.address === undefined ? [] : [encodeAttribute(1, ipBytes(a.address))]),
    ...(a.local === undefined ? [] : [encodeAttribute(2, ipBytes(a.local))]),
    ...(a.label === undefined ? [] : [encodeAttribute(3, cstring(a.label))]),
    ...(a.extendedFlags === undefined ? [] : [encodeAttribute(8, u32(a.extendedFlags))]),
  ];
  return encodeMessage(
    { type: RTM_NEWADDR, flags: NLM_F_MULTI, seq },
    concatBytes(header, ...attributes),
  );
}

export interface NeighbourFixture {
  index: number;
  family: number;
  state: number;
  flags?: number;
  address?: string;
  mac?: string;
}

/** An RTM_NEWNEIGH message of a dump. */
export function neighbourMessage(seq: number, n: NeighbourFixture): Uint8Array {
  const header = concatBytes(
    u8(n.family),
    u8(0),
    u16(0),
    u32(n.index),
    u16(n.state),
    u8(n.flags ?? 0),
    u8(1),
  );
  const attributes = [
    ...(n.address === undefined ? [] : [encodeAttribute(1, ipBytes(n.address))]),
    ...(n.mac === undefined ? [] : [encodeAttribute(2, macBytes(n.mac))]),
  ];
  return encodeMessage(
    { type: RTM_NEWNEIGH, flags: NLM_F_MULTI, seq },
    concatBytes(header, ...attributes),
  );
}

/** NLMSG_DONE ending a dump; a negative `error` is a dump that failed part-way. */
export function doneMessage(seq: number, error = 0): Uint8Array {
  const payload = new Uint8Array(4);
  view(payload).setInt32(0, error, HOST_LITTLE_ENDIAN);
  return encodeMessage({ type: NLMSG_DONE, flags: NLM_F_MULTI, seq }, payload);
}

/** NLMSG_ERROR with `-errno` (0: an ack), capped, with the extended ack's text when given. */
export function errorMessage(seq: number, errno: number, detail?: string): Uint8Array {
  const payload = new Uint8Array(20);
  view(payload).setInt32(0, -errno, HOST_LITTLE_ENDIAN);
  view(payload).setUint32(4, 16, HOST_LITTLE_ENDIAN);
  const tlvs = detail === undefined ? [] : [encodeAttribute(1, cstring(detail))];
  const flags = NLM_F_CAPPED | (detail === undefined ? 0 : NLM_F_ACK_TLVS);
  return encodeMessage({ type: NLMSG_ERROR, flags, seq }, concatBytes(payload, ...tlvs));
}
