import { assertEquals, assertThrows } from "./testing/assert.ts";
import { createLogger, parseLogLevel } from "./log.ts";

Deno.test("createLogger() writes one JSON object a line at or above its level", () => {
  const lines: string[] = [];
  const log = createLogger({
    component: "halo-test",
    level: "info",
    write: (l) => lines.push(l),
    now: () => 0,
  });
  log.debug("hidden");
  log.with({ node: "n-1" }).warn("link lost", { error: new RangeError("tq 0") });
  assertEquals(lines.map((l) => JSON.parse(l)), [{
    ts: "1970-01-01T00:00:00.000Z",
    level: "warn",
    component: "halo-test",
    msg: "link lost",
    node: "n-1",
    error: { name: "RangeError", message: "tq 0" },
  }]);
});

Deno.test("parseLogLevel() names the accepted values", () => {
  assertEquals(parseLogLevel(" DEBUG "), "debug");
  assertThrows(
    () => parseLogLevel("loud"),
    TypeError,
    'Invalid log level "loud" in HALO_LOG: use one of debug, info, warn, error',
  );
});
