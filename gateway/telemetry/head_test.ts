import { assertEquals, assertThrows } from "../../lib/testing/assert.ts";
import { Head } from "./head.ts";

/** Every frozen sample per series, as compaction reads them. */
function frozenSamples(frozen: ReturnType<Head["freeze"]>): Record<number, [number, number][]> {
  const out: Record<number, [number, number][]> = {};
  for (const id of frozen.seriesIds()) {
    const samples: [number, number][] = out[id] = [];
    frozen.forEach(id, (ts, value) => samples.push([ts, value]));
  }
  return out;
}

Deno.test("Head keeps each series' samples across blocks, in arrival order", async (t) => {
  const head = new Head();
  // Interleaved series, 50 samples each: several blocks per series, chained.
  for (let i = 0; i < 50; i++) {
    head.add(7, 1000 + i, i);
    head.add(3, 2000 + i, -i);
  }
  await t.step("range() returns the points in [from, to] sorted", () => {
    const r = head.range(7, 1010, 1039);
    assertEquals(r.ts, Array.from({ length: 30 }, (_, i) => 1010 + i));
    assertEquals(r.values, Array.from({ length: 30 }, (_, i) => 10 + i));
    assertEquals(head.range(3, 0, 2001), { ts: [2000, 2001], values: [-0, -1] });
    assertEquals(head.range(99, 0, 1e6), { ts: [], values: [] });
  });
  await t.step("a later arrival wins on an equal timestamp, in range() and latest()", () => {
    head.add(7, 1020, 99);
    head.add(7, 1049, 42);
    assertEquals(head.range(7, 1019, 1021).values, [19, 99, 21]);
    assertEquals(head.latest(7), { ts: 1049, value: 42 });
    assertEquals(head.latest(99), null);
    assertEquals(head.sampleCount, 102);
  });
});

Deno.test("Head.freeze() hands the samples to compaction while queries still see them", async (t) => {
  const head = new Head();
  for (let i = 0; i < 20; i++) head.add(1, i * 10, i);
  head.add(2, 5, 0.5);
  const frozen = head.freeze();
  head.add(1, 200, 20);
  head.add(1, 190, 19.5);

  await t.step("the frozen view holds what was live, the live head what came after", () => {
    assertEquals(frozen.seriesIds(), [1, 2]);
    const samples = frozenSamples(frozen);
    assertEquals(samples[1]!.length, 20);
    assertEquals(samples[2], [[5, 0.5]]);
    assertEquals(head.sampleCount, 2);
  });
  await t.step("queries read frozen and live samples, the live ones winning", () => {
    assertEquals(head.range(1, 170, 200), { ts: [170, 180, 190, 200], values: [17, 18, 19.5, 20] });
    assertEquals(head.latest(1), { ts: 200, value: 20 });
  });
  await t.step("a second freeze before release is refused", () => {
    assertThrows(() => head.freeze(), Error, "already under way");
  });
  await t.step("release() drops the frozen samples and puts kept ones before the live ones", () => {
    head.release({ seriesIds: [1, 1, 3], ts: [190, 195, 7], values: [1, 2, 8] });
    assertEquals(head.range(1, 0, 1000), { ts: [190, 195, 200], values: [19.5, 2, 20] });
    assertEquals(head.range(2, 0, 1000), { ts: [], values: [] });
    assertEquals(head.range(3, 0, 1000), { ts: [7], values: [8] });
    assertEquals(head.sampleCount, 5);
  });
});

Deno.test("Head.thaw() puts the frozen samples back in front of the live ones", () => {
  const head = new Head();
  for (let i = 0; i < 40; i++) head.add(1, i, i);
  head.freeze();
  head.add(1, 39, -1);
  head.add(4, 1, 1);
  head.thaw();
  assertEquals(head.sampleCount, 42);
  const r = head.range(1, 0, 100);
  assertEquals(r.ts.length, 40);
  assertEquals(r.values.at(-1), -1);
  assertEquals(head.latest(4), { ts: 1, value: 1 });
  // Compaction can start again.
  assertEquals(head.freeze().seriesIds(), [1, 4]);
});

Deno.test("Head reuses the blocks of released windows", () => {
  const head = new Head();
  const series = 5000;
  let bytes = 0;
  for (let window = 0; window < 5; window++) {
    for (let k = 0; k < 60; k++) {
      for (let id = 0; id < series; id++) head.add(id, window * 1000 + k, id + k);
    }
    const frozen = head.freeze();
    let n = 0;
    frozen.forEach(series - 1, () => n++);
    assertEquals(n, 60);
    head.release();
    if (window === 0) bytes = head.bytes;
    assertEquals(head.bytes, bytes);
  }
  // One slab of raw blocks (16,384 × 8 samples × 16 B), one of encoded bytes (16,384 × 64 B).
  assertEquals(bytes, 2 * 1024 * 1024 + 1024 * 1024);
  assertEquals(head.sampleCount, 0);
  head.add(1, 1, 1);
  assertEquals(head.range(1, 0, 10), { ts: [1], values: [1] });
});

Deno.test("Head gives back every timestamp and float bit it was given, in arrival order", () => {
  const head = new Head();
  const given: [number, number][] = [];
  const values = [0, -0, 21.5, 0.1 + 0.2, 1e300, -5e-324, 3.14159, 12345678.9, -42, 2 ** 52];
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < 203; i++) {
    // Regular steps, late and repeated timestamps, and jumps across the whole range.
    const ts = i % 50 === 49
      ? (i % 100 === 99 ? 8.64e15 : 0)
      : 1_700_000_000_000 + i * 10_000 - (i % 7 === 0 ? Math.floor(random() * 6e8) : 0);
    const value = i % 3 === 0 ? values[i % values.length]! : Math.round(random() * 1e4) / 100;
    head.add(5, ts, value);
    given.push([ts, value]);
  }
  const frozen = head.freeze();
  const read: [number, number][] = [];
  frozen.forEach(5, (ts, value) => read.push([ts, value]));
  assertEquals(read.length, given.length);
  for (let i = 0; i < given.length; i++) {
    assertEquals(read[i]![0], given[i]![0], `ts of sample ${i}`);
    assertEquals(Object.is(read[i]![1], given[i]![1]), true, `value of sample ${i}`);
  }
});
