import { assertEquals } from "../../lib/testing/assert.ts";
import { createHarness } from "../testing/harness.ts";
import { ensureBuiltinFlows } from "./builtin.ts";
import { validateFlow } from "./validate_flow.ts";
import { BUILTIN_FLOWS } from "./builtin.ts";

Deno.test("built-in flows", async (t) => {
  await using h = await createHarness();

  await t.step("are valid flows", () => {
    for (const def of Object.values(BUILTIN_FLOWS)) assertEquals(validateFlow(def), []);
  });

  await t.step("are created once, enabled, and stay the operator's to change", async () => {
    assertEquals(ensureBuiltinFlows(h.deps.db, h.clock.now()), ["node_offline"]);
    assertEquals(ensureBuiltinFlows(h.deps.db, h.clock.now()), []);
    const flows = await (await h.request("/v1/flows", { token: await h.tokenFor("viewer") }))
      .json();
    assertEquals(
      flows.flows.map((
        f: { name: string; enabled: boolean; trigger: string },
      ) => [f.name, f.enabled, f.trigger]),
      [
        ["Node offline", true, "node_event"],
      ],
    );
    const id = flows.flows[0].id;
    const flow = await (await h.request(`/v1/flows/${id}`, { token: await h.tokenFor("admin") }))
      .json();
    const res = await h.request(`/v1/flows/${id}`, {
      method: "PUT",
      token: await h.tokenFor("operator"),
      json: { name: flow.name, steps: flow.steps, edges: flow.edges, enabled: false },
    });
    assertEquals(res.status, 200);
    assertEquals(ensureBuiltinFlows(h.deps.db, h.clock.now()), []);
    assertEquals((await res.json()).builtin, "node_offline");
  });
});
