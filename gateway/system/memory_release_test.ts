import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import { createLogger } from "../../lib/log.ts";
import {
  CHECK_INTERVAL_MS,
  MAX_RELEASE_INTERVAL_MS,
  memoryRelease,
  MIN_RELEASE_INTERVAL_MS,
  RELEASE_GROWTH_BYTES,
  runMemoryRelease,
} from "./memory_release.ts";

Deno.test("memoryRelease() trims with glibc's malloc_trim when FFI is allowed", () => {
  const { trim } = memoryRelease();
  assert(trim !== null, "expected glibc on this Linux machine");
  trim();
});

Deno.test({
  name: "memoryRelease() has no trim without --allow-ffi, and no collect without --expose-gc",
  permissions: { ffi: false },
  fn: () => assertEquals(memoryRelease(), { collect: null, trim: null }),
});

Deno.test("collect() is a full collection; with reduce it also hands the free pages back", async () => {
  // A process of its own: gc() needs --expose-gc, and the heap must start clean.
  const code = `
    import { memoryRelease } from ${
    JSON.stringify(new URL("./memory_release.ts", import.meta.url).href)
  };
    const { collect } = memoryRelease();
    const kept = [];
    let garbage = [];
    for (let i = 0; i < 400000; i++) {
      const o = { i, list: [i, i + 1] };
      garbage.push(o);
      if (i % 8 === 0) kept.push(o);
    }
    garbage = null;
    collect();
    const plain = Deno.memoryUsage();
    collect({ reduce: true });
    const reduced = Deno.memoryUsage();
    console.log(JSON.stringify({ plain, reduced, kept: kept.length }));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--v8-flags=--expose-gc", code],
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert(out.success, new TextDecoder().decode(out.stderr));
  const { plain, reduced, kept } = JSON.parse(text);
  assertEquals(kept, 50_000);
  const MB = 1e6;
  // Measured: plain 31 MB of heap for 10 MB in use; reduced 11 MB. A young-generation
  // collection alone would leave the promoted garbage in use (~40 MB).
  assert(plain.heapUsed < 16 * MB, `a plain collect is a full one: ${text}`);
  assert(plain.heapTotal > plain.heapUsed + 10 * MB, `plain collect kept its pages: ${text}`);
  assert(reduced.heapTotal < reduced.heapUsed + 4 * MB, `reduced heap: ${text}`);
  assert(reduced.heapTotal < plain.heapTotal / 2, text);
});

Deno.test("runMemoryRelease() collects, then trims, when the heap has grown", async (t) => {
  const clock = new FakeClock();
  const lines: string[] = [];
  const log = createLogger({ component: "test", write: (l) => lines.push(l) });
  const MiB = 1024 * 1024;
  let used = 40 * MiB;
  const calls: string[] = [];
  const release = {
    collect: () => (calls.push("collect"), used = 30 * MiB),
    trim: () => calls.push("trim"),
  };
  const stop = new AbortController();
  const loop = runMemoryRelease({ clock, log, release, usage: () => used }, stop.signal);
  const seconds = async (n: number) => {
    for (let i = 0; i < n; i++) await clock.tick(CHECK_INTERVAL_MS);
  };

  await t.step("not while the growth stays below the threshold", async () => {
    used += RELEASE_GROWTH_BYTES - 1;
    await seconds(10);
    assertEquals(calls, []);
  });
  await t.step("at once when it reaches it", async () => {
    used += 1;
    await seconds(1);
    assertEquals(calls, ["collect", "trim"]);
  });
  await t.step("growth counts from the low point V8's own collections leave", async () => {
    used = 20 * MiB; // one of V8's collections
    await seconds(1);
    used = 20 * MiB + RELEASE_GROWTH_BYTES;
    await seconds(1);
    assertEquals(calls.length, 2, "a release 2 s after the last one waits");
    await seconds(MIN_RELEASE_INTERVAL_MS / CHECK_INTERVAL_MS - 3);
    assertEquals(calls.length, 2);
    await seconds(1);
    assertEquals(calls.length, 4);
  });
  await t.step(
    `a trim without a collection at least every ${MAX_RELEASE_INTERVAL_MS} ms`,
    async () => {
      await seconds(MAX_RELEASE_INTERVAL_MS / CHECK_INTERVAL_MS - 1);
      assertEquals(calls.length, 4);
      await seconds(1);
      assertEquals(calls.slice(4), ["trim"]);
    },
  );
  stop.abort();
  await loop;
  assertEquals(lines, []);
});

Deno.test("runMemoryRelease() without one of the two says which and does the other", async (t) => {
  const clock = new FakeClock();
  const lines: string[] = [];
  const log = createLogger({ component: "test", write: (l) => lines.push(l) });

  await t.step("trim only", async () => {
    let trims = 0;
    const stop = new AbortController();
    const loop = runMemoryRelease(
      { clock, log, release: { collect: null, trim: () => trims++ }, usage: () => 0 },
      stop.signal,
    );
    for (let i = 0; i < MAX_RELEASE_INTERVAL_MS / CHECK_INTERVAL_MS; i++) {
      await clock.tick(CHECK_INTERVAL_MS);
    }
    assertEquals(trims, 1);
    stop.abort();
    await loop;
    assertEquals(lines.length, 1);
    assert(lines[0]!.includes("needs --v8-flags=--expose-gc"));
  });
  await t.step("neither: it ends at once", async () => {
    await runMemoryRelease(
      { clock, log, release: { collect: null, trim: null } },
      new AbortController().signal,
    );
    assertEquals(lines.length, 2);
  });
});
