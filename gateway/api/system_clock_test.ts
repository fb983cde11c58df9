import { assertEquals } from "../../lib/testing/assert.ts";
import { createHarness } from "../testing/harness.ts";

const BROWSER_TIME = Date.UTC(2027, 2, 1, 9, 30, 0);

Deno.test("an admin sets an unsynchronised gateway clock from the browser's", async (t) => {
  await using h = await createHarness();
  const admin = await h.tokenFor("admin");
  const set = (token = admin) =>
    h.request("/v1/system/clock", { method: "POST", token, json: { time_ms: BROWSER_TIME } });

  await t.step("refused while the clock is synchronised, or its state unknown", async () => {
    for (
      const [synchronized, code] of [[true, "clock_synchronized"], [null, "clock_state_unknown"]]
    ) {
      h.clockStatus = { synchronized: synchronized as boolean | null, source: "timedatectl" };
      const res = await set();
      assertEquals([res.status, (await res.json()).error.code], [409, code]);
    }
    assertEquals(h.timedatectl.calls, []);
  });

  await t.step("unsynchronised: set through timedatectl, and audited", async () => {
    h.clockStatus = { synchronized: false, source: "timedatectl" };
    const res = await set();
    assertEquals(await res.json(), {
      previous: new Date(h.clock.now()).toISOString(),
      set_to: new Date(BROWSER_TIME).toISOString(),
    });
    assertEquals(h.timedatectl.calls.map((c) => c.args.join(" ")), [
      "show -p NTP --value",
      `set-time @${BROWSER_TIME / 1000}`,
    ]);
    const audit = h.deps.db.prepare(
      "SELECT actor, action, details FROM audit_log WHERE action = 'system.clock.set'",
    ).all().map((r) => ({ ...r, details: JSON.parse(r.details as string) }));
    assertEquals(audit, [{
      actor: "token:test-admin",
      action: "system.clock.set",
      details: {
        previous: new Date(h.clock.now()).toISOString(),
        set_to: new Date(BROWSER_TIME).toISOString(),
        change_ms: BROWSER_TIME - h.clock.now(),
      },
    }]);
  });

  await t.step("a refusal by the system is 503 with its words; an operator may not", async () => {
    h.timedatectlFailure = "Failed to set time: Access denied";
    const res = await set();
    assertEquals(res.status, 503);
    assertEquals(
      (await res.json()).error.message,
      `timedatectl set-time @${BROWSER_TIME / 1000} failed: Failed to set time: Access denied`,
    );
    const operator = await set(await h.tokenFor("operator"));
    assertEquals(operator.status, 403);
    await operator.body?.cancel();
  });
});
