/**
 * The FFI boundary: a netlink socket through libc's `socket`, `bind`,
 * `sendto`, `poll`, `recvfrom` and `close`. Waiting for a reply is a
 * `poll` marked `nonblocking`, so it runs on a worker thread and the event
 * loop keeps going; the calls whose errno matters run on the main thread,
 * because errno is per thread and the worker's is out of reach.
 *
 * Needs `--allow-ffi` (unscoped for the default `libc.so.6`: a scoped
 * permission takes the library as a file path, so scope it to an absolute
 * `libraryPath` such as `/lib/aarch64-linux-gnu/libc.so.6`).
 *
 * Numbers from glibc's <sys/socket.h>, <poll.h> and <linux/netlink.h>.
 */
import { NetlinkSocketError, NetlinkTimeoutError } from "./errors.ts";
import { HOST_LITTLE_ENDIAN } from "./message.ts";

/** A datagram socket to the kernel; the real one is {@linkcode openNetlinkSocket}. */
export interface NetlinkSocket {
  /** Sends one datagram to the kernel. @throws {NetlinkError} */
  send(bytes: Uint8Array): void;
  /**
   * The next datagram from the kernel (datagrams from other processes are
   * dropped). @throws {NetlinkTimeoutError} when none arrives in time
   */
  receive(): Promise<Uint8Array>;
  /** Closes the socket; a receive in progress rejects. Closing twice is harmless. */
  close(): void;
}

/** Options for {@linkcode openNetlinkSocket}. */
export interface NetlinkSocketOptions {
  /** How long {@linkcode NetlinkSocket.receive} waits for a datagram. @default 5000 */
  receiveTimeoutMs?: number;
  /** The C library to load. @default "libc.so.6" */
  libraryPath?: string;
}

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const SOL_NETLINK = 270;
/** Lets NLMSG_ERROR carry the kernel's explanation (<linux/netlink.h>). */
const NETLINK_EXT_ACK = 11;
const MSG_PEEK = 0x02;
const MSG_TRUNC = 0x20;
const MSG_DONTWAIT = 0x40;
const POLLIN = 0x001;
const EINTR = 4;
const EAGAIN = 11;
/** `sizeof(struct sockaddr_nl)`: family u16, pad u16, pid u32, groups u32. */
const SOCKADDR_NL_SIZE = 12;
/** A kernel dump fills datagrams of up to 32 KiB; larger ones grow the buffer. */
const INITIAL_BUFFER = 32 * 1024;

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  sendto: {
    parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"],
    result: "isize",
  },
  recvfrom: {
    parameters: ["i32", "buffer", "usize", "i32", "buffer", "buffer"],
    result: "isize",
  },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  pollWaiting: {
    name: "poll",
    parameters: ["buffer", "u64", "i32"],
    result: "i32",
    nonblocking: true,
  },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;
type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

const libraries = new Map<string, Libc>();

function loadLibc(path: string): Libc {
  let libc = libraries.get(path);
  if (!libc) {
    try {
      libc = Deno.dlopen(path, SYMBOLS).symbols;
    } catch (error) {
      throw new NetlinkSocketError(`loading ${path}`, null, {
        reason: error instanceof Error ? error.message : String(error),
        cause: error,
      });
    }
    libraries.set(path, libc);
  }
  return libc;
}

/** errno of the last libc call on this (the main) thread; read it straight after the call. */
function errno(libc: Libc): number {
  const location = libc.__errno_location();
  return location === null ? 0 : new Deno.UnsafePointerView(location).getInt32();
}

/** A `sockaddr_nl` with the given port id: 0 is the kernel. */
function sockaddrNl(pid: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(SOCKADDR_NL_SIZE);
  const dv = new DataView(bytes.buffer);
  dv.setUint16(0, AF_NETLINK, HOST_LITTLE_ENDIAN);
  dv.setUint32(4, pid, HOST_LITTLE_ENDIAN);
  return bytes;
}

/**
 * Opens and binds a netlink socket of `protocol` (NETLINK_ROUTE 0,
 * NETLINK_GENERIC 16).
 *
 * @throws {NetlinkSocketError} naming the call and its errno, e.g. EAFNOSUPPORT
 * @example
 * ```ts
 * const socket = openNetlinkSocket(0, { receiveTimeoutMs: 2000 });
 * ```
 */
export function openNetlinkSocket(
  protocol: number,
  options: NetlinkSocketOptions = {},
): NetlinkSocket {
  const libc = loadLibc(options.libraryPath ?? "libc.so.6");
  const fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    throw new NetlinkSocketError(
      `socket(AF_NETLINK, SOCK_RAW, ${protocol})`,
      errno(libc),
    );
  }
  // Port id 0: the kernel picks a free one.
  if (libc.bind(fd, sockaddrNl(0), SOCKADDR_NL_SIZE) < 0) {
    const failure = new NetlinkSocketError("bind(sockaddr_nl)", errno(libc));
    libc.close(fd);
    throw failure;
  }
  // Best effort: without it (kernels before 4.12) errors just lack the kernel's text.
  libc.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, new Int32Array([1]), 4);
  return new LibcNetlinkSocket(libc, fd, options.receiveTimeoutMs ?? 5000);
}

class LibcNetlinkSocket implements NetlinkSocket {
  #buffer = new Uint8Array(INITIAL_BUFFER);
  #closed = false;
  #waiting = false;
  readonly #kernel = sockaddrNl(0);

  constructor(
    private readonly libc: Libc,
    private readonly fd: number,
    private readonly timeoutMs: number,
  ) {}

  send(bytes: Uint8Array<ArrayBuffer>): void {
    this.#checkOpen("sendto");
    const sent = Number(
      this.libc.sendto(this.fd, bytes, BigInt(bytes.length), 0, this.#kernel, SOCKADDR_NL_SIZE),
    );
    if (sent < 0) throw new NetlinkSocketError("sendto(kernel)", errno(this.libc));
    if (sent !== bytes.length) {
      throw new NetlinkSocketError("sendto(kernel)", null, {
        reason: `sent ${sent} of ${bytes.length} bytes`,
      });
    }
  }

  async receive(): Promise<Uint8Array> {
    this.#checkOpen("recvfrom");
    // The kernel builds a dump's next datagram while we read the last, so it is
    // usually there already: only wait on a worker thread when it is not.
    const ready = this.#takeDatagram();
    if (ready) return ready;
    const deadline = performance.now() + this.timeoutMs;
    for (;;) {
      const remaining = Math.ceil(deadline - performance.now());
      if (remaining <= 0 || !(await this.#waitReadable(remaining))) {
        throw new NetlinkTimeoutError(this.timeoutMs);
      }
      const datagram = this.#takeDatagram();
      if (datagram) return datagram;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // A poll on the worker thread still holds the fd; it is closed when that poll ends.
    if (!this.#waiting) this.libc.close(this.fd);
  }

  #checkOpen(call: string): void {
    if (this.#closed) {
      throw new NetlinkSocketError(call, null, { reason: "the socket is closed" });
    }
  }

  /** Whether a datagram is waiting, after up to `ms` on a worker thread. */
  async #waitReadable(ms: number): Promise<boolean> {
    this.#checkOpen("poll");
    const pollfd = new Uint8Array(8);
    const dv = new DataView(pollfd.buffer);
    dv.setInt32(0, this.fd, HOST_LITTLE_ENDIAN);
    dv.setInt16(4, POLLIN, HOST_LITTLE_ENDIAN);
    this.#waiting = true;
    let ready: number;
    try {
      ready = await this.libc.pollWaiting(pollfd, 1n, ms);
    } finally {
      this.#waiting = false;
    }
    if (this.#closed) {
      this.libc.close(this.fd);
      throw new NetlinkSocketError("poll", null, { reason: "the socket was closed meanwhile" });
    }
    if (ready >= 0) return ready > 0;
    // The worker's errno is out of reach: ask again without waiting, here.
    const again = this.libc.poll(pollfd, 1n, 0);
    if (again >= 0) return again > 0;
    const code = errno(this.libc);
    if (code === EINTR) return false;
    throw new NetlinkSocketError("poll", code);
  }

  /** The waiting datagram if the kernel sent it, else null. */
  #takeDatagram(): Uint8Array | null {
    const peeked = Number(
      this.libc.recvfrom(
        this.fd,
        this.#buffer,
        BigInt(this.#buffer.length),
        MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT,
        null,
        null,
      ),
    );
    if (peeked < 0) return this.#receiveFailed();
    if (peeked > this.#buffer.length) this.#buffer = new Uint8Array(peeked);
    const from = new Uint8Array(SOCKADDR_NL_SIZE);
    const fromLength = new Uint32Array([SOCKADDR_NL_SIZE]);
    const received = Number(
      this.libc.recvfrom(
        this.fd,
        this.#buffer,
        BigInt(this.#buffer.length),
        MSG_DONTWAIT,
        from,
        fromLength,
      ),
    );
    if (received < 0) return this.#receiveFailed();
    const senderPid = new DataView(from.buffer).getUint32(4, HOST_LITTLE_ENDIAN);
    return senderPid === 0 ? this.#buffer.slice(0, received) : null;
  }

  #receiveFailed(): null {
    const code = errno(this.libc);
    // Readable by poll but gone by now (another reader, or a signal): wait again.
    if (code === EAGAIN || code === EINTR) return null;
    throw new NetlinkSocketError("recvfrom", code);
  }
}
