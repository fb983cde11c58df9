/**
 * How full a file system is, by libc's `statvfs` through FFI: the agent
 * already holds `--allow-ffi` for netlink and kernel files, whereas
 * `node:fs` statfs would add `--allow-sys=statfs` and read access to `/`.
 */

/** The numbers `df -B1` shows for the file system holding a path. */
export interface DiskUsage {
  /** Size of the file system, bytes (f_blocks × f_frsize). */
  totalBytes: number;
  /** Free, counting the blocks reserved for root (f_bfree × f_frsize). */
  freeBytes: number;
  /** Free for unprivileged programs (f_bavail × f_frsize): df's "Available". */
  availableBytes: number;
}

/** Reads how full the file system holding a path is. */
export interface DiskSpace {
  /** The usage of the file system holding `path`; null when `path` does not exist. */
  usage(path: string): Promise<DiskUsage | null>;
}

/** df's "Use%" without its rounding up: used / (used + available), percent. */
export function usedPercent(usage: DiskUsage): number {
  const used = usage.totalBytes - usage.freeBytes;
  const base = used + usage.availableBytes;
  return base > 0 ? (100 * used) / base : 0;
}

// glibc's struct statvfs on the 64-bit targets Deno runs on (x86_64, aarch64): every field
// before f_fsid is 8 bytes; checked with offsetof() in a C program.
const STATVFS_SIZE = 112;
const F_FRSIZE = 8;
const F_BLOCKS = 16;
const F_BFREE = 24;
const F_BAVAIL = 32;
const ENOENT = 2;

const SYMBOLS = {
  statvfs: { parameters: ["buffer", "buffer"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/**
 * The real file systems, through libc's `statvfs(3)`. Needs `--allow-ffi`.
 *
 * @param libraryPath the C library to load
 * @throws {Error} from `usage` naming the path and errno when statvfs fails otherwise than ENOENT
 */
export function libcDiskSpace(libraryPath = "libc.so.6"): DiskSpace {
  let libc: Deno.DynamicLibrary<typeof SYMBOLS>["symbols"] | null = null;
  return {
    usage(path) {
      libc ??= Deno.dlopen(libraryPath, SYMBOLS).symbols;
      const buffer = new Uint8Array(STATVFS_SIZE);
      const result = libc.statvfs(new TextEncoder().encode(`${path}\0`), buffer);
      if (result !== 0) {
        // errno is per thread: read it straight after the call, on this (the main) thread.
        const location = libc.__errno_location();
        const errno = location === null ? 0 : new Deno.UnsafePointerView(location).getInt32();
        if (errno === ENOENT) return Promise.resolve(null);
        return Promise.reject(new Error(`Cannot statvfs "${path}": errno ${errno}`));
      }
      const view = new DataView(buffer.buffer);
      const blockSize = Number(view.getBigUint64(F_FRSIZE, true));
      const blocks = (offset: number) => Number(view.getBigUint64(offset, true)) * blockSize;
      return Promise.resolve({
        totalBytes: blocks(F_BLOCKS),
        freeBytes: blocks(F_BFREE),
        availableBytes: blocks(F_BAVAIL),
      });
    },
  };
}
