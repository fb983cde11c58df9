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
 * (a full collection takes 20-35 ms there); {@linkcode runMemoryRelease}
 * does it when the heap has grown instead of by the clock.
 */
export interface MemoryRelease {
  /** A full garbage collection: V8's `gc()`, exposed by `--v8-flags=--expose-gc`. */
  collect: CollectGarbage | null;
  /** glibc's `malloc_trim(0)` through FFI (`--allow-ffi`; not on musl or macOS). */
  trim: (() => void) | null;
}

/**
 * A full garbage collection. With `reduce`, V8 also compacts its heap and
 * hands the pages that frees back to the kernel (its "last-resort" flavour,
 * as under memory pressure); a plain one keeps them for the heap to grow into
 * again. Measured after compacting a 200-node head (1.2 million samples):
 * plain, 10.5 of 31.1 MB heap in use and resident memory unchanged; reduce,
 * 10.0 of 10.9 MB and 25 MiB less resident, in ~20 ms. The gateway reduces
 * once per compaction: at bench (b)'s load that measured ×1.015 CPU per
 * sample against none (A/B, side by side), for 12 MiB less resident after it.
 */
export type CollectGarbage = (options?: { reduce?: boolean }) => void;

/**
 * V8's `gc()` options for {@linkcode CollectGarbage}, always spelled out:
 * `gc(undefined)`, unlike `gc()`, only collects the young generation.
 */
const FULL = { type: "major", execution: "sync" } as const;
const REDUCE = { ...FULL, flavor: "last-resort" } as const;

/** What this process can release with: see {@linkcode MemoryRelease}. */
export function memoryRelease(): MemoryRelease {
  const gc = (globalThis as { gc?: (options: typeof FULL | typeof REDUCE) => void }).gc;
  return {
    collect: typeof gc === "function" ? (options) => gc(options?.reduce ? REDUCE : FULL) : null,
    trim: mallocTrim(),
  };
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

/** How often {@linkcode runMemoryRelease} looks at the heap. */
export const CHECK_INTERVAL_MS = 1000;
/** Growth of V8's heap and array buffers since the last release that makes the next one. */
export const RELEASE_GROWTH_BYTES = 8 * 1024 * 1024;
/** Releases come at least this far apart: under peak ingest a full collection every second would cost. */
export const MIN_RELEASE_INTERVAL_MS = 5000;
/** A trim at least this often, growth or not: V8's own collections free buffers only trimming returns. */
export const MAX_RELEASE_INTERVAL_MS = 60_000;

/** Bytes in V8's heap and in array buffers: what a collection can shrink. */
export function jsMemoryBytes(): number {
  const { heapUsed, external } = Deno.memoryUsage();
  return heapUsed + external;
}

/**
 * Collects garbage, then trims the C heap, once the heap and array buffers
 * have grown by {@linkcode RELEASE_GROWTH_BYTES} since the last time (or
 * since their low point after one of V8's own collections), and trims alone
 * at least every {@linkcode MAX_RELEASE_INTERVAL_MS}, until `signal` aborts.
 * A fixed period did not do: the gateway's first seconds under load (code
 * compiled, 200 connections opened) grew the heap by 15 MB before the first
 * release. A collection every minute regardless cost ~8 % of the CPU at 50
 * nodes (A/B, bench (b)'s load) and most of an idle gateway's. Says once
 * what it cannot do.
 */
export async function runMemoryRelease(
  deps: { clock: Clock; log: Logger; release: MemoryRelease; usage?: () => number },
  signal: AbortSignal,
): Promise<void> {
  const { clock, log, release: { collect, trim }, usage = jsMemoryBytes } = deps;
  if (!collect || !trim) {
    log.info("memory release limited", {
      gc: collect ? "yes" : "no (needs --v8-flags=--expose-gc)",
      malloc_trim: trim ? "yes" : "no (needs glibc and --allow-ffi)",
    });
  }
  if (!collect && !trim) return;
  let last = clock.now();
  let low = usage();
  while (await pause(clock, CHECK_INTERVAL_MS, signal)) {
    const used = usage();
    low = Math.min(low, used);
    const since = clock.now() - last;
    const grown = used - low >= RELEASE_GROWTH_BYTES && since >= MIN_RELEASE_INTERVAL_MS;
    if (!grown && since < MAX_RELEASE_INTERVAL_MS) continue;
    // A collection only for growth: an idle gateway's is pure cost, while V8's own
    // collections leave freed buffers that only trimming hands back.
    if (grown) collect?.();
    trim?.();
    last = clock.now();
    low = usage();
  }
}
