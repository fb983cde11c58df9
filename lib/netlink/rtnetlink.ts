import { NetlinkChannel, type NetlinkRequest } from "./channel.ts";
import { NetlinkProtocolError } from "./errors.ts";
import { type NetlinkSocket, type NetlinkSocketOptions, openNetlinkSocket } from "./libc.ts";
import type { NetlinkMessage } from "./message.ts";
import {
  decodeAddress,
  decodeLink,
  decodeNeighbour,
  IFADDRMSG_SIZE,
  IFINFOMSG_SIZE,
  type InterfaceAddress,
  type Link,
  NDMSG_SIZE,
  type Neighbour,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_GETNEIGH,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWNEIGH,
} from "./rtnetlink_records.ts";

/** NETLINK_ROUTE from <linux/netlink.h>. */
export const NETLINK_ROUTE = 0;

/**
 * The kernel's interface, address and neighbour tables over rtnetlink. Each
 * dump asks for every family (AF_UNSPEC), so one call sees IPv4 and IPv6.
 *
 * @example
 * ```ts
 * using rt = Rtnetlink.open();
 * const [links, addresses, neighbours] = [
 *   await rt.dumpLinks(),
 *   await rt.dumpAddresses(),
 *   await rt.dumpNeighbours(),
 * ];
 * ```
 */
export class Rtnetlink {
  readonly #channel: NetlinkChannel;

  /** Over a socket already open on NETLINK_ROUTE (a fake one in tests). */
  constructor(socket: NetlinkSocket) {
    this.#channel = new NetlinkChannel(socket);
  }

  /**
   * Opens a NETLINK_ROUTE socket through libc; needs `--allow-ffi`, no capability.
   *
   * @throws {NetlinkSocketError} when the socket cannot be opened
   */
  static open(options: NetlinkSocketOptions = {}): Rtnetlink {
    return new Rtnetlink(openNetlinkSocket(NETLINK_ROUTE, options));
  }

  /** Every interface with its flags, MAC, kind and 64-bit counters (RTM_GETLINK). @throws {NetlinkError} */
  async dumpLinks(): Promise<Link[]> {
    const messages = await this.#dump(RTM_GETLINK, IFINFOMSG_SIZE, "RTM_GETLINK dump");
    return expect(messages, RTM_NEWLINK, "RTM_NEWLINK").map(decodeLink);
  }

  /** Every IPv4 and IPv6 interface address (RTM_GETADDR). @throws {NetlinkError} */
  async dumpAddresses(): Promise<InterfaceAddress[]> {
    const messages = await this.#dump(RTM_GETADDR, IFADDRMSG_SIZE, "RTM_GETADDR dump");
    return expect(messages, RTM_NEWADDR, "RTM_NEWADDR").map(decodeAddress)
      .filter((a) => a !== null);
  }

  /** Every ARP and NDP neighbour entry (RTM_GETNEIGH). @throws {NetlinkError} */
  async dumpNeighbours(): Promise<Neighbour[]> {
    const messages = await this.#dump(RTM_GETNEIGH, NDMSG_SIZE, "RTM_GETNEIGH dump");
    return expect(messages, RTM_NEWNEIGH, "RTM_NEWNEIGH").map(decodeNeighbour)
      .filter((n) => n !== null);
  }

  /** Closes the socket. */
  close(): void {
    this.#channel.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #dump(type: number, headerSize: number, what: string): Promise<NetlinkMessage[]> {
    // An all-zero family header: every family, every interface.
    const request: NetlinkRequest = { type, body: new Uint8Array(headerSize), what };
    return this.#channel.dump(request);
  }
}

function expect(messages: NetlinkMessage[], type: number, name: string): NetlinkMessage[] {
  const stray = messages.find((m) => m.type !== type);
  if (stray) {
    throw new NetlinkProtocolError(
      stray.offset,
      `a dump of ${name} messages holds one of type ${stray.type}`,
    );
  }
  return messages;
}
