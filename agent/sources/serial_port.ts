/**
 * A serial port read through libc FFI. Deno refuses to open anything under
 * `/dev` unless the program runs with `--allow-all`, which the agent must
 * not; `--allow-ffi`, which it has for netlink, reaches the device through
 * `open`/`read`/`close`.
 *
 * The port opens read-only, without becoming the controlling terminal, in
 * non-blocking mode; waiting for bytes is a `poll` marked `nonblocking`, so it
 * runs on a worker thread and never stalls the event loop, while `read` (which
 * returns at once) runs on the main thread, where errno can be read. A
 * terminal is set raw at the requested speed with `cfmakeraw`, `cfsetispeed`
 * and `tcsetattr`; a path that is not a terminal (a FIFO, a file) is read as
 * it is.
 *
 * Numbers from glibc's <fcntl.h>, <poll.h> and <termios.h>, the same on
 * x86_64 and aarch64 (the two targets).
 */
import { describeErrno } from "../../lib/netlink/_errno.ts";
import { HOST_LITTLE_ENDIAN } from "../../lib/netlink/message.ts";

/** A stream of bytes from a device; the real one is {@linkcode openSerialPort}. */
export interface SerialPort {
  /**
   * The next bytes; null once the port is closed or the device reached its
   * end. @throws {SerialPortError} when the device fails (unplugged, hung up)
   */
  read(): Promise<Uint8Array | null>;
  /** Closes the port; a read in progress resolves null. Closing twice is harmless. */
  close(): void;
}

/** Options for {@linkcode openSerialPort}. */
export interface SerialPortOptions {
  /** Line speed in bit/s, one of {@linkcode SERIAL_BAUDS}. @default 9600 */
  baud?: number;
  /** The C library to load. @default "libc.so.6" */
  libraryPath?: string;
}

/** A libc call on the port failed. */
export class SerialPortError extends Error {
  override name = "SerialPortError";
  constructor(
    readonly call: string,
    readonly path: string,
    /** errno, when the call set one. */
    readonly errno: number | null,
    options: { reason?: string; cause?: unknown } = {},
  ) {
    super(
      `Serial port ${path}: ${call} failed: ${
        errno === null ? options.reason ?? "no errno" : describeErrno(errno)
      }`,
      { cause: options.cause },
    );
  }
}

/** Speeds a GPS receiver uses, and their `speed_t` constants. */
const BAUD_CODES: Readonly<Record<number, number>> = {
  4800: 0o14,
  9600: 0o15,
  19200: 0o16,
  38400: 0o17,
  57600: 0o10001,
  115200: 0o10002,
  230400: 0o10003,
  460800: 0o10004,
};
/** Speeds {@linkcode openSerialPort} accepts. */
export const SERIAL_BAUDS: readonly number[] = Object.keys(BAUD_CODES).map(Number);

const O_RDONLY = 0;
const O_NOCTTY = 0o400;
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;
const EINTR = 4;
const EAGAIN = 11;
const ENOTTY = 25;
const POLLIN = 0x001;
const TCSANOW = 0;
/** `struct termios` is 60 bytes in glibc; room to spare. */
const TERMIOS_SIZE = 128;
/** `offsetof(struct termios, c_cflag)`. */
const C_CFLAG_OFFSET = 8;
const CREAD = 0o200;
/** Ignore the modem lines: a GPS on three wires has no carrier detect. */
const CLOCAL = 0o4000;
/** A waiting read wakes this often to notice a close. */
const POLL_MS = 250;
const CHUNK = 4096;

const SYMBOLS = {
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  pollWaiting: {
    name: "poll",
    parameters: ["buffer", "u64", "i32"],
    result: "i32",
    nonblocking: true,
  },
  tcgetattr: { parameters: ["i32", "buffer"], result: "i32" },
  tcsetattr: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  cfmakeraw: { parameters: ["buffer"], result: "void" },
  cfsetispeed: { parameters: ["buffer", "u32"], result: "i32" },
  cfsetospeed: { parameters: ["buffer", "u32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;
type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

const libraries = new Map<string, Libc>();

function loadLibc(path: string): Libc {
  let libc = libraries.get(path);
  if (!libc) {
    libc = Deno.dlopen(path, SYMBOLS).symbols;
    libraries.set(path, libc);
  }
  return libc;
}

/** errno of the last libc call on this (the main) thread; read it straight after the call. */
function errno(libc: Libc): number {
  const location = libc.__errno_location();
  return location === null ? 0 : new Deno.UnsafePointerView(location).getInt32();
}

/**
 * Opens `path` read-only and, when it is a terminal, sets it raw at `baud`.
 *
 * @throws {RangeError} for a speed not in {@linkcode SERIAL_BAUDS}
 * @throws {SerialPortError} naming the call and errno, e.g. ENOENT or EACCES
 * @example
 * ```ts
 * const port = openSerialPort("/dev/ttyUSB0", { baud: 4800 });
 * const bytes = await port.read();
 * port.close();
 * ```
 */
export function openSerialPort(path: string, options: SerialPortOptions = {}): SerialPort {
  const baud = options.baud ?? 9600;
  const code = BAUD_CODES[baud];
  if (code === undefined) {
    throw new RangeError(`Serial speed ${baud} is not one of ${SERIAL_BAUDS.join(", ")}`);
  }
  const libc = loadLibc(options.libraryPath ?? "libc.so.6");
  const flags = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
  const fd = libc.open(new TextEncoder().encode(path + "\0"), flags, 0);
  if (fd < 0) throw new SerialPortError("open", path, errno(libc));
  try {
    setRaw(libc, fd, path, code);
  } catch (error) {
    libc.close(fd);
    throw error;
  }
  return new LibcSerialPort(libc, fd, path);
}

/** Raw mode at `speed`, ignoring modem lines; nothing to do for a path that is not a terminal. */
function setRaw(libc: Libc, fd: number, path: string, speed: number): void {
  const termios = new Uint8Array(TERMIOS_SIZE);
  if (libc.tcgetattr(fd, termios) < 0) {
    const code = errno(libc);
    if (code === ENOTTY) return;
    throw new SerialPortError("tcgetattr", path, code);
  }
  libc.cfmakeraw(termios);
  const view = new DataView(termios.buffer);
  const cflag = view.getUint32(C_CFLAG_OFFSET, HOST_LITTLE_ENDIAN);
  view.setUint32(C_CFLAG_OFFSET, cflag | CREAD | CLOCAL, HOST_LITTLE_ENDIAN);
  if (libc.cfsetispeed(termios, speed) < 0 || libc.cfsetospeed(termios, speed) < 0) {
    throw new SerialPortError("cfsetspeed", path, errno(libc));
  }
  if (libc.tcsetattr(fd, TCSANOW, termios) < 0) {
    throw new SerialPortError("tcsetattr", path, errno(libc));
  }
}

class LibcSerialPort implements SerialPort {
  readonly #buffer = new Uint8Array(CHUNK);
  #closed = false;
  #waiting = false;

  constructor(
    private readonly libc: Libc,
    private readonly fd: number,
    private readonly path: string,
  ) {}

  async read(): Promise<Uint8Array | null> {
    while (!this.#closed) {
      const n = Number(this.libc.read(this.fd, this.#buffer, BigInt(CHUNK)));
      if (n > 0) return this.#buffer.slice(0, n);
      if (n === 0) return null;
      const code = errno(this.libc);
      if (code !== EAGAIN && code !== EINTR) throw new SerialPortError("read", this.path, code);
      await this.#waitReadable();
    }
    return null;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // A poll on the worker thread still holds the fd; it is closed when that poll ends.
    if (!this.#waiting) this.libc.close(this.fd);
  }

  /** Waits up to POLL_MS on a worker thread; readable, hung up or not, the caller reads again. */
  async #waitReadable(): Promise<void> {
    const pollfd = new Uint8Array(8);
    const view = new DataView(pollfd.buffer);
    view.setInt32(0, this.fd, HOST_LITTLE_ENDIAN);
    view.setInt16(4, POLLIN, HOST_LITTLE_ENDIAN);
    this.#waiting = true;
    try {
      await this.libc.pollWaiting(pollfd, 1n, POLL_MS);
    } finally {
      this.#waiting = false;
      if (this.#closed) this.libc.close(this.fd);
    }
  }
}
