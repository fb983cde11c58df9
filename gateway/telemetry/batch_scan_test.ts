import fc from "fast-check";
import { parseStrictJsonBytes } from "../../lib/json/strict_json.ts";
import { assertEquals } from "../../lib/testing/assert.ts";
import { batch, type Json, mutate, mutation } from "./_batch_arbitraries.ts";
import { checkBatch } from "./batch_check.ts";
import { BatchScanner } from "./batch_scan.ts";

const utf8 = new TextEncoder();

/** What the general path makes of a body (read strictly, as every body): the batch, or null. */
function general(bytes: Uint8Array) {
  let json: unknown;
  try {
    json = parseStrictJsonBytes(bytes).value;
  } catch {
    return null;
  }
  const checked = checkBatch(json);
  return "issues" in checked ? null : checked;
}

/**
 * The scanner declines `text` or reads what the general path reads; returns
 * whether it read it. One scanner for every body, so remembered keys meet
 * new spellings as in the gateway.
 */
const scanner = new BatchScanner();
function assertScansLikeParse(body: string | Uint8Array): boolean {
  const bytes = typeof body === "string" ? utf8.encode(body) : body;
  const text = typeof body === "string" ? body : String(bytes);
  const scanned = scanner.scan(bytes);
  if (scanned === null) return false;
  const expected = general(bytes);
  assertEquals(expected !== null, true, `scanned a body the general path refuses: ${text}`);
  assertEquals(scanned, expected, `scanned differently: ${text}`);
  // -0 and 0 are deepStrictEqual-different already; check the bits of each value too.
  scanned.batch.samples.forEach((s, i) =>
    assertEquals(Object.is(s.value, expected!.batch.samples[i]!.value), true)
  );
  return true;
}

/** JSON text with whitespace between tokens (outside strings), as some encoders write it. */
function spaced(text: string, seed: number): string {
  const spaces = [" ", "\n", "\t", "\r\n  ", ""];
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    out += c;
    if (c === '"' && text[i - 1] !== "\\") inString = !inString;
    if (!inString && "{}[],:".includes(c)) out += spaces[(seed + i) % spaces.length]!;
  }
  return spaces[seed % spaces.length] + out + spaces[(seed + 1) % spaces.length];
}

Deno.test("BatchScanner.scan() reads a body as JSON.parse and checkBatch do, or declines it", async (t) => {
  await t.step("random valid batches: read, and read whenever nothing is escaped", () => {
    fc.assert(
      fc.property(batch, (b) => {
        const text = JSON.stringify(b);
        assertEquals(assertScansLikeParse(text) || text.includes("\\"), true, text);
      }),
      { numRuns: 1000 },
    );
  });

  await t.step("the same batches with whitespace and fields in another order", () => {
    fc.assert(
      fc.property(batch, fc.nat(), (b, seed) => {
        const reverse = (o: object): Json => Object.fromEntries(Object.entries(o).reverse());
        const reordered = { ...reverse(b), samples: b.samples.map(reverse) };
        for (const text of [spaced(JSON.stringify(b), seed), JSON.stringify(reordered, null, 2)]) {
          assertEquals(assertScansLikeParse(text) || text.includes("\\"), true, text);
        }
      }),
      { numRuns: 500 },
    );
  });

  await t.step("valid batches with fields changed, dropped or added", () => {
    fc.assert(
      fc.property(batch, fc.array(mutation, { minLength: 1, maxLength: 3 }), (b, ms) => {
        let input = JSON.parse(JSON.stringify(b)) as Json;
        for (const m of ms) input = mutate(input, m);
        assertScansLikeParse(JSON.stringify(input) ?? "");
      }),
      { numRuns: 3000 },
    );
  });

  await t.step("bodies with a byte inserted, removed or replaced", () => {
    const bytes = fc.constantFrom(...' "\\{}[],:.-+eE0123456789aunt°\u0000');
    fc.assert(
      fc.property(batch, fc.nat(), fc.nat(3), bytes, (b, at, op, c) => {
        const text = JSON.stringify(b);
        const i = at % (text.length + 1);
        const edited = op === 0
          ? text.slice(0, i) + c + text.slice(i)
          : op === 1
          ? text.slice(0, i) + text.slice(i + 1)
          : op === 2
          ? text.slice(0, i) + c + text.slice(i + 1)
          : text.slice(0, i);
        assertScansLikeParse(edited);
      }),
      { numRuns: 3000 },
    );
  });

  await t.step("number spellings, read to the same double as JSON.parse", () => {
    const digits = (min: number, max: number) =>
      fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: min, maxLength: max });
    const number = fc.tuple(
      fc.constantFrom("", "-"),
      fc.oneof(
        fc.constant("0"),
        fc.tuple(fc.constantFrom(..."123456789"), digits(0, 20))
          .map(([a, b]) => a + b),
      ),
      fc.option(digits(1, 30)),
      fc.option(fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), digits(1, 3))),
    ).map(([sign, int, frac, exp]) =>
      sign + int + (frac === null ? "" : "." + frac) + (exp === null ? "" : exp.join(""))
    );
    fc.assert(
      fc.property(number, (n) => {
        const text = `{"node_id":"n-0123456789ab","epoch":"e","batch_seq":0,` +
          `"samples":[{"metric":"m","ts":1,"value":${n}}]}`;
        const finite = Number.isFinite(JSON.parse(n));
        assertEquals(assertScansLikeParse(text), finite, text);
      }),
      { numRuns: 3000 },
    );
  });

  await t.step("repeated and unknown fields, escapes, a byte-order mark: declined", () => {
    const body = (sample: string, head = `"node_id":"n-0123456789ab","epoch":"e","batch_seq":1`) =>
      `{${head},"samples":[${sample}]}`;
    for (
      const text of [
        body(`{"metric":"a","metric":"b","ts":1,"value":1}`),
        body(`{"metric":"a","ts":1,"value":1,"extra":1}`),
        body(`{"metric":"\\u0061","ts":1,"value":1}`),
        body(`{"metric":"a","ts":1,"value":1,"labels":{"k":"v","k":"w"}}`),
        body(`{"metric":"a","ts":1,"value":1}`, `"node_id":"n-0123456789ab","epoch":"e"`),
        "\ufeff" + body(`{"metric":"a","ts":1,"value":1}`),
        body(`{"metric":"a","ts":1,"value":1,"labels":{"k":{"x":"y"}}}`),
      ]
    ) {
      assertScansLikeParse(text);
    }
    // A repeated label name is declined: the general path refuses it, naming it.
    assertEquals(
      assertScansLikeParse(body(`{"metric":"a","ts":1,"value":1,"labels":{"k":"v","k":"w"}}`)),
      false,
    );
    assertEquals(assertScansLikeParse(body(`{"metric":"a","metric":"b","ts":1,"value":1}`)), false);
    // Two names of one length whose bytes hash alike: each is still read as itself.
    for (const metric of ["m17yzx", "m1e6ad", "m17yzx"]) {
      assertEquals(assertScansLikeParse(body(`{"metric":"${metric}","ts":1,"value":1}`)), true);
    }
    assertEquals(assertScansLikeParse(body(`{"metric":"\\u0061","ts":1,"value":1}`)), false);
  });

  await t.step("bytes that are not UTF-8 or a control character in a label value: declined", () => {
    const sample = (labels: string) =>
      `{"node_id":"n-0123456789ab","epoch":"e","batch_seq":1,` +
      `"samples":[{"metric":"a","ts":1,"value":1,"unit":"°C","labels":${labels}}]}`;
    const withBytes = (text: string, bad: number[]) => {
      const [before, after] = text.split("BAD") as [string, string];
      return new Uint8Array([...utf8.encode(before), ...bad, ...utf8.encode(after)]);
    };
    const invalid = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xe2, 0x82]];
    for (const bad of invalid) {
      assertEquals(assertScansLikeParse(withBytes(sample(`{"site":"noBADrth"}`), bad)), false);
      assertEquals(assertScansLikeParse(withBytes(sample(`{"siBADte":"north"}`), bad)), false);
      const unit = withBytes(sample("{}").replace("°C", "BAD"), bad);
      assertEquals(assertScansLikeParse(unit), false);
    }
    for (const control of ["\u0085", "\u2028", "\u007f"]) {
      const raw = JSON.parse(`"${control}"`) as string;
      assertEquals(assertScansLikeParse(sample(`{"site":"a${raw}b"}`)), false, control);
    }
    // The same label read well still is.
    assertEquals(assertScansLikeParse(sample(`{"site":"north"}`)), true);
  });
});
