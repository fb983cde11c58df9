/**
 * rtnetlink's records — links, interface addresses, neighbours — decoded
 * from RTM_NEWLINK, RTM_NEWADDR and RTM_NEWNEIGH messages, whether they come
 * from a dump or a notification. Struct layouts and numbers from the kernel's
 * UAPI headers in Debian linux-libc-dev 6.1 (/usr/include/linux/), checked
 * with sizeof/offsetof in a C program; each group names its header.
 */
import { formatIpv4, formatIpv6, formatMac } from "./_format.ts";
import { NetlinkProtocolError } from "./errors.ts";
import {
  attributesAfter,
  HOST_LITTLE_ENDIAN,
  type NetlinkAttribute,
  type NetlinkMessage,
  parseAttributes,
  readString,
  readU32,
  readU8,
  u64ToNumber,
  view,
} from "./message.ts";

// <linux/rtnetlink.h>: message types, rt_scope_t; <sys/socket.h>: address families.
export const RTM_NEWLINK = 16;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_GETADDR = 22;
export const RTM_NEWNEIGH = 28;
export const RTM_GETNEIGH = 30;
const AF_INET = 2;
const AF_INET6 = 10;
const SCOPES: Record<number, AddressScope> = {
  0: "universe",
  200: "site",
  253: "link",
  254: "host",
  255: "nowhere",
};

// <linux/rtnetlink.h> struct ifinfomsg (16 bytes); <linux/if_link.h> IFLA_*;
// <linux/if.h> IFF_* and IF_OPER_* (RFC 2863 order).
export const IFINFOMSG_SIZE = 16;
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_MASTER = 10;
const IFLA_OPERSTATE = 16;
const IFLA_LINKINFO = 18;
const IFLA_STATS64 = 23;
const IFLA_INFO_KIND = 1;
const IFF_UP = 0x1;
const IFF_RUNNING = 0x40;
const OPER_STATES = [
  "unknown",
  "notpresent",
  "down",
  "lowerlayerdown",
  "testing",
  "dormant",
  "up",
] as const;

// <linux/if_addr.h> struct ifaddrmsg (8 bytes), IFA_*.
export const IFADDRMSG_SIZE = 8;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_FLAGS = 8;
/** `InterfaceAddress.flags` bits from <linux/if_addr.h>. */
export const IFA_F_SECONDARY = 0x01;
export const IFA_F_DADFAILED = 0x08;
export const IFA_F_DEPRECATED = 0x20;
export const IFA_F_TENTATIVE = 0x40;
export const IFA_F_PERMANENT = 0x80;

// <linux/neighbour.h> struct ndmsg (12 bytes), NDA_*, NTF_*, NUD_*.
export const NDMSG_SIZE = 12;
const NDA_DST = 1;
const NDA_LLADDR = 2;
const NTF_ROUTER = 0x80;
const NUD_STATES: Record<number, NeighbourState> = {
  0x00: "none",
  0x01: "incomplete",
  0x02: "reachable",
  0x04: "stale",
  0x08: "delay",
  0x10: "probe",
  0x20: "failed",
  0x40: "noarp",
  0x80: "permanent",
};

/**
 * `struct rtnl_link_stats64`'s fields in order (<linux/if_link.h>), named as
 * the kernel and /sys/class/net/<if>/statistics/ name them. Linux 4.6 and
 * later send at least these 24.
 */
export const LINK_STATS64_FIELDS = [
  "rx_packets",
  "tx_packets",
  "rx_bytes",
  "tx_bytes",
  "rx_errors",
  "tx_errors",
  "rx_dropped",
  "tx_dropped",
  "multicast",
  "collisions",
  "rx_length_errors",
  "rx_over_errors",
  "rx_crc_errors",
  "rx_frame_errors",
  "rx_fifo_errors",
  "rx_missed_errors",
  "tx_aborted_errors",
  "tx_carrier_errors",
  "tx_fifo_errors",
  "tx_heartbeat_errors",
  "tx_window_errors",
  "rx_compressed",
  "tx_compressed",
  "rx_nohandler",
] as const;

/**
 * An interface's 64-bit counters as numbers, because telemetry is JSON
 * numbers: exact up to 2^53 (9 PB — 83 days of 10 Gbit/s line rate, centuries
 * at HaLow rates), beyond that the nearest double, off by under one part in
 * 2^53. `rx_otherhost_dropped` comes from Linux 5.19 on.
 */
export type LinkStats = { [K in typeof LINK_STATS64_FIELDS[number]]: number } & {
  rx_otherhost_dropped?: number;
};

/** RFC 2863 operational state (IFLA_OPERSTATE); a value outside it reads as `unknown`. */
export type OperState = typeof OPER_STATES[number];

/** A network interface from RTM_NEWLINK. */
export interface Link {
  index: number;
  name: string;
  /** ARPHRD_* from <linux/if_arp.h>: 1 Ethernet and Wi-Fi, 772 loopback, 65534 none (tun, WireGuard). */
  hardwareType: number;
  /** IFF_* bits from <linux/if.h>. */
  flags: number;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** Up with its carrier (IFF_RUNNING, as `ip` shows LOWER_UP). */
  running: boolean;
  mtu: number;
  /** IFLA_ADDRESS as colon hex; 6 bytes on Ethernet and Wi-Fi; null when the link has none. */
  mac: string | null;
  operState: OperState;
  /** The bridge or bond this link is enslaved to (IFLA_MASTER). */
  masterIndex: number | null;
  /** The driver kind (IFLA_INFO_KIND): `veth`, `bridge`, `wireguard`, `batadv`…; null for plain hardware. */
  kind: string | null;
  /** null when the kernel sent no IFLA_STATS64. */
  stats: LinkStats | null;
}

/** rt_scope_t by name; a user-defined scope stays a number. */
export type AddressScope = "universe" | "site" | "link" | "host" | "nowhere" | number;

/** An interface address from RTM_NEWADDR. */
export interface InterfaceAddress {
  index: number;
  family: "inet" | "inet6";
  /** The local address (IFA_LOCAL, else IFA_ADDRESS). */
  address: string;
  prefixLength: number;
  /** The other end of a point-to-point link, when it differs from `address`. */
  peer: string | null;
  scope: AddressScope;
  /** IPv4's label (IFA_LABEL), e.g. `eth0:1`. */
  label: string | null;
  /** IFA_F_* bits: IFA_FLAGS when present (it holds the bits past 8), else ifa_flags. */
  flags: number;
}

/** NUD_* state of a neighbour entry; a value outside <linux/neighbour.h>'s reads as `unknown`. */
export type NeighbourState =
  | "none"
  | "incomplete"
  | "reachable"
  | "stale"
  | "delay"
  | "probe"
  | "failed"
  | "noarp"
  | "permanent"
  | "unknown";

/** An ARP or NDP neighbour entry from RTM_NEWNEIGH. */
export interface Neighbour {
  index: number;
  family: "inet" | "inet6";
  /** The neighbour's IP address (NDA_DST). */
  address: string;
  /** Its hardware address (NDA_LLADDR); null while unresolved. */
  mac: string | null;
  state: NeighbourState;
  /** The neighbour said it is an IPv6 router (NTF_ROUTER). */
  router: boolean;
}

function expectType(message: NetlinkMessage, type: number, name: string): void {
  if (message.type !== type) {
    throw new NetlinkProtocolError(
      message.offset,
      `expected ${name} (type ${type}), got type ${message.type}`,
    );
  }
}

function positiveIndex(value: number, offset: number): number {
  if (value <= 0) {
    throw new NetlinkProtocolError(offset, `interface index ${value} is not positive`);
  }
  return value;
}

function required(
  attributes: Map<number, NetlinkAttribute>,
  type: number,
  name: string,
  message: NetlinkMessage,
): NetlinkAttribute {
  const attribute = attributes.get(type);
  if (!attribute) throw new NetlinkProtocolError(message.offset, `no ${name} attribute`);
  return attribute;
}

/**
 * Decodes an RTM_NEWLINK message.
 *
 * @throws {NetlinkProtocolError} when it is malformed or lacks IFLA_IFNAME or IFLA_MTU
 */
export function decodeLink(message: NetlinkMessage): Link {
  expectType(message, RTM_NEWLINK, "RTM_NEWLINK");
  const attributes = attributesAfter(message, { size: IFINFOMSG_SIZE, name: "ifinfomsg" });
  const header = view(message.payload);
  const flags = header.getUint32(8, HOST_LITTLE_ENDIAN);
  const address = attributes.get(IFLA_ADDRESS);
  const operState = attributes.get(IFLA_OPERSTATE);
  const master = attributes.get(IFLA_MASTER);
  const stats = attributes.get(IFLA_STATS64);
  return {
    index: positiveIndex(header.getInt32(4, HOST_LITTLE_ENDIAN), message.offset + 4),
    name: readString(required(attributes, IFLA_IFNAME, "IFLA_IFNAME", message)),
    hardwareType: header.getUint16(2, HOST_LITTLE_ENDIAN),
    flags,
    up: (flags & IFF_UP) !== 0,
    running: (flags & IFF_RUNNING) !== 0,
    mtu: readU32(required(attributes, IFLA_MTU, "IFLA_MTU", message), "IFLA_MTU"),
    mac: address && address.payload.length > 0 ? formatMac(address.payload) : null,
    operState: operState
      ? OPER_STATES[readU8(operState, "IFLA_OPERSTATE")] ?? "unknown"
      : "unknown",
    masterIndex: master ? readU32(master, "IFLA_MASTER") : null,
    kind: linkKind(attributes.get(IFLA_LINKINFO)),
    stats: stats ? decodeStats64(stats) : null,
  };
}

function linkKind(linkInfo: NetlinkAttribute | undefined): string | null {
  if (!linkInfo) return null;
  const kind = parseAttributes(linkInfo.payload, linkInfo.offset)
    .find((a) => a.type === IFLA_INFO_KIND);
  return kind ? readString(kind) : null;
}

function decodeStats64(attribute: NetlinkAttribute): LinkStats {
  const minimum = LINK_STATS64_FIELDS.length * 8;
  if (attribute.payload.length < minimum) {
    throw new NetlinkProtocolError(
      attribute.offset,
      `IFLA_STATS64 should hold at least ${minimum} bytes, it holds ${attribute.payload.length}`,
    );
  }
  const dv = view(attribute.payload);
  const stats = Object.fromEntries(
    LINK_STATS64_FIELDS.map((field, i) => [field, u64ToNumber(dv, i * 8)]),
  ) as LinkStats;
  if (attribute.payload.length >= minimum + 8) {
    stats.rx_otherhost_dropped = u64ToNumber(dv, minimum);
  }
  return stats;
}

/** An IPv4 or IPv6 address of the family's length, or a protocol error. */
function ipAddress(attribute: NetlinkAttribute, family: number, name: string): string {
  const expected = family === AF_INET ? 4 : 16;
  if (attribute.payload.length !== expected) {
    throw new NetlinkProtocolError(
      attribute.offset,
      `${name} should hold ${expected} bytes, it holds ${attribute.payload.length}`,
    );
  }
  return family === AF_INET ? formatIpv4(attribute.payload) : formatIpv6(attribute.payload);
}

/**
 * Decodes an RTM_NEWADDR message; null for a family other than IPv4 and IPv6.
 *
 * @throws {NetlinkProtocolError} when it is malformed or carries no address
 */
export function decodeAddress(message: NetlinkMessage): InterfaceAddress | null {
  expectType(message, RTM_NEWADDR, "RTM_NEWADDR");
  const attributes = attributesAfter(message, { size: IFADDRMSG_SIZE, name: "ifaddrmsg" });
  const header = view(message.payload);
  const family = header.getUint8(0);
  if (family !== AF_INET && family !== AF_INET6) return null;
  const prefixLength = header.getUint8(1);
  if (prefixLength > (family === AF_INET ? 32 : 128)) {
    throw new NetlinkProtocolError(message.offset + 1, `prefix length ${prefixLength} too long`);
  }
  const local = attributes.get(IFA_LOCAL);
  const remote = attributes.get(IFA_ADDRESS);
  const chosen = local ?? remote;
  if (!chosen) throw new NetlinkProtocolError(message.offset, "no IFA_LOCAL or IFA_ADDRESS");
  const address = ipAddress(chosen, family, local ? "IFA_LOCAL" : "IFA_ADDRESS");
  const peer = local && remote ? ipAddress(remote, family, "IFA_ADDRESS") : null;
  const scope = header.getUint8(3);
  const label = attributes.get(IFA_LABEL);
  const flags = attributes.get(IFA_FLAGS);
  return {
    index: positiveIndex(header.getUint32(4, HOST_LITTLE_ENDIAN), message.offset + 4),
    family: family === AF_INET ? "inet" : "inet6",
    address,
    prefixLength,
    peer: peer === address ? null : peer,
    scope: SCOPES[scope] ?? scope,
    label: label ? readString(label) : null,
    flags: flags ? readU32(flags, "IFA_FLAGS") : header.getUint8(2),
  };
}

/**
 * Decodes an RTM_NEWNEIGH message; null for a family other than IPv4 and
 * IPv6 (a bridge's forwarding entries).
 *
 * @throws {NetlinkProtocolError} when it is malformed or lacks NDA_DST
 */
export function decodeNeighbour(message: NetlinkMessage): Neighbour | null {
  expectType(message, RTM_NEWNEIGH, "RTM_NEWNEIGH");
  const attributes = attributesAfter(message, { size: NDMSG_SIZE, name: "ndmsg" });
  const header = view(message.payload);
  const family = header.getUint8(0);
  if (family !== AF_INET && family !== AF_INET6) return null;
  const lladdr = attributes.get(NDA_LLADDR);
  return {
    index: positiveIndex(header.getInt32(4, HOST_LITTLE_ENDIAN), message.offset + 4),
    family: family === AF_INET ? "inet" : "inet6",
    address: ipAddress(required(attributes, NDA_DST, "NDA_DST", message), family, "NDA_DST"),
    mac: lladdr && lladdr.payload.length > 0 ? formatMac(lladdr.payload) : null,
    state: NUD_STATES[header.getUint16(8, HOST_LITTLE_ENDIAN)] ?? "unknown",
    router: (header.getUint8(10) & NTF_ROUTER) !== 0,
  };
}
