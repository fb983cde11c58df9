import { assertEquals, assertThrows } from "../lib/testing/assert.ts";
import { parseAgentArgs } from "./cli_args.ts";

Deno.test("parseAgentArgs()", async (t) => {
  await t.step("runs until stopped by default, once with --once", () => {
    assertEquals(parseAgentArgs([]), { command: "run", once: false });
    assertEquals(parseAgentArgs(["--once"]), { command: "run", once: true });
  });

  await t.step("knows --help and --version, which win over --once", () => {
    assertEquals(parseAgentArgs(["--help"]), { command: "help" });
    assertEquals(parseAgentArgs(["-V"]), { command: "version" });
    assertEquals(parseAgentArgs(["--once", "--version"]), { command: "version" });
  });

  await t.step("refuses unknown options and arguments, pointing at --help", () => {
    assertThrows(() => parseAgentArgs(["--onse"]), TypeError, "Run halo-agent --help for usage.");
    assertThrows(() => parseAgentArgs(["enroll"]), TypeError, "enroll");
    assertThrows(() => parseAgentArgs(["--once=yes"]), TypeError, "--once");
  });
});
