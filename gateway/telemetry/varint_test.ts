import fc from "fast-check";
import { assertEquals, assertThrows } from "../../lib/testing/assert.ts";
import {
  ByteReader,
  ByteWriter,
  floatWords,
  MAX_VARINT,
  svarintLength,
  wordsFloat,
} from "./varint.ts";

const NUM_RUNS = Number(Deno.env.get("HALO_FC_RUNS") ?? 300);
const SEED = Number(Deno.env.get("HALO_FC_SEED") ?? 20261123);

const EDGES = [
  0,
  1,
  63,
  64,
  127,
  128,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  8.64e15,
  Number.MAX_SAFE_INTEGER,
  MAX_VARINT,
];

function roundTrip(write: (w: ByteWriter) => void, read: (r: ByteReader) => void): void {
  const w = new ByteWriter(1);
  write(w);
  const r = new ByteReader(w.finish(), "test");
  read(r);
  r.end();
}

Deno.test("varints round-trip every integer up to 2^53 in magnitude", async (t) => {
  await t.step("edge values, unsigned and signed", () => {
    const signed = EDGES.flatMap((n) => [n, -n, n - 1, -n + 1]).filter((n) => n >= -MAX_VARINT);
    roundTrip((w) => EDGES.forEach((n) => w.uvarint(n)), (r) => {
      for (const n of EDGES) assertEquals(r.uvarint(), n);
    });
    roundTrip((w) => signed.forEach((n) => w.svarint(n)), (r) => {
      for (const n of signed) assertEquals(r.svarint(), n === 0 ? 0 : n);
    });
  });

  await t.step("random safe integers, with svarintLength() matching the bytes written", () => {
    fc.assert(
      fc.property(fc.array(fc.maxSafeInteger()), (ns) => {
        const w = new ByteWriter(1);
        for (const n of ns) {
          const before = w.length;
          w.svarint(n);
          assertEquals(w.length - before, svarintLength(n), `length of ${n}`);
        }
        const r = new ByteReader(w.finish(), "test");
        for (const n of ns) assertEquals(r.svarint(), n);
        r.end();
      }),
      { numRuns: NUM_RUNS, seed: SEED },
    );
  });
});

Deno.test("ByteReader throws a RangeError on truncated or oversized input", async (t) => {
  await t.step("every truncation of a varint", () => {
    const w = new ByteWriter();
    w.uvarint(Number.MAX_SAFE_INTEGER);
    const bytes = w.finish();
    for (let len = 0; len < bytes.length; len++) {
      assertThrows(
        () => new ByteReader(bytes.subarray(0, len), "x").uvarint(),
        RangeError,
        "truncated",
      );
    }
  });

  await t.step("a varint above 2^53", () => {
    const over = new Uint8Array([0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]); // 2^53 + 1
    assertThrows(() => new ByteReader(over, "x").uvarint(), RangeError, "above 2^53");
    const endless = new Uint8Array(100).fill(0xff);
    assertThrows(() => new ByteReader(endless, "x").uvarint(), RangeError, "above 2^53");
    assertThrows(() => new ByteReader(endless, "x").svarint(), RangeError, "above 2^53");
  });

  await t.step("bytes past the end, and trailing bytes", () => {
    assertThrows(() => new ByteReader(new Uint8Array(3), "thing").bytes(4), RangeError, "thing");
    const r = new ByteReader(new Uint8Array(3), "thing");
    r.byte();
    assertThrows(() => r.end(), RangeError, "2 unexpected trailing bytes");
  });
});

Deno.test("floatWords() and wordsFloat() are inverse on every bit pattern", () => {
  fc.assert(
    fc.property(fc.double(), (v) => {
      const [hi, lo] = floatWords(v);
      assertEquals(wordsFloat(hi, lo), v);
    }),
    { numRuns: NUM_RUNS, seed: SEED },
  );
  assertEquals(floatWords(-0), [0x80000000, 0]);
  assertEquals(floatWords(1), [0x3ff00000, 0]);
});

Deno.test("ByteWriter.reset() starts over in the same buffer, past its first size too", () => {
  const w = new ByteWriter(16);
  for (let i = 0; i < 40; i++) w.uvarint(300);
  assertEquals(w.length, 80);
  w.reset();
  assertEquals(w.length, 0);
  w.svarint(-1);
  w.byte(7);
  assertEquals([...w.finish()], [1, 7]);
});
