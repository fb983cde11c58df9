/**
 * Reads the kernel's pseudo-files (`/proc`, `/sys`) through libc FFI.
 * Deno refuses those paths to `Deno.readTextFile` and `Deno.readDir`
 * unless the program runs with `--allow-all`, which the agent must not;
 * `--allow-ffi`, which it needs for netlink anyway, reaches them through
 * `open`/`read`/`close` and `opendir`/`readdir`/`closedir`.
 *
 * `read` runs on a worker thread (a `nonblocking` symbol): a sysfs
 * attribute may be backed by a slow bus (hwmon over I2C, the firmware's
 * mailbox) and must not stall the event loop. The calls whose errno
 * matters run on the main thread, because errno is per thread.
 *
 * Numbers from glibc's <fcntl.h> and <dirent.h> (the same on x86_64 and
 * aarch64, the two targets).
 */
import { describeErrno } from "./netlink/_errno.ts";

/** Reads /proc and /sys; the real one is {@linkcode ffiKernelFiles}, the fake `fakeKernelFiles`. */
export interface KernelFiles {
  /** A /proc or /sys file's text; null when it does not exist (ENOENT). */
  read(path: string): Promise<string | null>;
  /** Entry names of a /sys directory; [] when it does not exist. */
  list(dir: string): Promise<string[]>;
}

/** A kernel file or directory that exists but cannot be read. */
export class KernelFileError extends Error {
  override name = "KernelFileError";
  constructor(
    readonly call: string,
    readonly path: string,
    /** errno, when the call set one. */
    readonly errno: number | null,
    reason?: string,
  ) {
    super(
      `Cannot read ${path}: ${call} failed` +
        (errno !== null ? ` with ${describeErrno(errno)}` : "") +
        (reason ? `: ${reason}` : ""),
    );
  }
}

const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;
const ENOENT = 2;
const EINTR = 4;
/** `offsetof(struct dirent, d_name)` in glibc's 64-bit `struct dirent`: ino u64, off i64, reclen u16, type u8. */
const D_NAME_OFFSET = 19;
/** Larger files are refused: every file the agent reads is a few KiB. */
const MAX_BYTES = 1024 * 1024;
const CHUNK = 16 * 1024;

const SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  readWaiting: {
    name: "read",
    parameters: ["i32", "buffer", "usize"],
    result: "isize",
    nonblocking: true,
  },
  close: { parameters: ["i32"], result: "i32" },
  opendir: { parameters: ["buffer"], result: "pointer" },
  readdir: { parameters: ["pointer"], result: "pointer" },
  closedir: { parameters: ["pointer"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;
type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let libc: Libc | undefined;
function loadLibc(): Libc {
  libc ??= Deno.dlopen("libc.so.6", SYMBOLS).symbols;
  return libc;
}

/** This (the main) thread's errno, as a live view. */
function errnoCell(c: Libc): Int32Array {
  const location = c.__errno_location();
  if (location === null) return new Int32Array(1);
  return new Int32Array(Deno.UnsafePointerView.getArrayBuffer(location, 4));
}

/** errno of the last libc call on this thread; read it straight after the call. */
function errno(c: Libc): number {
  return errnoCell(c)[0]!;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function cString(path: string): Uint8Array<ArrayBuffer> {
  if (path.includes("\0")) throw new TypeError(`Invalid path ${JSON.stringify(path)}: holds NUL`);
  return encoder.encode(path + "\0");
}

/** Reads until end of file; a failed threaded read is repeated here to learn its errno. */
async function readAll(c: Libc, fd: number, path: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = new Uint8Array(CHUNK);
    let n = Number(await c.readWaiting(fd, chunk, BigInt(CHUNK)));
    if (n < 0) {
      n = Number(c.read(fd, chunk, BigInt(CHUNK)));
      if (n < 0) {
        const code = errno(c);
        if (code === EINTR) continue;
        throw new KernelFileError("read", path, code);
      }
    }
    if (n === 0) break;
    total += n;
    if (total > MAX_BYTES) {
      throw new KernelFileError("read", path, null, `larger than ${MAX_BYTES} bytes`);
    }
    chunks.push(chunk.subarray(0, n));
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function listEntries(c: Libc, dir: Deno.PointerObject, path: string): string[] {
  const names: string[] = [];
  const errnoView = errnoCell(c);
  for (;;) {
    // readdir returns null both at the end and on failure; only errno tells them apart.
    errnoView[0] = 0;
    const entry = c.readdir(dir);
    if (entry === null) {
      const code = errno(c);
      if (code !== 0) throw new KernelFileError("readdir", path, code);
      return names;
    }
    const name = new Deno.UnsafePointerView(entry).getCString(D_NAME_OFFSET);
    if (name !== "." && name !== "..") names.push(name);
  }
}

/**
 * The real {@linkcode KernelFiles}: libc through FFI (needs `--allow-ffi`).
 * Works for any path, e.g. `/etc/machine-id` too.
 *
 * @example
 * ```ts
 * const load = await ffiKernelFiles.read("/proc/loadavg"); // "0.12 0.08 0.05 1/123 4567\n"
 * const ifaces = await ffiKernelFiles.list("/sys/class/net"); // ["eth0", "lo"]
 * ```
 */
export const ffiKernelFiles: KernelFiles = {
  async read(path) {
    const c = loadLibc();
    const fd = c.open(cString(path), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      const code = errno(c);
      if (code === ENOENT) return null;
      throw new KernelFileError("open", path, code);
    }
    try {
      return decoder.decode(await readAll(c, fd, path));
    } finally {
      c.close(fd);
    }
  },
  list(path) {
    const c = loadLibc();
    const dir = c.opendir(cString(path));
    if (dir === null) {
      const code = errno(c);
      if (code === ENOENT) return Promise.resolve([]);
      return Promise.reject(new KernelFileError("opendir", path, code));
    }
    try {
      return Promise.resolve(listEntries(c, dir, path).sort());
    } finally {
      c.closedir(dir);
    }
  },
};
