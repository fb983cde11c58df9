import fc from "fast-check";
import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { safeNext } from "./session.ts";

const ORIGIN = "http://gw.local:8080";

/** What a browser does with `location`: where it goes, after dropping tabs and newlines as it does. */
function browserTarget(location: string): URL {
  return new URL(location.replace(/[\t\n\r]/g, ""), ORIGIN);
}

/** A Location every browser keeps on the gateway: a path, nothing it would drop or rewrite. */
function assertSameOriginPath(location: string, input: string): void {
  const shown = JSON.stringify(input);
  assert(location.startsWith("/") && !location.startsWith("//"), `${shown} gave ${location}`);
  assert(!/[^\u0021-\u007e]|\\/.test(location), `${shown} gave a control, space or non-ASCII`);
  assertEquals(browserTarget(location).origin, ORIGIN, `${shown} left the origin`);
  new Headers({ location }); // throws on a value no header may carry
}

Deno.test("safeNext() keeps a path on the gateway as the URL parser writes it", () => {
  const kept: [string, string][] = [
    ["/nodes?sort=name", "/nodes?sort=name"],
    ["/flows/3#step-2", "/flows/3#step-2"],
    ["/", "/"],
    ["/a/../nodes", "/nodes"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["/%09/evil.example", "/%09/evil.example"],
    ["/knoten/größe", "/knoten/gr%C3%B6%C3%9Fe"],
    ["/telemetry?q=ä", "/telemetry?q=%C3%A4"],
  ];
  for (const [input, want] of kept) assertEquals(safeNext(input, ORIGIN), want, input);
});

Deno.test("safeNext() sends every hostile or odd value home", () => {
  const hostile = [
    undefined,
    null,
    "",
    "nodes",
    "/\t/evil.example",
    "/\n/x",
    "/\r/x",
    "/\r\nSet-Cookie: a=b",
    "/\u0000/evil.example",
    "/\u007f/evil.example",
    "/\u0085/evil.example",
    "/ /evil.example",
    "/\u3000/evil.example",
    "/\u2028/evil.example",
    "\t//evil.example",
    " /nodes",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "/.//evil.example",
    "/a/..//evil.example",
    "/./%2e/..//evil.example",
    "https://evil.example",
    "http://gw.local:8080@evil.example/",
    "javascript:alert(1)",
    "/javascript:alert(1)#\n",
    "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.example",
    "/" + "a".repeat(5000),
    "/" + "ü".repeat(1000),
  ];
  for (const input of hostile) assertEquals(safeNext(input, ORIGIN), "/", JSON.stringify(input));
});

/** Strings built from the pieces open redirects are made of, so the search reaches them often. */
const redirectish = fc.array(
  fc.oneof(
    fc.constantFrom(
      "/",
      "//",
      "\\",
      ".",
      "..",
      "%2e",
      "%2F",
      "%09",
      "%0a",
      "\t",
      "\n",
      "\r",
      "\u0000",
      "\u007f",
      "\u00a0",
      " ",
      "?",
      "#",
      "@",
      ":",
      "evil.example",
      "https:",
      "javascript:",
      "ü",
    ),
    fc.string({ unit: "binary", maxLength: 4 }),
  ),
  { maxLength: 12 },
).map((parts) => parts.join(""));

Deno.test("safeNext() gives a same-origin path without controls for any string", () => {
  const anyString = fc.oneof(fc.string({ unit: "binary" }), redirectish);
  fc.assert(
    fc.property(anyString, (input) => {
      const location = safeNext(input, ORIGIN);
      assertSameOriginPath(location, input);
      assertEquals(safeNext(location, ORIGIN), location, "a safe path is kept as it is");
    }),
    { numRuns: 5000, seed: 14 },
  );
});
