import { NetlinkSocketError, NetlinkTimeoutError } from "../netlink/errors.ts";
import type { NetlinkSocket } from "../netlink/libc.ts";
import { type NetlinkMessage, parseMessages } from "../netlink/message.ts";

/**
 * A netlink socket whose "kernel" is a function: each request sent is
 * answered with the datagrams it returns, received one per `receive()`.
 * With nothing left to receive, `receive()` times out at once, as the real
 * socket would after its timeout.
 */
export class FakeNetlinkSocket implements NetlinkSocket {
  /** Every datagram sent, in order. */
  readonly sent: Uint8Array[] = [];
  closed = false;
  readonly #waiting: Uint8Array[] = [];

  constructor(private readonly answer: (request: NetlinkMessage) => Uint8Array[] = () => []) {}

  send(bytes: Uint8Array): void {
    if (this.closed) throw new NetlinkSocketError("sendto(kernel)", null, { reason: "closed" });
    this.sent.push(bytes.slice());
    const [request] = parseMessages(bytes);
    if (request) this.#waiting.push(...this.answer(request));
  }

  receive(): Promise<Uint8Array> {
    if (this.closed) {
      return Promise.reject(new NetlinkSocketError("poll", null, { reason: "closed" }));
    }
    const datagram = this.#waiting.shift();
    return datagram ? Promise.resolve(datagram) : Promise.reject(new NetlinkTimeoutError(0));
  }

  /** Queues a datagram nobody asked for, such as a late reply to an earlier request. */
  inject(datagram: Uint8Array): void {
    this.#waiting.push(datagram);
  }

  close(): void {
    this.closed = true;
  }
}

/**
 * Reads a capture file of `lib/netlink/testdata/`: datagrams, each after its
 * length as a little-endian u32.
 */
export function readCapture(bytes: Uint8Array): Uint8Array[] {
  const datagrams: Uint8Array[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < bytes.length;) {
    const length = dv.getUint32(at, true);
    datagrams.push(bytes.slice(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return datagrams;
}

/** The opposite of {@linkcode readCapture}. */
export function writeCapture(datagrams: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(datagrams.reduce((n, d) => n + 4 + d.length, 0));
  const dv = new DataView(bytes.buffer);
  let at = 0;
  for (const datagram of datagrams) {
    dv.setUint32(at, datagram.length, true);
    bytes.set(datagram, at + 4);
    at += 4 + datagram.length;
  }
  return bytes;
}
