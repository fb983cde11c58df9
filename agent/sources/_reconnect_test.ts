import { assertEquals } from "../../lib/testing/assert.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import { backoffMs, reconnectLoop } from "./_reconnect.ts";

Deno.test("backoffMs() doubles from the minimum up to the maximum, jittered down to half", () => {
  const timing = { minBackoffMs: 500, maxBackoffMs: 30_000, random: () => 1 };
  assertEquals([1, 2, 3, 4, 7, 8, 1000].map((n) => backoffMs(n, timing)), [
    500,
    1000,
    2000,
    4000,
    30_000,
    30_000,
    30_000,
  ]);
  assertEquals(backoffMs(3, { ...timing, random: () => 0 }), 1000);
});

Deno.test("reconnectLoop() waits longer after each failure and starts over after a good session", async () => {
  const clock = new FakeClock();
  const controller = new AbortController();
  const outcomes = [false, false, false, true, false];
  const waits: number[] = [];
  let sessions = 0;
  const loop = reconnectLoop({
    clock,
    signal: controller.signal,
    minBackoffMs: 100,
    maxBackoffMs: 10_000,
    random: () => 1,
    session: () => {
      const good = outcomes[sessions++] ?? false;
      return good ? Promise.resolve(true) : Promise.reject(new Error("refused"));
    },
    onEnded: (_error, waitMs) => waits.push(waitMs),
  });
  for (let i = 0; i < 5; i++) await clock.tick(10_000);
  assertEquals(waits, [100, 200, 400, 100, 200]);
  controller.abort();
  await loop;
  assertEquals(sessions, 5, "no session after the abort");
});
