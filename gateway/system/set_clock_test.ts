import { assertEquals, assertRejects } from "../../lib/testing/assert.ts";
import { FakeCommandRunner } from "../../lib/testing/fake_command.ts";
import { ClockSetError, systemClockSetter } from "./set_clock.ts";

const AT = Date.UTC(2026, 10, 23, 12, 0, 0, 400);
const ok = (stdout = "") => ({ code: 0, stdout, stderr: "" });

Deno.test("setting the clock turns automatic sync off for the change and on again", async () => {
  const runner = new FakeCommandRunner((_, args) => ok(args[0] === "show" ? "yes\n" : ""));
  await systemClockSetter(runner)(AT);
  assertEquals(runner.calls.map((c) => [c.program, ...c.args].join(" ")), [
    "timedatectl show -p NTP --value",
    "timedatectl set-ntp false",
    `timedatectl set-time @${Math.round(AT / 1000)}`,
    "timedatectl set-ntp true",
  ]);
});

Deno.test("without automatic sync the clock is only set", async () => {
  const runner = new FakeCommandRunner((_, args) => ok(args[0] === "show" ? "no\n" : ""));
  await systemClockSetter(runner)(AT);
  assertEquals(runner.calls.map((c) => c.args[0]), ["show", "set-time"]);
});

Deno.test("a refusal says timedatectl's words, and sync is switched back on", async () => {
  const runner = new FakeCommandRunner((_, args) =>
    args[0] === "show"
      ? ok("yes\n")
      : args[0] === "set-time"
      ? { code: 1, stdout: "", stderr: "Failed to set time: Access denied\n" }
      : ok()
  );
  await assertRejects(
    () => systemClockSetter(runner)(AT),
    ClockSetError,
    `timedatectl set-time @${Math.round(AT / 1000)} failed: Failed to set time: Access denied`,
  );
  assertEquals(runner.calls.at(-1)?.args, ["set-ntp", "true"]);
});

Deno.test("without timedatectl the error says so", async () => {
  const runner = new FakeCommandRunner(() => new Deno.errors.NotFound("timedatectl"));
  await assertRejects(
    () => systemClockSetter(runner)(AT),
    ClockSetError,
    "timedatectl is not installed: the clock cannot be set from here",
  );
});
