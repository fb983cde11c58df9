import { type Clock, pause } from "../../lib/clock.ts";
import type { Logger } from "../../lib/log.ts";

/**
 * Ways to give memory back to the kernel; each is null where the process
 * cannot have it.
 *
 * Why: V8 lets its old generation grow to about twice what was live after
 * its last major collection before it collects again, and under steady
 * ingest most of that growth is garbage (request objects that lived through
 * the group commit's wait). The buffers that garbage holds (request bodies,
 * typed arrays' backing stores) live in glibc's malloc heap, which keeps
 * what is freed and returns only the heap's top to the kernel. Measured with
 * 200 nodes at the realistic rate: resident memory ~185 MB with neither,
 * ~145 MB trimming every 20 s, ~133 MB collecting and trimming every 20 s
 * (a full collection takes 20-35 ms there).
 */
export interface MemoryRelease {
  /** A full garbage collection: V8's `gc()`, exposed by `--v8-flags=--expose-gc`. */
  collect: (() => void) | null;
  /** glibc's `malloc_trim(0)` through FFI (`--allow-ffi`; not on musl or macOS). */
  trim: (() => void) | null;
}

/** What this process can release with: see {@linkcode MemoryRelease}. */
export function memoryRelease(): MemoryRelease {
  const gc = (globalThis as { gc?: () => void }).gc;
  return { collect: typeof gc === "function" ? () => gc() : null, trim: mallocTrim() };
}

function mallocTrim(): (() => void) | null {
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
  let libc;
  try {
    libc = Deno.dlopen("libc.so.6", { malloc_trim: { parameters: ["usize"], result: "i32" } });
  } catch {
    return null;
  }
  const { malloc_trim } = libc.symbols;
  return () => void malloc_trim(0n);
}

/** How often {@linkcode runMemoryRelease} collects and trims. */
export const RELEASE_INTERVAL_MS = 20_000;

/**
 * Collects garbage, then trims the C heap, every {@linkcode RELEASE_INTERVAL_MS}
 * until `signal` aborts; says once what it cannot do.
 */
export async function runMemoryRelease(
  deps: { clock: Clock; log: Logger; release: MemoryRelease },
  signal: AbortSignal,
): Promise<void> {
  const { clock, log, release: { collect, trim } } = deps;
  if (!collect || !trim) {
    log.info("memory release limited", {
      gc: collect ? "yes" : "no (needs --v8-flags=--expose-gc)",
      malloc_trim: trim ? "yes" : "no (needs glibc and --allow-ffi)",
    });
  }
  if (!collect && !trim) return;
  while (await pause(clock, RELEASE_INTERVAL_MS, signal)) {
    collect?.();
    trim?.();
  }
}
