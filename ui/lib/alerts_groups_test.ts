import { assertEquals } from "../../lib/testing/assert.ts";
import { alertView, groupAlerts } from "./alerts_groups.ts";
import type { Alert } from "./alerts_types.ts";

const alert = (id: number, parent: number | null, children: number[] = []): Alert => ({
  id,
  flow_id: 1,
  flow_name: "Node offline",
  execution_id: id,
  node_id: null,
  node_name: null,
  severity: "critical",
  message: `alert ${id}`,
  status: "open",
  auto_resolve: false,
  parent_id: parent,
  children,
  silenced: false,
  opened_at: "2026-11-23T12:00:00.000Z",
  acknowledged_at: null,
  acknowledged_by: null,
  resolved_at: null,
  resolved_by: null,
});

Deno.test("groupAlerts() puts grouped alerts under their root cause, newest group first", () => {
  const groups = groupAlerts([alert(4, null), alert(3, 1), alert(2, 1), alert(1, null, [2, 3, 9])]);
  assertEquals(groups.map((g) => [g.alert.id, g.children.map((c) => c.id), g.elsewhere]), [
    [4, [], []],
    [1, [2, 3], [9]],
  ]);
});

Deno.test("groupAlerts() lets an alert whose root cause is not listed stand alone, saying so", () => {
  const [group] = groupAlerts([alert(3, 1)]);
  assertEquals([group!.alert.id, group!.parentElsewhere], [3, 1]);
});

Deno.test("alertView() defaults to open and acknowledged", () => {
  assertEquals(alertView(null).statuses, ["open", "acknowledged"]);
  assertEquals(alertView("resolved").statuses, ["resolved"]);
  assertEquals(alertView("bogus").id, "active");
});
