import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import { createLogger } from "../../lib/log.ts";
import { mallocTrim, runMallocTrim, TRIM_INTERVAL_MS } from "./malloc_trim.ts";

Deno.test("mallocTrim() returns glibc's malloc_trim when FFI is allowed", () => {
  const trim = mallocTrim();
  assert(trim !== null, "expected glibc on this Linux machine");
  trim();
});

Deno.test({
  name: "mallocTrim() is null without --allow-ffi",
  permissions: { ffi: false },
  fn: () => assertEquals(mallocTrim(), null),
});

Deno.test("runMallocTrim() trims once per interval until aborted", async (t) => {
  const clock = new FakeClock();
  const lines: string[] = [];
  const log = createLogger({ component: "test", write: (l) => lines.push(l) });

  await t.step("with a trimmer", async () => {
    let trims = 0;
    const stop = new AbortController();
    const loop = runMallocTrim({ clock, log, trim: () => trims++ }, stop.signal);
    await clock.tick(TRIM_INTERVAL_MS - 1);
    assertEquals(trims, 0);
    await clock.tick(1);
    await clock.tick(TRIM_INTERVAL_MS);
    assertEquals(trims, 2);
    stop.abort();
    await loop;
    assertEquals(lines, []);
  });
  await t.step("without one it says so once and ends", async () => {
    await runMallocTrim({ clock, log, trim: null }, new AbortController().signal);
    assertEquals(lines.length, 1);
    assert(lines[0]!.includes("malloc_trim unavailable"));
  });
});
