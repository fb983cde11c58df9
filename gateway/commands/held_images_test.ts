import { assertEquals } from "../../lib/testing/assert.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import { HeldImages } from "./held_images.ts";

const image = (size: number) => ({ contentType: "image/jpeg", data: new Uint8Array(size) });

Deno.test("a held image is handed over once", () => {
  const held = new HeldImages({ ttlMs: 300_000, maxBytes: 1000 }, () => 0);
  held.hold("cmd-a", image(10));
  assertEquals(held.has("cmd-a"), true);
  assertEquals(held.take("cmd-a")?.data.length, 10);
  assertEquals([held.take("cmd-a"), held.has("cmd-a"), held.bytes], [null, false, 0]);
});

Deno.test("a held image nobody fetches goes after its time", async () => {
  const clock = new FakeClock();
  const held = new HeldImages({ ttlMs: 300_000, maxBytes: 1000 }, () => clock.now());
  held.hold("cmd-a", image(10));
  await clock.tick(299_999);
  assertEquals(held.has("cmd-a"), true);
  await clock.tick(1);
  assertEquals([held.take("cmd-a"), held.bytes], [null, 0]);
});

Deno.test("holding past the byte bound lets the oldest go, never the newest", () => {
  const held = new HeldImages({ ttlMs: 300_000, maxBytes: 100 }, () => 0);
  held.hold("cmd-a", image(40));
  held.hold("cmd-b", image(40));
  held.hold("cmd-c", image(40));
  assertEquals([held.has("cmd-a"), held.has("cmd-b"), held.has("cmd-c")], [false, true, true]);
  held.hold("cmd-d", image(150));
  assertEquals([held.has("cmd-c"), held.has("cmd-d"), held.bytes], [false, true, 150]);
});
