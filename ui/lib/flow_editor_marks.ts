/**
 * How the editor's state marks the canvas: the selection, the problems of
 * a refused save and the path of the last run, as classes of step boxes and
 * connections and as a short note in a step's corner.
 */
import type { EditorState } from "./flow_editor.ts";
import type { PlacedProblem } from "./flow_form.ts";

type Marked = Pick<EditorState, "selection" | "problems" | "run">;

/** The problems of a refused save that name step `id`. */
export function stepProblems(state: Pick<EditorState, "problems">, id: string): PlacedProblem[] {
  return state.problems.filter((p) => p.step === id);
}

/** Classes of step `id`'s box: selected, has-problem, and run-STATE after a run. */
export function stepClass(state: Marked, id: string): string {
  const c: string[] = [];
  const sel = state.selection;
  if (sel?.kind === "step" && sel.id === id) c.push("selected");
  if (stepProblems(state, id).length) c.push("has-problem");
  if (state.run) c.push(`run-${state.run.path.steps.get(id) ?? "not-run"}`);
  return c.join(" ");
}

/** The note in step `id`'s corner: how it ran, or that it has a problem; null for none. */
export function stepNote(state: Marked, id: string): string | null {
  if (!state.run) return stepProblems(state, id).length ? "⚠ problem" : null;
  const ran = state.run.path.steps.get(id);
  return ran === "succeeded"
    ? "✓ ran"
    : ran === "failed"
    ? "✗ failed"
    : ran === "skipped"
    ? "skipped"
    : ran === "running"
    ? "running"
    : null;
}

/** Classes of connection `index`: selected, has-problem, and taken or not-taken after a run. */
export function edgeClass(state: Marked, index: number): string {
  const c: string[] = [];
  const sel = state.selection;
  if (sel?.kind === "edge" && sel.index === index) c.push("selected");
  if (state.problems.some((p) => p.edge === index)) c.push("has-problem");
  if (state.run) c.push(state.run.path.edges.has(index) ? "taken" : "not-taken");
  return c.join(" ");
}
