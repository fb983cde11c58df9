import { NetlinkError, NetlinkKernelError, NetlinkProtocolError } from "./errors.ts";
import type { NetlinkSocket } from "./libc.ts";
import {
  decodeErrorReply,
  encodeMessage,
  HOST_LITTLE_ENDIAN,
  type NetlinkMessage,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_MIN_TYPE,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  parseMessages,
  view,
} from "./message.ts";

/** What to ask the kernel: a message type and its body (family header and attributes). */
export interface NetlinkRequest {
  type: number;
  body: Uint8Array;
  /** Named in errors, e.g. `RTM_GETLINK dump`. */
  what: string;
  /** Flags besides NLM_F_REQUEST and NLM_F_DUMP or NLM_F_ACK. @default 0 */
  flags?: number;
}

/** A dump the kernel restarted this many times in a row is reported, not retried again. */
const DUMP_ATTEMPTS = 3;

/**
 * Requests and replies over one {@linkcode NetlinkSocket}: numbers each
 * request, checks that every reply carries that number, gathers a dump that
 * spans several datagrams up to NLMSG_DONE, and turns NLMSG_ERROR into a
 * {@linkcode NetlinkKernelError}. Requests take turns, so replies never mix.
 */
export class NetlinkChannel {
  #seq = 0;
  #turn: Promise<unknown> = Promise.resolve();

  constructor(readonly socket: NetlinkSocket) {}

  /**
   * Dumps a table (NLM_F_DUMP) and returns its data messages. A dump the
   * kernel marks inconsistent (NLM_F_DUMP_INTR: the table changed meanwhile)
   * is asked again.
   *
   * @throws {NetlinkError} the kernel's refusal, a malformed reply, a timeout
   */
  dump(request: NetlinkRequest): Promise<NetlinkMessage[]> {
    return this.#inTurn(async () => {
      for (let attempt = 1;; attempt++) {
        const { messages, interrupted } = await this.#exchange(request, NLM_F_DUMP);
        if (!interrupted) return messages;
        if (attempt === DUMP_ATTEMPTS) {
          throw new NetlinkError(
            `Netlink: ${request.what} changed during each of ${DUMP_ATTEMPTS} dumps; try later`,
          );
        }
      }
    });
  }

  /**
   * Sends one request with NLM_F_ACK and returns the data messages that came
   * before the kernel's acknowledgement.
   *
   * @throws {NetlinkError} the kernel's refusal, a malformed reply, a timeout
   */
  request(request: NetlinkRequest): Promise<NetlinkMessage[]> {
    return this.#inTurn(async () => (await this.#exchange(request, NLM_F_ACK)).messages);
  }

  /** Closes the socket. */
  close(): void {
    this.socket.close();
  }

  #inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#turn.then(work);
    this.#turn = result.catch(() => {});
    return result;
  }

  async #exchange(
    request: NetlinkRequest,
    mode: typeof NLM_F_DUMP | typeof NLM_F_ACK,
  ): Promise<{ messages: NetlinkMessage[]; interrupted: boolean }> {
    // A request that failed may still get late replies; their numbers are below this one.
    const seq = ++this.#seq;
    const flags = NLM_F_REQUEST | mode | (request.flags ?? 0);
    this.socket.send(encodeMessage({ type: request.type, flags, seq }, request.body));
    const messages: NetlinkMessage[] = [];
    let interrupted = false;
    for (;;) {
      for (const message of parseMessages(await this.socket.receive())) {
        if (message.seq !== seq) {
          if (message.seq >= 1 && message.seq < seq) continue;
          throw new NetlinkProtocolError(
            message.offset,
            `reply numbered ${message.seq} to request ${seq} (${request.what})`,
          );
        }
        if (message.flags & NLM_F_DUMP_INTR) interrupted = true;
        if (message.type >= NLMSG_MIN_TYPE) {
          messages.push(message);
        } else if (endsExchange(message, request.what, mode)) {
          return { messages, interrupted };
        }
      }
    }
  }
}

/**
 * Handles a control message; true when it ends the exchange.
 *
 * @throws {NetlinkKernelError} for an error reply or a dump that ended in error
 */
function endsExchange(message: NetlinkMessage, what: string, mode: number): boolean {
  switch (message.type) {
    case NLMSG_NOOP:
      return false;
    case NLMSG_ERROR: {
      const reply = decodeErrorReply(message);
      if (reply.errno !== 0) throw new NetlinkKernelError(what, reply.errno, reply.detail);
      return mode === NLM_F_ACK;
    }
    case NLMSG_DONE: {
      // A dump that failed part-way ends with NLMSG_DONE carrying a negative errno.
      const error = message.payload.length >= 4
        ? view(message.payload).getInt32(0, HOST_LITTLE_ENDIAN)
        : 0;
      if (error < 0) throw new NetlinkKernelError(what, -error);
      return true;
    }
    case NLMSG_OVERRUN:
      throw new NetlinkProtocolError(message.offset, `NLMSG_OVERRUN: the kernel lost data`);
    default:
      throw new NetlinkProtocolError(
        message.offset,
        `unknown control message type ${message.type}`,
      );
  }
}
