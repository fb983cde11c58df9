import fc from "fast-check";
import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import {
  invalidUtf8At,
  JsonInputError,
  MAX_JSON_DEPTH,
  parseStrictJson,
  parseStrictJsonBytes,
} from "./strict_json.ts";

const encoder = new TextEncoder();

/** The error parsing `input` throws, as path and problem. */
function refusal(input: string | Uint8Array): { path: string; problem: string } {
  try {
    if (typeof input === "string") parseStrictJson(input);
    else parseStrictJsonBytes(input);
  } catch (error) {
    assert(error instanceof JsonInputError, `not a JsonInputError: ${error}`);
    return { path: error.path.join("."), problem: error.problem };
  }
  throw new Error(`accepted: ${input}`);
}

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => typeof p === "string" ? [...encoder.encode(p)] : p));

Deno.test("parseStrictJson() reads every JSON document JSON.parse reads, as JSON.parse does", () => {
  fc.assert(
    fc.property(fc.json({ maxDepth: 6 }), (text) => {
      assertEquals(parseStrictJson(text), JSON.parse(text));
    }),
    { numRuns: 500, seed: 14 },
  );
  assertEquals(parseStrictJson(' { "a" : [ 1 , { "b" : "x\\"y" } ] } '), { a: [1, { b: 'x"y' }] });
});

Deno.test("parseStrictJson() refuses a key given twice in one object, naming where", async (t) => {
  await t.step("at the top, as the issue reported it", () => {
    assertEquals(refusal('{"role":"viewer","role":"admin"}'), {
      path: "role",
      problem: 'duplicate key "role": give each key once',
    });
  });
  await t.step("spelled with an escape", () => {
    assertEquals(refusal('{"role":1,"rol\\u0065":2}').path, "role");
    assertEquals(refusal('{"a\\"b":1,"a\\u0022b":2}').path, 'a"b');
  });
  await t.step("deep inside, through arrays", () => {
    assertEquals(
      refusal('{"a":[{"x":1},{"x":2,"y":{"z":1,"q":[],"z":2}}]}').path,
      "a.1.y.z",
    );
  });
  await t.step("__proto__ twice", () => {
    assertEquals(refusal('{"__proto__":{},"__proto__":{"admin":true}}').path, "__proto__");
  });
  await t.step("but the same key in different objects is fine", () => {
    assertEquals(parseStrictJson('[{"a":1},{"a":2}]'), [{ a: 1 }, { a: 2 }]);
    assertEquals(parseStrictJson('{"a":{"a":{"a":1}},"b":{"a":2}}'), {
      a: { a: { a: 1 } },
      b: { a: 2 },
    });
    assertEquals(parseStrictJson('{"k":"\\"k\\":","x":"k"}'), { k: '"k":', x: "k" });
  });
  await t.step("found wherever fast-check puts the copy", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), {
          minKeys: 1,
          maxKeys: 6,
        }),
        fc.nat(),
        (object, pick) => {
          const keys = Object.keys(object);
          const key = keys[pick % keys.length]!;
          const text = JSON.stringify(object).slice(0, -1) + `,${JSON.stringify(key)}:null}`;
          assertEquals(refusal(`{"outer":[${text}]}`).path, `outer.0.${key}`);
        },
      ),
      { numRuns: 300, seed: 14 },
    );
  });
});

Deno.test(`parseStrictJson() refuses nesting deeper than ${MAX_JSON_DEPTH} levels`, async (t) => {
  const nested = (depth: number) => '{"a":'.repeat(depth - 1) + "[]" + "}".repeat(depth - 1);
  await t.step(`${MAX_JSON_DEPTH} levels are read`, () => {
    assert(parseStrictJson(nested(MAX_JSON_DEPTH)));
  });
  await t.step("one more is refused, naming where it went too deep", () => {
    assertEquals(refusal(nested(MAX_JSON_DEPTH + 1)), {
      path: Array(MAX_JSON_DEPTH).fill("a").join("."),
      problem: `nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`,
    });
  });
  await t.step(
    "the issue's 5,000 and a body's worth of 500,000 are refused without a crash",
    () => {
      for (const depth of [5_000, 500_000]) {
        const text = '{"payload":{"k":' + "[".repeat(depth) + "]".repeat(depth) + "}}";
        assertEquals(refusal(text).path, "payload.k" + ".0".repeat(MAX_JSON_DEPTH - 2));
      }
    },
  );
  await t.step("the limit can be set", () => {
    assertThrows(() => parseStrictJson("[[[]]]", { maxDepth: 2 }), JsonInputError);
    assertEquals(parseStrictJson("[[]]", { maxDepth: 2 }), [[]]);
  });
});

Deno.test("parseStrictJsonBytes() refuses bytes that are not UTF-8, naming the field", async (t) => {
  await t.step("in a value", () => {
    assertEquals(refusal(bytes('{"name":"ok","tags":["a","b', [0xff], '"]}')), {
      path: "tags.1",
      problem: "holds bytes that are not UTF-8 (at byte 27)",
    });
  });
  await t.step("in a key: the object it is in", () => {
    assertEquals(refusal(bytes('{"a":{"k', [0xc3, 0x28], '":1}}')).path, "a");
    assertEquals(
      refusal(bytes('{"a":{"k', [0xc3, 0x28], '":1}}')).problem.startsWith("a key"),
      true,
    );
  });
  await t.step("encoded surrogates and overlong forms too", () => {
    for (const bad of [[0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]) {
      assertEquals(refusal(bytes('{"v":"', bad, '"}')).path, "v");
    }
  });
  await t.step("valid UTF-8 is read, a byte order mark dropped as fetch() drops it", () => {
    assertEquals(parseStrictJsonBytes(bytes('{"unit":"°C","e":"😀"}')).value, {
      unit: "°C",
      e: "😀",
    });
    assertEquals(parseStrictJsonBytes(bytes([0xef, 0xbb, 0xbf], "[1]")).value, [1]);
  });
});

Deno.test("invalidUtf8At() finds the first byte TextDecoder's fatal mode refuses", () => {
  const fatal = new TextDecoder("utf-8", { fatal: true });
  const decodes = (b: Uint8Array) => {
    try {
      fatal.decode(b);
      return true;
    } catch {
      return false;
    }
  };
  const smallBytes = fc.uint8Array({ maxLength: 24 }).map((b) =>
    b.map((x) => x % 4 === 0 ? x : 0x80 | (x & 0x7f))
  );
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 24 }), smallBytes), (b) => {
      const at = invalidUtf8At(b);
      assertEquals(at === -1, decodes(b), `${[...b]}`);
      if (at >= 0) assert(decodes(b.subarray(0, at)) || at === 0, `prefix before ${at}: ${[...b]}`);
    }),
    { numRuns: 3000, seed: 14 },
  );
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), (s) => {
      assertEquals(invalidUtf8At(encoder.encode(s)), -1);
    }),
    { numRuns: 500, seed: 14 },
  );
});

Deno.test("parseStrictJson() leaves syntax errors to JSON.parse", () => {
  for (const text of ["", "{", '{"a":1,}', "[1 2]", "nul"]) {
    assertThrows(() => parseStrictJson(text), SyntaxError);
    try {
      parseStrictJson(text);
    } catch (error) {
      assert(!(error instanceof JsonInputError), text);
    }
  }
});
