import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { layoutFlow, PAD, STEP_H, STEP_W } from "./flow_layout.ts";
import { executionPath } from "./flow_path.ts";

Deno.test("layoutFlow() keeps stored positions and layers the rest by depth", () => {
  const layout = layoutFlow(
    [
      { id: "t" },
      { id: "a" },
      { id: "b" },
      { id: "join" },
      { id: "pinned", position: { x: 900, y: -20 } },
    ],
    [
      { from: "t", to: "a" },
      { from: "t", to: "b" },
      { from: "a", to: "join" },
      { from: "b", to: "join" },
      { from: "join", to: "pinned" },
    ],
  );
  const at = (id: string) => layout.positions.get(id)!;
  assertEquals(at("t"), { x: PAD, y: PAD });
  assertEquals(at("a").x, at("b").x);
  assert(at("a").y < at("b").y, "siblings take rows in order");
  assert(at("join").x > at("a").x, "a join sits right of both branches");
  assertEquals(at("pinned"), { x: 900, y: 0 }, "stored, clamped onto the canvas");
  assertEquals(layout.width, 900 + STEP_W + PAD);
  assert(layout.height >= 2 * STEP_H);
});

Deno.test("layoutFlow() survives a cycle (validation refuses it, the page must still draw)", () => {
  const layout = layoutFlow([{ id: "a" }, { id: "b" }], [
    { from: "a", to: "b" },
    { from: "b", to: "a" },
  ]);
  assertEquals(layout.positions.size, 2);
});

Deno.test("executionPath() marks the edges the engine took", () => {
  const edges = [
    { from: "t", to: "c" },
    { from: "c", to: "yes", branch: "true" as const },
    { from: "c", to: "no", branch: "false" as const },
    { from: "yes", to: "after" },
  ];
  const path = executionPath(edges, [
    { step_id: "t", status: "succeeded", outcome: "success" },
    { step_id: "c", status: "succeeded", outcome: "true" },
    { step_id: "yes", status: "failed", outcome: "failure" },
    { step_id: "no", status: "skipped", outcome: null },
    { step_id: "after", status: "skipped", outcome: null },
  ], "t");
  assertEquals([...path.edges], [0, 1]);
  assertEquals(path.steps.get("yes"), "failed");
  assertEquals(path.steps.get("no"), "skipped");
});
