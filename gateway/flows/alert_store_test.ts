import { assertEquals } from "../../lib/testing/assert.ts";
import { EventHub } from "../events/event_hub.ts";
import { AlertStore } from "./alert_store.ts";
import { openTestDatabase } from "./triggers/_test_database.ts";

Deno.test("AlertStore root-cause grouping", async (t) => {
  await using test = await openTestDatabase(1);
  const db = test.db;
  // gw → a → b → e, and c behind a.
  const behind: Record<string, string[]> = { a: ["b", "c", "e"], b: ["e"] };
  for (const id of ["a", "b", "c", "e"]) {
    db.prepare(
      "INSERT INTO nodes (id, name, role, status, enrolled_at, updated_at) VALUES (?, ?, 'node', 'offline', 0, 0)",
    ).run(id, id);
  }
  const alerts = new AlertStore(db, new EventHub(db, () => 0), {
    nodesBehind: (id) => new Set(behind[id] ?? []),
  });
  const raise = (nodeId: string) =>
    alerts.raise({
      flowId: 1,
      executionId: null,
      dedupeKey: `offline:${nodeId}`,
      nodeId,
      severity: "critical",
      message: `${nodeId} is offline`,
      autoResolve: true,
      silenced: false,
      nodeOffline: true,
    }, 0).id;
  const parents = () =>
    Object.fromEntries(
      alerts.list({ status: ["open"], limit: 10 }).map((a) => [a.node_id, a.parent_id]),
    );

  const e = raise("e");
  const b = raise("b");
  const c = raise("c");
  await t.step("groups flat under the offline node closest to the gateway", () => {
    assertEquals(parents(), { e: b, b: null, c: null });
    const a = raise("a");
    assertEquals(parents(), { a: null, b: a, c: a, e: a });
    assertEquals(alerts.get(a)!.children, [e, b, c].sort((x, y) => x - y));
  });

  await t.step("acknowledging the root acknowledges the alerts grouped under it", () => {
    const a = alerts.list({ status: ["open"], limit: 10 }).find((x) => x.node_id === "a")!;
    alerts.acknowledge(a.id, "olive", 1);
    const statuses = Object.fromEntries(
      alerts.list({ status: ["open", "acknowledged"], limit: 10 }).map((x) => [
        x.node_id,
        `${x.status} by ${x.acknowledged_by}`,
      ]),
    );
    assertEquals(statuses, {
      a: "acknowledged by olive",
      b: "acknowledged by olive",
      c: "acknowledged by olive",
      e: "acknowledged by olive",
    });
  });

  await t.step("on the root's resolution, a child whose node is back resolves", () => {
    db.prepare("UPDATE nodes SET status = 'online' WHERE id = 'c'").run();
    const a = alerts.list({ status: ["acknowledged"], limit: 10 }).find((x) => x.node_id === "a")!;
    alerts.resolve(a.id, "condition cleared", 1);
    assertEquals(alerts.get(c)!.status, "resolved");
  });

  await t.step("and those still offline are grouped by what is left", () => {
    const grouped = Object.fromEntries(
      alerts.list({ status: ["open", "acknowledged"], limit: 10 }).map((x) => [
        x.node_id,
        x.parent_id,
      ]),
    );
    assertEquals(grouped, { b: null, e: b });
  });
});
