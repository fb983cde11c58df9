import { describeErrno, errnoName } from "./_errno.ts";

/** Every failure of the netlink layer; a collector catches this one class. */
export class NetlinkError extends Error {
  override name = "NetlinkError";
}

/** A libc call on the socket failed; `code` is the errno's name (`EPERM`, `EAFNOSUPPORT`…). */
export class NetlinkSocketError extends NetlinkError {
  override name = "NetlinkSocketError";
  /** The errno's name, or `null` when the call gave no errno (loading libc, a short write). */
  readonly code: string | null;

  /**
   * @param attempt what was tried, e.g. `socket(AF_NETLINK, SOCK_RAW, 0)`
   * @param errno the call's errno, or `null` with `reason` saying what went wrong instead
   */
  constructor(
    attempt: string,
    readonly errno: number | null,
    options: { reason?: string; cause?: unknown } = {},
  ) {
    super(
      `Netlink socket: ${attempt} failed: ${
        errno === null ? options.reason ?? "no errno" : describeErrno(errno)
      }`,
      { cause: options.cause },
    );
    this.code = errno === null ? null : errnoName(errno);
  }
}

/** No datagram arrived within the socket's receive timeout. */
export class NetlinkTimeoutError extends NetlinkError {
  override name = "NetlinkTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`Netlink socket: no reply from the kernel within ${timeoutMs} ms`);
  }
}

/** Bytes that are not a well-formed netlink reply; `offset` is where in the datagram. */
export class NetlinkProtocolError extends NetlinkError {
  override name = "NetlinkProtocolError";
  constructor(readonly offset: number, problem: string) {
    super(`Malformed netlink reply at offset ${offset}: ${problem}`);
  }
}

/** The kernel refused a request with NLMSG_ERROR; `code` is the errno's name. */
export class NetlinkKernelError extends NetlinkError {
  override name = "NetlinkKernelError";
  readonly code: string | null;

  /**
   * @param request what was asked, e.g. `RTM_GETLINK dump`
   * @param errno the positive errno from the reply
   * @param detail the kernel's extended-ack text, when it sent one
   */
  constructor(request: string, readonly errno: number, detail: string | null = null) {
    super(
      `Netlink: the kernel refused ${request}: ${describeErrno(errno)}${
        detail ? ` (${detail})` : ""
      }`,
    );
    this.code = errnoName(errno);
  }
}
