import { assertEquals, assertThrows } from "../lib/testing/assert.ts";
import { parseDemoArgs } from "./cli_args.ts";

Deno.test("parseDemoArgs() defaults to 127.0.0.1:8080 and the repository's data dir", () => {
  assertEquals(parseDemoArgs([]), { command: "run", listen: "127.0.0.1:8080", dataDir: undefined });
});

Deno.test("parseDemoArgs() takes --listen and --data-dir", () => {
  assertEquals(parseDemoArgs(["--listen", "127.0.0.1:0", "--data-dir", "/tmp/x"]), {
    command: "run",
    listen: "127.0.0.1:0",
    dataDir: "/tmp/x",
  });
  assertEquals(parseDemoArgs(["--listen=[::1]:9000"]).command, "run");
});

Deno.test("parseDemoArgs() answers --help", () => {
  assertEquals(parseDemoArgs(["--help"]), { command: "help" });
});

Deno.test("parseDemoArgs() refuses to listen beyond loopback", () => {
  assertThrows(() => parseDemoArgs(["--listen", "0.0.0.0:8080"]), TypeError, "loopback only");
});

Deno.test("parseDemoArgs() explains bad input", async (t) => {
  await t.step("a malformed address", () => {
    assertThrows(() => parseDemoArgs(["--listen", "8080"]), TypeError, "expected HOST:PORT");
  });
  await t.step("an unknown flag", () => {
    assertThrows(() => parseDemoArgs(["--port", "1"]), TypeError, "--help for usage");
  });
});
