import { assert, assertEquals, assertThrows } from "../../lib/testing/assert.ts";
import { StreamRegistry } from "./stream_registry.ts";

Deno.test("StreamRegistry", async (t) => {
  await t.step("a caller at its limit keeps its new stream and loses its oldest", () => {
    const streams = new StreamRegistry({ perCaller: 2, total: 10 });
    const first = streams.admit("vera")!;
    const second = streams.admit("vera")!;
    const third = streams.admit("vera")!;
    assertEquals([first, second, third].map((s) => s.signal.aborted), [true, false, false]);
    assertEquals(streams.openOf("vera"), 2);
    const fourth = streams.admit("vera")!;
    assertEquals([second, fourth].map((s) => s.signal.aborted), [true, false]);
    assertEquals(streams.open, 2);
  });

  await t.step("another caller's streams are not touched", () => {
    const streams = new StreamRegistry({ perCaller: 1, total: 10 });
    const wallboard = streams.admit("token:7")!;
    streams.admit("vera");
    streams.admit("vera");
    assertEquals(wallboard.signal.aborted, false);
    assertEquals([streams.openOf("token:7"), streams.openOf("vera")], [1, 1]);
  });

  await t.step("a released stream frees its place, once however often released", () => {
    const streams = new StreamRegistry({ perCaller: 2, total: 2 });
    const first = streams.admit("vera")!;
    const second = streams.admit("vera")!;
    first.release();
    first.release();
    assertEquals(streams.open, 1);
    assert(streams.admit("ops"), "the freed place goes to another caller");
    assertEquals(second.signal.aborted, false);
    assertEquals(streams.admit("nobody"), null);
  });

  await t.step("an evicted stream releasing itself later frees nothing twice", () => {
    const streams = new StreamRegistry({ perCaller: 1, total: 2 });
    const old = streams.admit("vera")!;
    streams.admit("vera");
    streams.admit("ops");
    old.release();
    assertEquals(streams.open, 2);
    assertEquals(streams.admit("third"), null);
  });

  await t.step("when all places are taken, a caller with none is refused", () => {
    const streams = new StreamRegistry({ perCaller: 3, total: 4 });
    const held = [
      streams.admit("a")!,
      streams.admit("a")!,
      streams.admit("b")!,
      streams.admit("b")!,
    ];
    assertEquals(streams.admit("c"), null);
    assertEquals(held.map((s) => s.signal.aborted), [false, false, false, false]);
    assertEquals(streams.open, 4);
  });

  await t.step("when all places are taken, a caller with one swaps its oldest", () => {
    const streams = new StreamRegistry({ perCaller: 2, total: 2 });
    const a = streams.admit("a")!;
    const b = streams.admit("b")!;
    const again = streams.admit("b")!;
    assertEquals([a, b, again].map((s) => s.signal.aborted), [false, true, false]);
    assertEquals([streams.openOf("a"), streams.openOf("b"), streams.open], [1, 1, 2]);
  });

  await t.step("limits that admit nothing are refused when made", () => {
    assertThrows(() => new StreamRegistry({ perCaller: 0, total: 5 }), RangeError);
    assertThrows(() => new StreamRegistry({ perCaller: 4, total: 2 }), RangeError);
  });
});
