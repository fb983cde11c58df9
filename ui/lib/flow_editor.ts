/**
 * The Flows builder's editor state as pure data, and a reducer over it:
 * every change a user makes on the canvas, the palette, the toolbar or a
 * step's details is an {@linkcode EditorAction}, and {@linkcode flowEditor}
 * says what the flow, the selection and the status line become. The island
 * only keeps the state in a signal and sends the requests.
 */
import { initialConfig, type PlacedProblem, placeProblems } from "./flow_form.ts";
import { layoutFlow, PAD, type Point, STEP_H, STEP_W } from "./flow_layout.ts";
import { type ExecutionPath, executionPath } from "./flow_path.ts";
import type {
  Branch,
  Execution,
  FlowEdge,
  FlowStep,
  StepTypeMeta,
  StoredFlow,
} from "./flow_types.ts";

/** What is selected on the canvas: a step by id, a connection by index, or nothing. */
export type Selection = { kind: "step"; id: string } | { kind: "edge"; index: number } | null;

/** The builder's status line. */
export interface Status {
  kind: "ok" | "bad";
  text: string;
}

/** A request the builder has in flight. */
export type Busy = "save" | "dry-run" | "trigger";

/** A change to a step; an undefined name or template_id removes it. */
export interface StepPatch {
  name?: string | undefined;
  config?: Record<string, unknown>;
  template_id?: number | undefined;
  position?: Point;
}

/** Everything the builder shows that the user can change. */
export interface EditorState {
  name: string;
  description: string;
  enabled: boolean;
  steps: FlowStep[];
  edges: FlowEdge[];
  selection: Selection;
  /** Changed since loaded or last saved. */
  dirty: boolean;
  /** The version last saved, and whether it has a manual trigger (so it can be triggered). */
  saved: { version: number; hasManual: boolean };
  /** The API's refusal of the last save, placed on the steps, edges and fields it names. */
  problems: PlacedProblem[];
  status: Status | null;
  busy: Busy | null;
  /** The last dry run or execution, with the path it took; cleared by any change. */
  run: { execution: Execution; path: ExecutionPath } | null;
}

/** Something the user did, or a request's answer. */
export type EditorAction =
  | { kind: "select"; selection: Selection }
  | { kind: "settings"; name?: string; description?: string; enabled?: boolean }
  | { kind: "add"; type: string; at?: Point }
  | { kind: "update"; id: string; patch: StepPatch }
  | { kind: "nudge"; id: string; dx: number; dy: number }
  /** A step follows the pointer; the move counts as a change once {@linkcode dropped}. */
  | { kind: "drag"; id: string; to: Point }
  | { kind: "dropped" }
  | { kind: "connect"; from: string; to: string; branch: string | null }
  | { kind: "branch"; index: number; branch: string }
  | { kind: "delete-step"; id: string }
  | { kind: "delete-edge"; index: number }
  | { kind: "busy"; busy: Busy | null }
  | { kind: "say"; status: Status | null }
  | { kind: "saved"; flow: StoredFlow }
  /** The API refused a save; `details` name the bad fields as `body.steps.ID.config.FIELD`. */
  | { kind: "refused"; message: string; details: readonly { path: string; message: string }[] }
  | { kind: "ran"; execution: Execution };

/** Step types by their `type`. */
export type StepTypes = Readonly<Record<string, StepTypeMeta>>;

/** The editor over a stored flow (null for a new one), every step placed; `notice` is said first. */
export function openFlow(flow: StoredFlow | null, notice: string | null = null): EditorState {
  const first = layoutFlow(flow?.steps ?? [], flow?.edges ?? []);
  return {
    name: flow?.name ?? "",
    description: flow?.description ?? "",
    enabled: flow?.enabled ?? true,
    steps: (flow?.steps ?? []).map((s) => ({ ...s, position: first.positions.get(s.id)! })),
    edges: flow?.edges ?? [],
    selection: null,
    dirty: false,
    saved: { version: flow?.version ?? 0, hasManual: hasManual(flow) },
    problems: [],
    status: notice ? { kind: "ok", text: notice } : null,
    busy: null,
    run: null,
  };
}

/** The reducer for flows made of these step types. */
export function flowEditor(
  types: StepTypes,
): (state: EditorState, action: EditorAction) => EditorState {
  return (state, action) => {
    switch (action.kind) {
      case "select":
        return { ...state, selection: action.selection };
      case "settings": {
        const { kind: _, ...settings } = action;
        return changed({ ...state, ...settings });
      }
      case "add":
        return addStep(state, types, action.type, action.at);
      case "update":
        return changed({ ...state, steps: patchStep(state.steps, action.id, action.patch) });
      case "nudge":
        return nudge(state, action.id, action.dx, action.dy);
      case "drag":
        return { ...state, steps: placeStep(state.steps, action.id, action.to) };
      case "dropped":
        return changed(state);
      case "connect":
        return connect(state, types, action);
      case "branch":
        return changed({ ...state, edges: rebranch(state.edges, action.index, action.branch) });
      case "delete-step":
        return deleteStep(state, action.id);
      case "delete-edge":
        return deleteEdge(state, action.index);
      case "busy":
        return { ...state, busy: action.busy };
      case "say":
        return { ...state, status: action.status };
      case "saved":
        return saved(state, action.flow);
      case "refused":
        return refused(state, action.message, action.details);
      case "ran":
        return {
          ...state,
          run: { execution: action.execution, path: pathOf(state, types, action) },
        };
    }
  };
}

/** The flow definition to send to `POST /v1/flows` or `PUT /v1/flows/{id}`. */
export function flowBody(state: EditorState) {
  return {
    name: state.name,
    description: state.description,
    enabled: state.enabled,
    steps: state.steps.map((s) => ({
      id: s.id,
      type: s.type,
      ...(s.name ? { name: s.name } : {}),
      config: s.config ?? {},
      ...(s.template_id !== undefined ? { template_id: s.template_id } : {}),
      ...(s.position
        ? { position: { x: Math.round(s.position.x), y: Math.round(s.position.y) } }
        : {}),
    })),
    edges: state.edges,
  };
}

/** The selected step, if a step is selected. */
export function selectedStep(state: EditorState): FlowStep | null {
  const s = state.selection;
  return s?.kind === "step" ? state.steps.find((x) => x.id === s.id) ?? null : null;
}

/** Branch choices when connecting from a step of this type; "" is an edge taken always. */
export function branchChoices(type: StepTypeMeta | undefined): string[] {
  if (!type || type.branches.length === 0) return [""];
  return type.kind === "condition" ? [...type.branches] : ["", ...type.branches];
}

/** How a branch choice reads in a list. */
export function branchName(branch: string): string {
  return branch === "" ? "always (on success)" : branch;
}

function hasManual(flow: Pick<StoredFlow, "steps"> | null): boolean {
  return flow?.steps.some((s) => s.type === "manual") ?? false;
}

/** A change to the flow: it needs saving, and the last run no longer shows it. */
function changed(state: EditorState): EditorState {
  return { ...state, dirty: true, run: null };
}

function ok(text: string): Status {
  return { kind: "ok", text };
}

function addStep(state: EditorState, types: StepTypes, type: string, at?: Point): EditorState {
  const meta = types[type];
  if (!meta) return state;
  const base = type.replace(/[^A-Za-z0-9]/g, "_");
  let n = 1;
  while (state.steps.some((s) => s.id === `${base}_${n}`)) n++;
  const id = `${base}_${n}`;
  const position = at
    ? { x: Math.max(0, Math.round(at.x)), y: Math.max(0, Math.round(at.y)) }
    : freeSpot(state);
  return {
    ...changed(state),
    steps: [...state.steps, { id, type, config: initialConfig(meta.config_schema), position }],
    selection: { kind: "step", id },
    status: ok(`Added ${meta.label} step ${id}`),
  };
}

/** Where a step added without a place goes: right of the selected step, else the first gap. */
function freeSpot(state: EditorState): Point {
  const taken = [...layoutFlow(state.steps, state.edges).positions.values()];
  const clear = (p: Point) =>
    taken.every((q) => Math.abs(q.x - p.x) >= STEP_W + 16 || Math.abs(q.y - p.y) >= STEP_H + 16);
  const near = selectedStep(state)?.position;
  const start = near ? { x: near.x + STEP_W + 88, y: near.y } : { x: PAD, y: PAD };
  for (let i = 0; i < 200; i++) {
    const p = near
      ? { x: start.x, y: start.y + i * (STEP_H + 24) }
      : { x: PAD + (i % 4) * (STEP_W + 88), y: PAD + Math.floor(i / 4) * (STEP_H + 32) };
    if (clear(p)) return p;
  }
  return start;
}

function patchStep(steps: FlowStep[], id: string, patch: StepPatch): FlowStep[] {
  return steps.map((s) => {
    if (s.id !== id) return s;
    const next: Record<string, unknown> = { ...s, ...patch };
    // An emptied name or a dropped template leaves the step without the key.
    for (const key of Object.keys(patch) as (keyof StepPatch)[]) {
      if (patch[key] === undefined) delete next[key];
    }
    return next as FlowStep;
  });
}

/** Moves a step by the arrow keys, never off the canvas's top or left. */
function nudge(state: EditorState, id: string, dx: number, dy: number): EditorState {
  const at = state.steps.find((s) => s.id === id)?.position;
  if (!at) return state;
  const position = { x: Math.max(0, at.x + dx), y: Math.max(0, at.y + dy) };
  return changed({ ...state, steps: patchStep(state.steps, id, { position }) });
}

function placeStep(steps: FlowStep[], id: string, to: Point): FlowStep[] {
  const position = { x: Math.max(0, to.x), y: Math.max(0, to.y) };
  return steps.map((s) => s.id === id ? { ...s, position } : s);
}

/** Adds an edge, or says why not (a loop on itself, into a trigger, a duplicate). */
function connect(
  state: EditorState,
  types: StepTypes,
  { from, to, branch }: { from: string; to: string; branch: string | null },
): EditorState {
  const target = state.steps.find((s) => s.id === to);
  const bad = (text: string): EditorState => ({ ...state, status: { kind: "bad", text } });
  if (!target || from === to) return bad("A step cannot connect to itself");
  if (types[target.type]?.kind === "trigger") {
    return bad(`${to} is a trigger: a trigger only starts a flow`);
  }
  const same = (e: FlowEdge) =>
    e.from === from && e.to === to && (e.branch ?? "") === (branch ?? "");
  if (state.edges.some(same)) return bad(`${from} → ${to} is already connected`);
  const edge: FlowEdge = { from, to, ...(branch ? { branch: branch as Branch } : {}) };
  return {
    ...changed(state),
    edges: [...state.edges, edge],
    status: ok(`Connected ${from} → ${to}${branch ? ` on ${branch}` : ""}`),
  };
}

function rebranch(edges: FlowEdge[], index: number, branch: string): FlowEdge[] {
  return edges.map((e, i) =>
    i === index ? { from: e.from, to: e.to, ...(branch ? { branch: branch as Branch } : {}) } : e
  );
}

function deleteStep(state: EditorState, id: string): EditorState {
  return {
    ...changed(state),
    steps: state.steps.filter((s) => s.id !== id),
    edges: state.edges.filter((e) => e.from !== id && e.to !== id),
    selection: null,
    status: ok(`Deleted step ${id}`),
  };
}

function deleteEdge(state: EditorState, index: number): EditorState {
  const e = state.edges[index];
  return {
    ...changed(state),
    edges: state.edges.filter((_, i) => i !== index),
    selection: null,
    status: e ? ok(`Deleted connection ${e.from} → ${e.to}`) : state.status,
  };
}

function saved(state: EditorState, flow: StoredFlow): EditorState {
  return {
    ...state,
    saved: { version: flow.version, hasManual: hasManual(flow) },
    problems: [],
    dirty: false,
    status: ok(`Saved: version ${flow.version}`),
  };
}

/** A refused save: its problems placed, and the first step with one selected unless one is. */
function refused(
  state: EditorState,
  message: string,
  details: readonly { path: string; message: string }[],
): EditorState {
  const problems = placeProblems(details, state.steps);
  const first = problems.find((p) => p.step)?.step;
  const sel = state.selection;
  const keep = sel?.kind === "step" && problems.some((p) => p.step === sel.id);
  return {
    ...state,
    problems,
    status: { kind: "bad", text: message },
    selection: first && !keep ? { kind: "step", id: first } : sel,
  };
}

function pathOf(state: EditorState, types: StepTypes, { execution }: { execution: Execution }) {
  const trigger = state.steps.find((s) => types[s.type]?.kind === "trigger")?.id ?? null;
  return executionPath(state.edges, execution.steps ?? [], trigger);
}
