import fc from "fast-check";
import { crc32, deflateRawSync, inflateRawSync } from "node:zlib";
import { assert, assertEquals, assertThrows } from "../../lib/testing/assert.ts";
import {
  decodeChunk,
  decodeRollups,
  encodeChunk,
  encodeRollups,
  FORMAT_POINTS_V1,
  frame,
  MAX_TS,
  type Points,
  type Rollups,
} from "./chunk_codec.ts";

const NUM_RUNS = Number(Deno.env.get("HALO_FC_RUNS") ?? 300);
const SEED = Number(Deno.env.get("HALO_FC_SEED") ?? 20261123);
const FC = { numRuns: NUM_RUNS, seed: SEED };
const T0 = 1_763_900_000_000;

// ---------------------------------------------------------------------------
// Arbitraries: series as the store will meet them, and the awkward ones.

/** Values of one kind; a series draws all its values from one of these, or mixes them. */
const valueKinds = {
  anyDouble: fc.double(), // NaN, ±Infinity, -0, subnormals included
  finite: fc.double({ noNaN: true, noDefaultInfinity: true }),
  twoDecimals: fc.integer({ min: -2_000_000, max: 2_000_000 }).map((n) => n / 100),
  sixDecimals: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => n / 1e6),
  integers: fc.maxSafeInteger(),
  hugeIntegers: fc.constantFrom(2 ** 52, -(2 ** 52), 2 ** 52 + 2, 2 ** 53, 1e300, -1e21),
  subnormal: fc.double({ min: -2.2250738585072014e-308, max: 2.2250738585072014e-308 }),
  zeros: fc.constantFrom(0, -0, 5e-324, -5e-324),
  smallInts: fc.integer({ min: -3, max: 3 }),
  // Sums of decimals, a few float steps off a short decimal: the near-decimal encoding.
  sums: fc.array(fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 100), {
    minLength: 2,
    maxLength: 6,
  }).map((xs) => xs.reduce((a, b) => a + b, 0)),
  nudged: fc.tuple(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: -40, max: 40 })).map((
    [n, steps],
  ) => nudge(n / 1000, steps)),
};

/** `x` moved by `steps` float64 steps (bit patterns as integers). */
function nudge(x: number, steps: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, BigInt.asUintN(64, view.getBigUint64(0) + BigInt(steps)));
  return view.getFloat64(0);
}
const valueKind = fc.constantFrom(...Object.values(valueKinds));
const mixed = fc.oneof(...Object.values(valueKinds));

/** Gaps between timestamps: regular, jittered, equal, irregular, huge. */
const gap = fc.oneof(
  { weight: 4, arbitrary: fc.constant(10_000) },
  { weight: 2, arbitrary: fc.integer({ min: 9_990, max: 10_010 }) },
  fc.constant(0),
  fc.nat(100_000),
  fc.maxSafeNat(),
);
const firstTs = fc.oneof(
  fc.constant(T0),
  fc.constantFrom(0, 1, 2 ** 32, MAX_TS - 20_000, MAX_TS),
  fc.maxSafeNat().map((n) => n % (MAX_TS + 1)),
);

/** Non-decreasing timestamps in [0, MAX_TS] with the given gaps. */
function timestamps(first: number, gaps: number[]): number[] {
  const ts: number[] = [];
  let t = first;
  for (const g of gaps) {
    ts.push(t);
    t = Math.min(MAX_TS, t + g);
  }
  return ts;
}

const points: fc.Arbitrary<Points> = fc.tuple(
  firstTs,
  fc.oneof(valueKind, fc.constant(mixed)).chain((kind) =>
    fc.array(fc.tuple(gap, kind), { maxLength: 150 })
  ),
).map(([first, samples]) => ({
  ts: timestamps(first, samples.map(([g]) => g)),
  values: samples.map(([, v]) => v),
}));

const rollups: fc.Arbitrary<Rollups> = fc.tuple(
  firstTs,
  fc.array(fc.tuple(gap, mixed, mixed, mixed, fc.oneof(fc.nat(1000), mixed)), { maxLength: 100 }),
).map(([first, rows]) => ({
  ts: timestamps(first, rows.map((r) => r[0])),
  min: rows.map((r) => r[1]),
  max: rows.map((r) => r[2]),
  sum: rows.map((r) => r[3]),
  count: rows.map((r) => r[4]),
}));

/** A deterministic sensor: a slow random walk rounded to `decimals`. */
function walk(n: number, start: number, step: number, decimals: number, seed = 1): number[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const p = 10 ** decimals;
  let x = start;
  return Array.from({ length: n }, () => Math.round((x += (rand() - 0.5) * step) * p) / p);
}
const regular = (n: number, step = 10_000) => Array.from({ length: n }, (_, i) => T0 + i * step);

// ---------------------------------------------------------------------------

Deno.test("encodeChunk() and decodeChunk() round-trip bit-exactly", async (t) => {
  await t.step("random series of every kind of value and spacing", () => {
    // assertEquals compares numbers with Object.is: -0 stays -0, NaN stays NaN.
    fc.assert(fc.property(points, (p) => assertEquals(decodeChunk(encodeChunk(p)), p)), FC);
  });

  await t.step("awkward values side by side", () => {
    const values = [
      -0,
      0,
      5e-324,
      -5e-324,
      2.2250738585072014e-308,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      Number.EPSILON,
      2 ** 52,
      2 ** 53,
      0.1 + 0.2,
      1 / 3,
      Infinity,
      -Infinity,
      NaN,
    ];
    const p = { ts: regular(values.length), values };
    assertEquals(decodeChunk(encodeChunk(p)), p);
    for (const v of values) {
      const one = { ts: [T0], values: [v] };
      assertEquals(decodeChunk(encodeChunk(one)), one, `value ${v}`);
    }
  });

  await t.step("timestamps at the edges of the range, equal ones, and huge gaps", () => {
    for (const ts of [[0], [MAX_TS], [0, MAX_TS], [0, MAX_TS, MAX_TS], [5, 5, 5], [0, 1, MAX_TS]]) {
      const p = { ts, values: ts.map((_, i) => i) };
      assertEquals(decodeChunk(encodeChunk(p)), p);
    }
  });

  await t.step("no points", () => {
    assertEquals(decodeChunk(encodeChunk({ ts: [], values: [] })), { ts: [], values: [] });
  });

  await t.step("typed arrays as input", () => {
    const p = { ts: new Float64Array(regular(3)), values: new Float64Array([1.5, -0, 3]) };
    assertEquals(decodeChunk(encodeChunk(p)), { ts: [...p.ts], values: [...p.values] });
  });
});

Deno.test("encodeRollups() and decodeRollups() round-trip bit-exactly", () => {
  fc.assert(fc.property(rollups, (r) => assertEquals(decodeRollups(encodeRollups(r)), r)), FC);
  const empty = { ts: [], min: [], max: [], sum: [], count: [] };
  assertEquals(decodeRollups(encodeRollups(empty)), empty);
});

Deno.test("encoded sizes of realistic chunks stay small", async (t) => {
  // Measured when written: 83, 83, 87, 24, 32 and 486 bytes, and 5,028 for the rollups
  // (3.5 B a point); the limits leave some margin for other zlib builds.
  const cases: [string, number[], number[], number][] = [
    ["60 temperatures with 2 decimals every 10 s", regular(60), walk(60, 45, 0.3, 2), 96],
    ["60 CPU percentages with 1 decimal every 10 s", regular(60), walk(60, 30, 8, 1, 7), 96],
    [
      "60 temperatures with timestamps jittered by ±5 ms",
      regular(60).map((t, i) => t + (i * 7919) % 11 - 5),
      walk(60, 45, 0.3, 2),
      100,
    ],
    ["60 equal values every 10 s", regular(60), Array(60).fill(17), 28],
    [
      "60 counters rising 1000 a sample",
      regular(60),
      regular(60).map((_, i) => 5e9 + 1000 * i),
      36,
    ],
    [
      "60 full-precision floats",
      regular(60),
      regular(60).map((_, i) => Math.sin(i) * 1000),
      8 * 60 + 24,
    ],
  ];
  for (const [name, ts, values, limit] of cases) {
    await t.step(`${name}: ≤ ${limit} bytes`, () => {
      const size = encodeChunk({ ts, values }).length;
      assert(size <= limit, `${name}: ${size} bytes, more than ${limit}`);
    });
  }
  await t.step("1440 one-minute rollups of a temperature: ≤ 4 B a point", () => {
    const v = walk(1440 * 6, 45, 0.3, 2);
    const r: Rollups = { ts: regular(1440, 60_000), min: [], max: [], sum: [], count: [] };
    for (let m = 0; m < 1440; m++) {
      const part = v.slice(m * 6, m * 6 + 6);
      r.min.push(Math.min(...part));
      r.max.push(Math.max(...part));
      r.sum.push(part.reduce((a, b) => a + b, 0));
      r.count.push(6);
    }
    const size = encodeRollups(r).length;
    assert(size <= 4 * 1440, `${size} bytes`);
  });
});

Deno.test("decodeChunk() refuses damaged bytes with a RangeError", async (t) => {
  const samples = fc.tuple(points, fc.nat(), fc.integer({ min: 1, max: 255 }));

  await t.step("any single changed byte (the CRC-32 catches it)", () => {
    fc.assert(
      fc.property(samples, ([p, at, xor]) => {
        const bytes = encodeChunk(p);
        bytes[at % bytes.length]! ^= xor;
        assertThrows(() => decodeChunk(bytes), RangeError);
      }),
      FC,
    );
  });

  await t.step("every truncation of a deflated and of a stored chunk", () => {
    const deflated = encodeChunk({ ts: regular(60), values: walk(60, 45, 0.3, 2) });
    const stored = encodeChunk({ ts: [T0], values: [1] });
    assert(deflated[0]! & 0x80, "deflated");
    assert(!(stored[0]! & 0x80), "stored");
    for (const bytes of [deflated, stored]) {
      for (let len = 0; len < bytes.length; len++) {
        assertThrows(() => decodeChunk(bytes.subarray(0, len)), RangeError);
      }
    }
  });

  await t.step("rollups, another format, or random bytes", () => {
    const r = encodeRollups({ ts: [T0], min: [1], max: [2], sum: [3], count: [2] });
    assertThrows(() => decodeChunk(r), RangeError, "format 0x02 is not 0x01");
    assertThrows(() => decodeRollups(encodeChunk({ ts: [T0], values: [1] })), RangeError, "format");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        assertThrows(() => decodeChunk(bytes), RangeError);
      }),
      FC,
    );
  });

  await t.step("corrupt bodies behind a valid checksum throw or decode, never hang", () => {
    // Re-framing a damaged body gives it a valid CRC, so this reaches the
    // parser: every outcome must be a RangeError or well-formed points.
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(points, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([p, at, xor]) => {
        const body = rawBody(encodeChunk(p));
        if (body.length > 0) body[at % body.length]! ^= xor;
        return body;
      }),
      fc.tuple(points, fc.nat()).map(([p, cut]) => {
        const body = rawBody(encodeChunk(p));
        return body.subarray(0, cut % (body.length + 1));
      }),
    );
    fc.assert(
      fc.property(bodies, fc.boolean(), (body, deflate) => {
        const bytes = deflate && body.length > 0
          ? deflatedFrame(FORMAT_POINTS_V1, body)
          : frame(FORMAT_POINTS_V1, body);
        let decoded: Points;
        try {
          decoded = decodeChunk(bytes);
        } catch (error) {
          assert(error instanceof RangeError, `${error}`);
          return;
        }
        assertEquals(decoded.ts.length, decoded.values.length);
        for (let i = 1; i < decoded.ts.length; i++) assert(decoded.ts[i]! >= decoded.ts[i - 1]!);
      }),
      { ...FC, numRuns: NUM_RUNS * 3 },
    );
  });
});

Deno.test("encodeChunk() refuses points it cannot store exactly", () => {
  const bad: [string, Points, string][] = [
    ["unsorted", { ts: [T0 + 1, T0], values: [1, 2] }, "is before ts[0]"],
    ["fractional", { ts: [T0 + 0.5], values: [1] }, "not an integer"],
    ["negative", { ts: [-1], values: [1] }, "not an integer"],
    ["beyond Date", { ts: [MAX_TS + 1], values: [1] }, "not an integer"],
    ["mismatched", { ts: [T0], values: [1, 2] }, "values has 2 entries, ts has 1"],
  ];
  for (const [name, p, message] of bad) {
    assertEquals(
      assertThrows(() => encodeChunk(p), RangeError).message.includes(message),
      true,
      name,
    );
  }
  assertThrows(
    () => encodeRollups({ ts: [T0], min: [1], max: [1], sum: [1], count: [] }),
    RangeError,
    "count has 0 entries",
  );
});

/** The body inside a frame, inflated if it was. */
function rawBody(bytes: Uint8Array): Uint8Array {
  const end = bytes.length - 4;
  if (!(bytes[0]! & 0x80)) return bytes.slice(1, end);
  let at = 1;
  while (bytes[at]! & 0x80) at++; // skip the body-length varint
  return new Uint8Array(inflateRawSync(bytes.subarray(at + 1, end)));
}

/** A deflated frame of `body` even where deflate does not pay, to reach that path. */
function deflatedFrame(format: number, body: Uint8Array): Uint8Array {
  const deflated = deflateRawSync(body);
  const head = [format | 0x80];
  for (let n = body.length;; n = Math.floor(n / 128)) {
    if (n < 128) {
      head.push(n);
      break;
    }
    head.push((n % 128) | 128);
  }
  const out = new Uint8Array(head.length + deflated.length + 4);
  out.set(head);
  out.set(deflated, head.length);
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, -4)), true);
  return out;
}
