/**
 * Netlink's wire format: `nlmsghdr` messages and `nlattr` TLVs, both padded
 * to 4 bytes, integers in host byte order. Every length read from a reply is
 * checked against the bytes that are really there, so a truncated or lying
 * reply becomes a {@linkcode NetlinkProtocolError} naming the offset, never
 * an out-of-bounds read or a loop that does not advance.
 *
 * Numbers from <linux/netlink.h> (Debian linux-libc-dev 6.1).
 */
import { NetlinkProtocolError } from "./errors.ts";

/** `sizeof(struct nlmsghdr)`: len u32, type u16, flags u16, seq u32, pid u32. */
export const NLMSG_HDRLEN = 16;
/** `sizeof(struct nlattr)`: len u16, type u16. */
export const NLA_HDRLEN = 4;

/** Control message types below `NLMSG_MIN_TYPE` (0x10). */
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;
export const NLMSG_MIN_TYPE = 0x10;

/** `nlmsg_flags` bits. */
export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_ACK = 0x04;
export const NLM_F_DUMP_INTR = 0x10;
/** NLM_F_ROOT | NLM_F_MATCH. */
export const NLM_F_DUMP = 0x300;
/** In an NLMSG_ERROR reply: the request was not echoed whole / extended-ack TLVs follow. */
export const NLM_F_CAPPED = 0x100;
export const NLM_F_ACK_TLVS = 0x200;

/** `nla_type` flag bits; the rest is the attribute's type. */
export const NLA_F_NESTED = 1 << 15;
export const NLA_F_NET_BYTEORDER = 1 << 14;
const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

/** `NLMSGERR_ATTR_MSG`: the extended ack's text (enum nlmsgerr_attrs). */
const NLMSGERR_ATTR_MSG = 1;

/** Whether this machine is little-endian: netlink integers are in host order. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One message of a datagram; `offset` is where its payload starts in that datagram. */
export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Uint8Array;
  offset: number;
}

/** One attribute; `offset` is where its payload starts in the datagram. */
export interface NetlinkAttribute {
  /** The type without the NLA_F_NESTED and NLA_F_NET_BYTEORDER bits. */
  type: number;
  payload: Uint8Array;
  offset: number;
}

/** Rounds up to netlink's 4-byte alignment (NLMSG_ALIGN, NLA_ALIGN). */
export function align4(length: number): number {
  // Arithmetic, not `& ~3`, which would wrap a u32 length above 2^31 to a negative number.
  return length + ((4 - (length % 4)) % 4);
}

/** A DataView over exactly `bytes`, wherever it sits in its buffer. */
export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Splits a received datagram into its messages.
 *
 * @throws {NetlinkProtocolError} when a header or length does not fit the datagram
 */
export function parseMessages(datagram: Uint8Array): NetlinkMessage[] {
  const dv = view(datagram);
  const messages: NetlinkMessage[] = [];
  let at = 0;
  while (at < datagram.length) {
    if (datagram.length - at < NLMSG_HDRLEN) {
      throw new NetlinkProtocolError(
        at,
        `${datagram.length - at} bytes left, too few for a ${NLMSG_HDRLEN}-byte message header`,
      );
    }
    const length = dv.getUint32(at, HOST_LITTLE_ENDIAN);
    if (length < NLMSG_HDRLEN || length > datagram.length - at) {
      throw new NetlinkProtocolError(
        at,
        `message length ${length} is outside ${NLMSG_HDRLEN}..${datagram.length - at}`,
      );
    }
    messages.push({
      type: dv.getUint16(at + 4, HOST_LITTLE_ENDIAN),
      flags: dv.getUint16(at + 6, HOST_LITTLE_ENDIAN),
      seq: dv.getUint32(at + 8, HOST_LITTLE_ENDIAN),
      pid: dv.getUint32(at + 12, HOST_LITTLE_ENDIAN),
      payload: datagram.subarray(at + NLMSG_HDRLEN, at + length),
      offset: at + NLMSG_HDRLEN,
    });
    // length >= 16, so this always moves on; the last message's padding may be cut off.
    at = Math.min(at + align4(length), datagram.length);
  }
  return messages;
}

/**
 * Splits attributes packed in `bytes`; `offset` is where `bytes` starts in the
 * datagram, for error messages.
 *
 * @throws {NetlinkProtocolError} when an attribute's length does not fit
 */
export function parseAttributes(bytes: Uint8Array, offset: number): NetlinkAttribute[] {
  const dv = view(bytes);
  const attributes: NetlinkAttribute[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < NLA_HDRLEN) {
      throw new NetlinkProtocolError(
        offset + at,
        `${bytes.length - at} bytes left, too few for a ${NLA_HDRLEN}-byte attribute header`,
      );
    }
    const length = dv.getUint16(at, HOST_LITTLE_ENDIAN);
    const type = dv.getUint16(at + 2, HOST_LITTLE_ENDIAN) & NLA_TYPE_MASK;
    if (length < NLA_HDRLEN || length > bytes.length - at) {
      throw new NetlinkProtocolError(
        offset + at,
        `attribute ${type} has length ${length}, outside ${NLA_HDRLEN}..${bytes.length - at}`,
      );
    }
    attributes.push({
      type,
      payload: bytes.subarray(at + NLA_HDRLEN, at + length),
      offset: offset + at + NLA_HDRLEN,
    });
    at = Math.min(at + align4(length), bytes.length);
  }
  return attributes;
}

/**
 * The attributes after a fixed-size family header (`ifinfomsg`, `ndmsg`…),
 * keyed by type; a repeated type keeps its last value.
 *
 * @param header the family header's size in bytes and its name for errors
 * @throws {NetlinkProtocolError} when the payload is shorter than the header
 */
export function attributesAfter(
  message: { payload: Uint8Array; offset: number },
  header: { size: number; name: string },
): Map<number, NetlinkAttribute> {
  if (message.payload.length < header.size) {
    throw new NetlinkProtocolError(
      message.offset,
      `${header.name} needs ${header.size} bytes, the message has ${message.payload.length}`,
    );
  }
  const start = align4(header.size);
  const rest = message.payload.subarray(Math.min(start, message.payload.length));
  return new Map(parseAttributes(rest, message.offset + start).map((a) => [a.type, a]));
}

function requireLength(attribute: NetlinkAttribute, size: number, what: string): DataView {
  if (attribute.payload.length !== size) {
    throw new NetlinkProtocolError(
      attribute.offset,
      `${what} should hold ${size} bytes, it holds ${attribute.payload.length}`,
    );
  }
  return view(attribute.payload);
}

/** Reads an attribute that must hold exactly one u8. */
export function readU8(attribute: NetlinkAttribute, what: string): number {
  return requireLength(attribute, 1, what).getUint8(0);
}

/** Reads an attribute that must hold exactly one u32 in host order. */
export function readU32(attribute: NetlinkAttribute, what: string): number {
  return requireLength(attribute, 4, what).getUint32(0, HOST_LITTLE_ENDIAN);
}

/**
 * Reads a u64 in host order at `at` of `dv` as a number: exact below 2^53,
 * beyond that the nearest double. Two u32 reads, since the value may sit on a
 * 4-byte but not an 8-byte boundary and no typed array over it is allowed.
 */
export function u64ToNumber(dv: DataView, at: number): number {
  const low = dv.getUint32(HOST_LITTLE_ENDIAN ? at : at + 4, HOST_LITTLE_ENDIAN);
  const high = dv.getUint32(HOST_LITTLE_ENDIAN ? at + 4 : at, HOST_LITTLE_ENDIAN);
  return high * 2 ** 32 + low;
}

/** Reads a NUL-terminated string attribute (text after the first NUL is ignored). */
export function readString(attribute: NetlinkAttribute): string {
  const end = attribute.payload.indexOf(0);
  return new TextDecoder().decode(
    end === -1 ? attribute.payload : attribute.payload.subarray(0, end),
  );
}

/** The fields a request sets in `nlmsghdr`; the length is computed. */
export interface MessageHeader {
  type: number;
  flags: number;
  seq: number;
  /** @default 0 */
  pid?: number;
}

/** Encodes one message: header, then `payload` padded to 4 bytes. */
export function encodeMessage(header: MessageHeader, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(align4(NLMSG_HDRLEN + payload.length));
  const dv = view(bytes);
  dv.setUint32(0, NLMSG_HDRLEN + payload.length, HOST_LITTLE_ENDIAN);
  dv.setUint16(4, header.type, HOST_LITTLE_ENDIAN);
  dv.setUint16(6, header.flags, HOST_LITTLE_ENDIAN);
  dv.setUint32(8, header.seq, HOST_LITTLE_ENDIAN);
  dv.setUint32(12, header.pid ?? 0, HOST_LITTLE_ENDIAN);
  bytes.set(payload, NLMSG_HDRLEN);
  return bytes;
}

/**
 * Encodes one attribute padded to 4 bytes; `nested` sets NLA_F_NESTED for a
 * payload that is itself attributes.
 *
 * @throws {RangeError} when the payload does not fit the u16 length
 */
export function encodeAttribute(type: number, payload: Uint8Array, nested = false): Uint8Array {
  const length = NLA_HDRLEN + payload.length;
  if (length > 0xffff) throw new RangeError(`attribute ${type}: ${length} bytes exceed 65535`);
  const bytes = new Uint8Array(align4(length));
  const dv = view(bytes);
  dv.setUint16(0, length, HOST_LITTLE_ENDIAN);
  dv.setUint16(2, type | (nested ? NLA_F_NESTED : 0), HOST_LITTLE_ENDIAN);
  bytes.set(payload, NLA_HDRLEN);
  return bytes;
}

/** Joins byte arrays, e.g. a family header and its attributes. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

/** What an NLMSG_ERROR message says: errno 0 is an acknowledgement. */
export interface ErrorReply {
  /** Positive errno, or 0 for an ack. */
  errno: number;
  /** The extended ack's text (NLMSGERR_ATTR_MSG), when the kernel sent one. */
  detail: string | null;
}

/**
 * Decodes an NLMSG_ERROR payload: `struct nlmsgerr` (a negative errno, then
 * the request's header, and its body unless NLM_F_CAPPED), then extended-ack
 * attributes when NLM_F_ACK_TLVS is set.
 *
 * @throws {NetlinkProtocolError} when the payload is too short or the errno positive
 */
export function decodeErrorReply(message: NetlinkMessage): ErrorReply {
  const { payload, offset } = message;
  if (payload.length < 4 + NLMSG_HDRLEN) {
    throw new NetlinkProtocolError(
      offset,
      `NLMSG_ERROR needs ${4 + NLMSG_HDRLEN} bytes, it has ${payload.length}`,
    );
  }
  const dv = view(payload);
  const error = dv.getInt32(0, HOST_LITTLE_ENDIAN);
  if (error > 0) {
    throw new NetlinkProtocolError(offset, `NLMSG_ERROR carries a positive error ${error}`);
  }
  let detail: string | null = null;
  if (message.flags & NLM_F_ACK_TLVS) {
    const echoed = message.flags & NLM_F_CAPPED
      ? NLMSG_HDRLEN
      : align4(dv.getUint32(4, HOST_LITTLE_ENDIAN));
    const start = 4 + echoed;
    if (echoed < NLMSG_HDRLEN || start > payload.length) {
      throw new NetlinkProtocolError(
        offset + 4,
        `NLMSG_ERROR echoes a request of ${echoed} bytes; ${payload.length - 4} bytes follow`,
      );
    }
    const text = parseAttributes(payload.subarray(start), offset + start)
      .find((a) => a.type === NLMSGERR_ATTR_MSG);
    if (text) detail = readString(text);
  }
  return { errno: Math.abs(error), detail };
}
