import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import { createLogger } from "../../lib/log.ts";
import { memoryRelease, RELEASE_INTERVAL_MS, runMemoryRelease } from "./memory_release.ts";

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

Deno.test("runMemoryRelease() collects, then trims, once per interval until aborted", async (t) => {
  const clock = new FakeClock();
  const lines: string[] = [];
  const log = createLogger({ component: "test", write: (l) => lines.push(l) });

  await t.step("with both", async () => {
    const calls: string[] = [];
    const stop = new AbortController();
    const loop = runMemoryRelease({
      clock,
      log,
      release: { collect: () => calls.push("collect"), trim: () => calls.push("trim") },
    }, stop.signal);
    await clock.tick(RELEASE_INTERVAL_MS - 1);
    assertEquals(calls, []);
    await clock.tick(1);
    await clock.tick(RELEASE_INTERVAL_MS);
    assertEquals(calls, ["collect", "trim", "collect", "trim"]);
    stop.abort();
    await loop;
    assertEquals(lines, []);
  });
  await t.step("with one, it says which is missing and does the other", async () => {
    let trims = 0;
    const stop = new AbortController();
    const loop = runMemoryRelease(
      { clock, log, release: { collect: null, trim: () => trims++ } },
      stop.signal,
    );
    await clock.tick(RELEASE_INTERVAL_MS);
    assertEquals(trims, 1);
    stop.abort();
    await loop;
    assertEquals(lines.length, 1);
    assert(lines[0]!.includes("needs --v8-flags=--expose-gc"));
  });
  await t.step("with neither, it ends at once", async () => {
    await runMemoryRelease(
      { clock, log, release: { collect: null, trim: null } },
      new AbortController().signal,
    );
    assertEquals(lines.length, 2);
  });
});
