import { assertEquals } from "../../lib/testing/assert.ts";
import { DEFAULT_SETTINGS } from "../../lib/schemas/system.ts";
import { createHarness } from "../testing/harness.ts";
import { runMaintenanceOnce } from "./maintenance.ts";

Deno.test("maintenance keeps flow history within its age and count limits", async () => {
  await using h = await createHarness();
  const flow = await (await h.request("/v1/flows", {
    method: "POST",
    token: await h.tokenFor("operator"),
    json: {
      name: "f",
      steps: [{ id: "t", type: "manual", config: {} }, {
        id: "a",
        type: "alert",
        config: { message: "x" },
      }],
      edges: [{ from: "t", to: "a" }],
    },
  })).json();
  const insert = h.deps.db.prepare(
    `INSERT INTO flow_executions (flow_id, flow_version, trigger_type, trigger_context, status, started_at)
     VALUES (?, 1, 'manual', '{}', 'succeeded', ?)`,
  );
  const day = 86_400_000;
  for (const age of [40, 31, 20, 10, 5, 1]) insert.run(flow.id, h.clock.now() - age * day);
  runMaintenanceOnce(h.deps.db, h.clock.now(), {
    ...DEFAULT_SETTINGS,
    flow_history_max_per_flow: 10,
  });
  const left = () =>
    (h.deps.db.prepare("SELECT count(*) AS n FROM flow_executions").get() as { n: number }).n;
  assertEquals(left(), 4);
  runMaintenanceOnce(h.deps.db, h.clock.now(), {
    ...DEFAULT_SETTINGS,
    flow_history_max_per_flow: 10,
    flow_history_days: 30,
  });
  assertEquals(left(), 4);
  runMaintenanceOnce(h.deps.db, h.clock.now(), {
    ...DEFAULT_SETTINGS,
    flow_history_max_per_flow: 2,
  });
  assertEquals(left(), 2);
});
