import { assert, assertEquals } from "../../lib/testing/assert.ts";
import {
  branchChoices,
  type EditorAction,
  type EditorState,
  flowBody,
  flowEditor,
  openFlow,
} from "./flow_editor.ts";
import { edgeClass, stepClass, stepNote } from "./flow_editor_marks.ts";
import { PAD, STEP_H, STEP_W } from "./flow_layout.ts";
import type { Execution, StepTypeMeta, StoredFlow } from "./flow_types.ts";

/** Step types as GET /v1/flows/metadata gives them, cut to what the editor reads. */
const meta = (
  type: string,
  kind: StepTypeMeta["kind"],
  branches: string[],
  config_schema: StepTypeMeta["config_schema"] = { type: "object", properties: {} },
): StepTypeMeta => ({
  type,
  kind,
  label: type[0]!.toUpperCase() + type.slice(1),
  description: "",
  config_schema,
  provides: [],
  branches,
});
const TYPES = {
  manual: meta("manual", "trigger", []),
  threshold: meta("threshold", "condition", ["true", "false"]),
  alert: meta("alert", "action", ["success", "failure"], {
    type: "object",
    properties: { severity: { type: "string", default: "warning" }, message: { type: "string" } },
    required: ["message"],
  }),
};
const edit = flowEditor(TYPES);

/** Applies the actions one after another, as the user does them. */
function play(state: EditorState, ...actions: EditorAction[]): EditorState {
  return actions.reduce(edit, state);
}

const stored: StoredFlow = {
  id: 7,
  name: "hot pump",
  description: "",
  enabled: true,
  version: 3,
  builtin: null,
  steps: [
    { id: "t", type: "manual", config: { payload_fields: [] } },
    { id: "hot", type: "threshold", config: {}, position: { x: 400, y: 40 } },
    { id: "raise", type: "alert", config: { severity: "critical", message: "hot" } },
  ],
  edges: [{ from: "t", to: "hot" }, { from: "hot", to: "raise", branch: "true" }],
  variables: {},
  created_at: "2026-11-23T12:00:00.000Z",
  created_by: "ada",
  updated_at: "2026-11-23T12:00:00.000Z",
  updated_by: "ada",
};

const execution = (steps: Execution["steps"], status: Execution["status"] = "succeeded") => ({
  id: 12,
  flow_id: 7,
  flow_version: 3,
  trigger_type: "manual",
  trigger_context: {},
  status,
  dry_run: true,
  started_at: "2026-11-23T12:00:00.000Z",
  finished_at: null,
  error: null,
  steps,
});

Deno.test("openFlow() places every step, keeping the positions it has", () => {
  const state = openFlow(stored, "Flow created");
  assertEquals(state.steps.find((s) => s.id === "hot")!.position, { x: 400, y: 40 });
  assert(state.steps.every((s) => s.position), "every step has a place to be moved from");
  assertEquals(state.saved, { version: 3, hasManual: true });
  assertEquals(state.status, { kind: "ok", text: "Flow created" });
  assertEquals(state.dirty, false);
});

Deno.test("an operator starts a flow from the palette: each step is new, selected and said", () => {
  let state = play(openFlow(null), { kind: "add", type: "manual" });
  assertEquals(state.steps.map((s) => s.id), ["manual_1"]);
  assertEquals(state.selection, { kind: "step", id: "manual_1" });
  assertEquals(state.status, { kind: "ok", text: "Added Manual step manual_1" });
  assertEquals(state.dirty, true);

  state = play(
    state,
    { kind: "add", type: "alert" },
    { kind: "select", selection: { kind: "step", id: "manual_1" } },
    { kind: "add", type: "alert" },
  );
  assertEquals(state.steps.map((s) => s.id), ["manual_1", "alert_1", "alert_2"]);
  assertEquals(state.steps[1]!.config, {}, "required fields are left for the user to fill");
  const [trigger, first, second] = state.steps.map((s) => s.position!);
  assertEquals(first, { x: trigger!.x + STEP_W + 88, y: trigger!.y }, "right of the selected step");
  assertEquals(second, { x: first!.x, y: first!.y + STEP_H + 24 }, "below the step already there");
});

Deno.test("a step dropped on the canvas lands where it was dropped, on the canvas", () => {
  const state = play(openFlow(null), { kind: "add", type: "manual", at: { x: -30.4, y: 99.6 } });
  assertEquals(state.steps[0]!.position, { x: 0, y: 100 });
  assertEquals(play(state, { kind: "add", type: "no_such_type" }), state);
});

Deno.test("connecting steps adds an edge once, and refuses what the engine would", async (t) => {
  const state = openFlow(stored);
  await t.step("an edge on a branch", () => {
    const next = play(state, { kind: "connect", from: "hot", to: "raise", branch: "false" });
    assertEquals(next.edges.at(-1), { from: "hot", to: "raise", branch: "false" });
    assertEquals(next.status, { kind: "ok", text: "Connected hot → raise on false" });
    assertEquals(next.dirty, true);
  });
  await t.step("an edge taken always carries no branch", () => {
    const next = play(state, { kind: "connect", from: "t", to: "raise", branch: null });
    assertEquals(next.edges.at(-1), { from: "t", to: "raise" });
  });
  const refusals: [string, string, string | null, string][] = [
    ["hot", "hot", null, "A step cannot connect to itself"],
    ["hot", "t", null, "t is a trigger: a trigger only starts a flow"],
    ["hot", "raise", "true", "hot → raise is already connected"],
  ];
  for (const [from, to, branch, text] of refusals) {
    await t.step(`refused: ${text}`, () => {
      const next = play(state, { kind: "connect", from, to, branch });
      assertEquals(next.edges, state.edges);
      assertEquals(next.status, { kind: "bad", text });
      assertEquals(next.dirty, false);
    });
  }
});

Deno.test("deleting a step takes its connections with it", () => {
  const state = play(
    openFlow(stored),
    { kind: "select", selection: { kind: "step", id: "hot" } },
    { kind: "delete-step", id: "hot" },
  );
  assertEquals(state.steps.map((s) => s.id), ["t", "raise"]);
  assertEquals(state.edges, []);
  assertEquals(state.selection, null);
  assertEquals(state.status, { kind: "ok", text: "Deleted step hot" });
});

Deno.test("a connection is deleted or given another branch by its index", () => {
  const state = openFlow(stored);
  const deleted = play(state, { kind: "delete-edge", index: 0 });
  assertEquals(deleted.edges, [{ from: "hot", to: "raise", branch: "true" }]);
  assertEquals(deleted.status, { kind: "ok", text: "Deleted connection t → hot" });
  const always = play(state, { kind: "branch", index: 1, branch: "" });
  assertEquals(always.edges[1], { from: "hot", to: "raise" });
  assertEquals(always.dirty, true);
});

Deno.test("a step dragged is only a change once dropped; arrow keys stop at the canvas edge", () => {
  const state = openFlow(stored);
  const dragging = play(state, { kind: "drag", id: "hot", to: { x: 500, y: -8 } });
  assertEquals(dragging.steps[1]!.position, { x: 500, y: 0 });
  assertEquals(dragging.dirty, false);
  assertEquals(play(dragging, { kind: "dropped" }).dirty, true);

  const nudged = play(state, { kind: "nudge", id: "hot", dx: -8, dy: -48 });
  assertEquals(nudged.steps[1]!.position, { x: 392, y: 0 });
  assertEquals(nudged.dirty, true);
});

Deno.test("a step's name and template are removed when emptied, its config replaced", () => {
  let state = play(openFlow(stored), {
    kind: "update",
    id: "raise",
    patch: { name: "Page the on-call", template_id: 4 },
  });
  assertEquals(state.steps[2]!.name, "Page the on-call");
  state = play(state, {
    kind: "update",
    id: "raise",
    patch: { name: undefined, template_id: undefined, config: { message: "own" } },
  });
  assertEquals(state.steps[2], {
    id: "raise",
    type: "alert",
    config: { message: "own" },
    position: state.steps[2]!.position,
  });
});

Deno.test("the flow's name, description and switch are changes", () => {
  const state = play(openFlow(stored), { kind: "settings", name: "cold pump", enabled: false });
  assertEquals([state.name, state.enabled, state.dirty], ["cold pump", false, true]);
});

Deno.test("a refused save marks the steps named and selects the first one", () => {
  const details = [
    { path: "body.name", message: "taken" },
    { path: "body.steps.raise.config.message", message: "Required" },
    { path: "body.edges.0", message: "goes nowhere" },
  ];
  const state = play(openFlow(stored), { kind: "refused", message: "Cannot be saved", details });
  assertEquals(state.status, { kind: "bad", text: "Cannot be saved" });
  assertEquals(state.selection, { kind: "step", id: "raise" });
  assertEquals(state.problems[1]!.field, "message");
  assertEquals(stepClass(state, "raise"), "selected has-problem");
  assertEquals(stepNote(state, "raise"), "⚠ problem");
  assertEquals(edgeClass(state, 0), "has-problem");

  const elsewhere = play(
    openFlow(stored),
    { kind: "select", selection: { kind: "edge", index: 0 } },
    { kind: "refused", message: "no", details: [{ path: "body.edges.0", message: "bad" }] },
  );
  assertEquals(elsewhere.selection, { kind: "edge", index: 0 }, "no step named: kept");
});

Deno.test("a save clears the problems and remembers the version and its manual trigger", () => {
  const refused = play(openFlow(null), { kind: "add", type: "alert" }, {
    kind: "refused",
    message: "no trigger",
    details: [{ path: "body.steps.alert_1", message: "needs a trigger" }],
  });
  const saved = play(refused, { kind: "saved", flow: { ...stored, version: 4 } });
  assertEquals(saved.problems, []);
  assertEquals(saved.dirty, false);
  assertEquals(saved.saved, { version: 4, hasManual: true });
  assertEquals(saved.status, { kind: "ok", text: "Saved: version 4" });
});

Deno.test("a run's path shows on the canvas until the flow changes", () => {
  const ran = play(openFlow(stored), {
    kind: "ran",
    execution: execution([
      run("t", "succeeded", "success"),
      run("hot", "succeeded", "false"),
      run("raise", "skipped", null),
    ]),
  });
  assertEquals(stepClass(ran, "hot"), "run-succeeded");
  assertEquals(stepNote(ran, "raise"), "skipped");
  assertEquals([edgeClass(ran, 0), edgeClass(ran, 1)], ["taken", "not-taken"]);
  assertEquals(play(ran, { kind: "nudge", id: "t", dx: 8, dy: 0 }).run, null);
  assertEquals(
    play(ran, { kind: "select", selection: null }).run,
    ran.run,
    "selecting is no change",
  );
});

Deno.test("flowBody() sends whole positions and no empty names", () => {
  const state = play(openFlow(null), { kind: "add", type: "manual" }, {
    kind: "drag",
    id: "manual_1",
    to: { x: 10.6, y: 20.2 },
  }, { kind: "update", id: "manual_1", patch: { name: "" } });
  assertEquals(flowBody({ ...state, name: "n" }), {
    name: "n",
    description: "",
    enabled: true,
    steps: [{ id: "manual_1", type: "manual", config: {}, position: { x: 11, y: 20 } }],
    edges: [],
  });
});

Deno.test("branchChoices() offers 'always' only where a step can also end otherwise", () => {
  assertEquals(branchChoices(TYPES.manual), [""]);
  assertEquals(branchChoices(TYPES.threshold), ["true", "false"]);
  assertEquals(branchChoices(TYPES.alert), ["", "success", "failure"]);
  assertEquals(branchChoices(undefined), [""]);
});

Deno.test("a step added with nothing selected takes the first free place, four to a row", () => {
  const state = play(openFlow(stored), { kind: "add", type: "alert" });
  // t, hot (stored near the second place) and raise take the first three.
  assertEquals(state.steps.at(-1)!.position, { x: PAD + 3 * (STEP_W + 88), y: PAD });
});

function run(step_id: string, status: "succeeded" | "skipped", outcome: string | null) {
  return {
    step_id,
    status,
    outcome,
    input: null,
    output: null,
    started_at: null,
    finished_at: null,
    duration_ms: null,
  };
}
