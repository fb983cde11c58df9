/**
 * The Flows visual builder: a palette of the step types in
 * `GET /v1/flows/metadata` (drag onto the canvas, or "Add" by keyboard), a
 * canvas where steps move and connect (drag from an output port, or "Connect
 * to…"), a form per step generated from its JSON Schema, and save, dry run
 * and trigger through the API, with the API's errors shown on the step and
 * field they name and a run's path highlighted on the canvas. Viewers get
 * the canvas read-only.
 */
import { useComputed, useSignal, useSignalEffect } from "@preact/signals";
import { Fragment } from "preact";
import { useRef, useState } from "preact/hooks";
import { ConfigForm } from "../components/flow_config_form.tsx";
import { FlowGraph, type GraphStepType, stepLines } from "../components/flow_graph.tsx";
import { FlowMetricPreview } from "../components/flow_metric_preview.tsx";
import { api, ApiProblem } from "../lib/api.ts";
import {
  getAt,
  initialConfig,
  type PlacedProblem,
  placeProblems,
  setAt,
  variablesAt,
} from "../lib/flow_form.ts";
import {
  edgePath,
  layoutFlow,
  outputPorts,
  PAD,
  type Point,
  portPoint,
  STEP_H,
  STEP_W,
} from "../lib/flow_layout.ts";
import { type ExecutionPath, executionPath } from "../lib/flow_path.ts";
import type {
  Branch,
  Execution,
  FlowEdge,
  FlowsMetadata,
  FlowStep,
  StepTypeMeta,
  StoredFlow,
} from "../lib/flow_types.ts";

/** Props of {@linkcode FlowBuilder}. */
export interface FlowBuilderProps {
  metadata: FlowsMetadata;
  /** The flow as stored, or null for a new one. */
  flow: StoredFlow | null;
  /** Whether the user may change flows (operator and up); viewers get the canvas read-only. */
  canEdit: boolean;
  /** Said once on load ("Flow created"). */
  notice: string | null;
}

/** A change to a step; an undefined name or template_id removes it. */
interface StepPatch {
  name?: string | undefined;
  config?: Record<string, unknown>;
  template_id?: number | undefined;
  position?: Point;
}

type Selection = { kind: "step"; id: string } | { kind: "edge"; index: number } | null;

type Drag =
  | { kind: "move"; id: string; dx: number; dy: number; start: Point; moved: boolean }
  | { kind: "connect"; from: string; branch: string | null; point: Point };

const DRAG_TYPE = "application/x-halo-step";
/** How far a pointer moves before a press on a step counts as moving it rather than selecting. */
const MOVE_THRESHOLD = 4;
/** Context fields the gateway fills itself; a dry run's sample context leaves them out. */
const GATEWAY_FILLED = new Set(["flow_name", "fired_at", "prev_result"]);
const POLL_MS = 400;
const MIN_ZOOM = 0.5;
const MAX_ZOOM = 1.5;
/** Below this canvas width (phones) the flow keeps its size and the canvas scrolls. */
const MIN_FIT_WIDTH = 600;
const POLL_TRIES = 50;

/** Branch choices when connecting from a step of this type; "" is an edge taken always. */
function branchChoices(type: StepTypeMeta | undefined): string[] {
  if (!type || type.branches.length === 0) return [""];
  return type.kind === "condition" ? [...type.branches] : ["", ...type.branches];
}

function branchName(branch: string): string {
  return branch === "" ? "always (on success)" : branch;
}

/** A sample value typed in a form: numbers as numbers, the rest as text. */
function sampleValue(text: string): unknown {
  const n = Number(text);
  return text.trim() !== "" && Number.isFinite(n) ? n : text;
}

/** See the module comment. */
export default function FlowBuilder(props: FlowBuilderProps) {
  const { metadata, canEdit } = props;
  const types = Object.fromEntries(metadata.step_types.map((t) => [t.type, t]));
  const graphTypes: Record<string, GraphStepType> = types;
  const stored = props.flow;
  const first = layoutFlow(stored?.steps ?? [], stored?.edges ?? []);

  const flowId = stored?.id ?? null;
  const name = useSignal(stored?.name ?? "");
  const description = useSignal(stored?.description ?? "");
  const enabled = useSignal(stored?.enabled ?? true);
  const steps = useSignal<FlowStep[]>(
    (stored?.steps ?? []).map((s) => ({ ...s, position: first.positions.get(s.id)! })),
  );
  const edges = useSignal<FlowEdge[]>(stored?.edges ?? []);
  const savedVersion = useSignal(stored?.version ?? 0);
  const savedHasManual = useSignal(stored?.steps.some((s) => s.type === "manual") ?? false);
  const selection = useSignal<Selection>(null);
  const problems = useSignal<PlacedProblem[]>([]);
  const status = useSignal<{ kind: "ok" | "bad"; text: string } | null>(
    props.notice ? { kind: "ok", text: props.notice } : null,
  );
  const dirty = useSignal(false);
  const busy = useSignal<string | null>(null);
  const drag = useSignal<Drag | null>(null);
  const run = useSignal<{ execution: Execution; path: ExecutionPath } | null>(null);
  const panel = useSignal<"dry-run" | "trigger" | null>(null);
  const focusStep = useSignal<string | null>(null);
  const connectTo = useSignal("");
  const connectBranch = useSignal("");
  const svgRef = useRef<SVGSVGElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const zoom = useSignal(1);

  // A flow wider than the canvas starts zoomed out to fit, on screens wide enough to read it.
  useSignalEffect(() => {
    const frame = frameRef.current;
    if (!frame || frame.clientWidth < MIN_FIT_WIDTH) return;
    const fit = (frame.clientWidth - 2) / layout.peek().width;
    if (fit < 1) zoom.value = Math.max(MIN_ZOOM, Math.floor(fit * 20) / 20);
  });

  const layout = useComputed(() => layoutFlow(steps.value, edges.value));
  const selectedStep = useComputed(() => {
    const s = selection.value;
    return s?.kind === "step" ? steps.value.find((x) => x.id === s.id) ?? null : null;
  });

  // Keyboard users land on the step they just added, so Delete and "Connect to…" act on it.
  useSignalEffect(() => {
    const id = focusStep.value;
    if (!id) return;
    const el = svgRef.current?.querySelector<SVGGElement>(`[data-step="${id}"]`);
    el?.focus();
    focusStep.value = null;
  });

  const changed = () => {
    dirty.value = true;
    run.value = null;
  };

  const updateStep = (id: string, patch: StepPatch) => {
    steps.value = steps.value.map((s) => {
      if (s.id !== id) return s;
      const next: Record<string, unknown> = { ...s, ...patch };
      // An emptied name or a dropped template leaves the step without the key.
      for (const key of Object.keys(patch) as (keyof StepPatch)[]) {
        if (patch[key] === undefined) delete next[key];
      }
      return next as FlowStep;
    });
    changed();
  };

  const freeSpot = (): Point => {
    const taken = [...layout.value.positions.values()];
    const clear = (p: Point) =>
      taken.every((q) => Math.abs(q.x - p.x) >= STEP_W + 16 || Math.abs(q.y - p.y) >= STEP_H + 16);
    const near = selectedStep.value?.position;
    const start = near ? { x: near.x + STEP_W + 88, y: near.y } : { x: PAD, y: PAD };
    for (let i = 0; i < 200; i++) {
      const p = near
        ? { x: start.x, y: start.y + i * (STEP_H + 24) }
        : { x: PAD + (i % 4) * (STEP_W + 88), y: PAD + Math.floor(i / 4) * (STEP_H + 32) };
      if (clear(p)) return p;
    }
    return start;
  };

  const addStep = (type: string, at?: Point) => {
    const meta = types[type];
    if (!meta) return;
    const base = type.replace(/[^A-Za-z0-9]/g, "_");
    let n = 1;
    while (steps.value.some((s) => s.id === `${base}_${n}`)) n++;
    const id = `${base}_${n}`;
    const position = at
      ? { x: Math.max(0, Math.round(at.x)), y: Math.max(0, Math.round(at.y)) }
      : freeSpot();
    steps.value = [
      ...steps.value,
      { id, type, config: initialConfig(meta.config_schema), position },
    ];
    selection.value = { kind: "step", id };
    focusStep.value = id;
    changed();
    status.value = { kind: "ok", text: `Added ${meta.label} step ${id}` };
  };

  const deleteStep = (id: string) => {
    steps.value = steps.value.filter((s) => s.id !== id);
    edges.value = edges.value.filter((e) => e.from !== id && e.to !== id);
    selection.value = null;
    changed();
    status.value = { kind: "ok", text: `Deleted step ${id}` };
  };

  const deleteEdge = (index: number) => {
    const e = edges.value[index];
    edges.value = edges.value.filter((_, i) => i !== index);
    selection.value = null;
    changed();
    if (e) status.value = { kind: "ok", text: `Deleted connection ${e.from} → ${e.to}` };
  };

  const connect = (from: string, to: string, branch: string | null) => {
    const target = steps.value.find((s) => s.id === to);
    const say = (text: string) => status.value = { kind: "bad", text };
    if (!target || from === to) return say("A step cannot connect to itself");
    if (types[target.type]?.kind === "trigger") {
      return say(`${to} is a trigger: a trigger only starts a flow`);
    }
    const edge: FlowEdge = { from, to, ...(branch ? { branch: branch as Branch } : {}) };
    if (
      edges.value.some((e) => e.from === from && e.to === to && (e.branch ?? "") === (branch ?? ""))
    ) {
      return say(`${from} → ${to} is already connected`);
    }
    edges.value = [...edges.value, edge];
    changed();
    status.value = {
      kind: "ok",
      text: `Connected ${from} → ${to}${branch ? ` on ${branch}` : ""}`,
    };
  };

  const toCanvas = (e: { clientX: number; clientY: number }): Point => {
    const r = svgRef.current!.getBoundingClientRect();
    return { x: (e.clientX - r.left) / zoom.value, y: (e.clientY - r.top) / zoom.value };
  };

  const definition = () => ({
    name: name.value,
    description: description.value,
    enabled: enabled.value,
    steps: steps.value.map((s) => ({
      id: s.id,
      type: s.type,
      ...(s.name ? { name: s.name } : {}),
      config: s.config ?? {},
      ...(s.template_id !== undefined ? { template_id: s.template_id } : {}),
      ...(s.position
        ? { position: { x: Math.round(s.position.x), y: Math.round(s.position.y) } }
        : {}),
    })),
    edges: edges.value,
  });

  const save = async () => {
    busy.value = "save";
    status.value = null;
    try {
      if (flowId === null) {
        const created = await api<StoredFlow>("POST", "/v1/flows", definition());
        location.assign(`/flows/${created.id}?created=1`);
        return;
      }
      const saved = await api<StoredFlow>("PUT", `/v1/flows/${flowId}`, definition());
      savedVersion.value = saved.version;
      savedHasManual.value = saved.steps.some((s) => s.type === "manual");
      problems.value = [];
      dirty.value = false;
      status.value = { kind: "ok", text: `Saved: version ${saved.version}` };
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      problems.value = placeProblems(error.details, steps.value);
      status.value = { kind: "bad", text: error.message };
      const firstStep = problems.value.find((p) => p.step)?.step;
      const sel = selection.value;
      if (firstStep && !(sel?.kind === "step" && problems.value.some((p) => p.step === sel.id))) {
        selection.value = { kind: "step", id: firstStep };
      }
    } finally {
      busy.value = null;
    }
  };

  const showRun = (execution: Execution) => {
    const trigger = steps.value.find((s) => types[s.type]?.kind === "trigger")?.id ?? null;
    run.value = {
      execution,
      path: executionPath(edges.value, execution.steps ?? [], trigger),
    };
  };

  const dryRun = async (context: Record<string, unknown>) => {
    if (flowId === null) return;
    busy.value = "dry-run";
    try {
      showRun(await api<Execution>("POST", `/v1/flows/${flowId}/test`, { context }));
      status.value = { kind: "ok", text: "Dry run finished: its path is highlighted" };
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      status.value = { kind: "bad", text: error.message };
    } finally {
      busy.value = null;
    }
  };

  const trigger = async (payloadText: string) => {
    if (flowId === null) return;
    let payload: unknown;
    try {
      payload = payloadText.trim() ? JSON.parse(payloadText) : {};
    } catch (error) {
      status.value = { kind: "bad", text: `The payload is not JSON: ${(error as Error).message}` };
      return;
    }
    busy.value = "trigger";
    try {
      const { execution_id } = await api<{ execution_id: number }>(
        "POST",
        `/v1/flows/${flowId}/trigger`,
        { payload },
      );
      status.value = { kind: "ok", text: `Execution ${execution_id} started` };
      for (let i = 0; i < POLL_TRIES; i++) {
        const execution = await api<Execution>(
          "GET",
          `/v1/flows/${flowId}/executions/${execution_id}`,
        );
        showRun(execution);
        if (execution.status !== "running") break;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      const done = run.value?.execution;
      if (done) status.value = { kind: "ok", text: `Execution ${done.id} ${done.status}` };
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      status.value = { kind: "bad", text: error.message };
    } finally {
      busy.value = null;
    }
  };

  // ---- what problems and runs look like on the canvas ----------------------
  const stepProblems = (id: string) => problems.value.filter((p) => p.step === id);
  const stepClass = (id: string) => {
    const c: string[] = [];
    const sel = selection.value;
    if (sel?.kind === "step" && sel.id === id) c.push("selected");
    if (stepProblems(id).length) c.push("has-problem");
    if (run.value) c.push(`run-${run.value.path.steps.get(id) ?? "not-run"}`);
    return c.join(" ");
  };
  const stepNote = (id: string) => {
    if (!run.value) return stepProblems(id).length ? "⚠ problem" : null;
    const state = run.value.path.steps.get(id);
    return state === "succeeded"
      ? "✓ ran"
      : state === "failed"
      ? "✗ failed"
      : state === "skipped"
      ? "skipped"
      : state === "running"
      ? "running"
      : null;
  };
  const edgeClass = (i: number) => {
    const c: string[] = [];
    const sel = selection.value;
    if (sel?.kind === "edge" && sel.index === i) c.push("selected");
    if (problems.value.some((p) => p.edge === i)) c.push("has-problem");
    if (run.value) c.push(run.value.path.edges.has(i) ? "taken" : "not-taken");
    return c.join(" ");
  };

  // The visible lines first (so the name matches what is seen), then what only the styling says.
  const stepLabel = (s: FlowStep) => {
    const lines = stepLines(s, types[s.type]);
    const note = stepNote(s.id);
    return `${lines.kind} ${lines.title} ${lines.id}${note ? ` ${note}` : ""}${
      stepProblems(s.id).length && !note?.includes("problem") ? ", has problems" : ""
    }`;
  };

  // ---- canvas handlers -------------------------------------------------------
  const stepAttrs = (s: FlowStep) => ({
    tabIndex: 0,
    role: "button",
    "aria-label": stepLabel(s),
    "aria-pressed": selection.value?.kind === "step" && selection.value.id === s.id,
    onFocus: () => selection.value = { kind: "step", id: s.id },
    onPointerDown: (e: PointerEvent) => {
      selection.value = { kind: "step", id: s.id };
      if (!canEdit || e.button !== 0) return;
      const p = toCanvas(e);
      const at = s.position ?? { x: 0, y: 0 };
      drag.value = {
        kind: "move",
        id: s.id,
        dx: p.x - at.x,
        dy: p.y - at.y,
        start: p,
        moved: false,
      };
      svgRef.current?.setPointerCapture(e.pointerId);
    },
    onKeyDown: (e: KeyboardEvent) => {
      if (!canEdit) return;
      if (e.key === "Delete" || e.key === "Backspace") {
        e.preventDefault();
        return deleteStep(s.id);
      }
      const step = e.shiftKey ? 40 : 8;
      const move =
        { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[
          e.key
        ];
      if (move && s.position) {
        e.preventDefault();
        updateStep(s.id, {
          position: {
            x: Math.max(0, s.position.x + move[0]!),
            y: Math.max(0, s.position.y + move[1]!),
          },
        });
      }
    },
  });

  const edgeAttrs = (edge: FlowEdge, i: number) => ({
    tabIndex: 0,
    role: "button",
    "aria-label": `Connection ${edge.from} to ${edge.to}${edge.branch ? ` on ${edge.branch}` : ""}`,
    "aria-pressed": selection.value?.kind === "edge" && selection.value.index === i,
    onFocus: () => selection.value = { kind: "edge", index: i },
    onPointerDown: () => selection.value = { kind: "edge", index: i },
    onKeyDown: (e: KeyboardEvent) => {
      if (canEdit && (e.key === "Delete" || e.key === "Backspace")) {
        e.preventDefault();
        deleteEdge(i);
      }
    },
  });

  const portAttrs = (s: FlowStep, branch: string | null) =>
    canEdit
      ? {
        "aria-hidden": "true",
        onPointerDown: (e: PointerEvent) => {
          e.stopPropagation();
          if (e.button !== 0) return;
          drag.value = { kind: "connect", from: s.id, branch, point: toCanvas(e) };
          svgRef.current?.setPointerCapture(e.pointerId);
        },
      }
      : { "aria-hidden": "true" };

  const svgAttrs = {
    ref: svgRef,
    role: "group",
    onPointerMove: (e: PointerEvent) => {
      const d = drag.value;
      if (!d) return;
      const p = toCanvas(e);
      if (d.kind === "connect") {
        drag.value = { ...d, point: p };
        return;
      }
      const moved = d.moved || Math.hypot(p.x - d.start.x, p.y - d.start.y) > MOVE_THRESHOLD;
      if (!moved) return;
      if (!d.moved) drag.value = { ...d, moved: true };
      steps.value = steps.value.map((s) =>
        s.id === d.id
          ? { ...s, position: { x: Math.max(0, p.x - d.dx), y: Math.max(0, p.y - d.dy) } }
          : s
      );
    },
    onPointerUp: (e: PointerEvent) => {
      const d = drag.value;
      drag.value = null;
      if (!d) return;
      if (d.kind === "move") {
        if (d.moved) changed();
        return;
      }
      const target = document.elementFromPoint(e.clientX, e.clientY)?.closest("[data-step]")
        ?.getAttribute("data-step");
      if (target && target !== d.from) connect(d.from, target, d.branch);
    },
    onPointerCancel: () => drag.value = null,
    onDragOver: (e: DragEvent) => {
      if (canEdit && e.dataTransfer?.types.includes(DRAG_TYPE)) {
        e.preventDefault();
        e.dataTransfer.dropEffect = "copy";
      }
    },
    onDrop: (e: DragEvent) => {
      const type = e.dataTransfer?.getData(DRAG_TYPE);
      if (!canEdit || !type) return;
      e.preventDefault();
      const p = toCanvas(e);
      addStep(type, { x: p.x - STEP_W / 2, y: p.y - STEP_H / 2 });
    },
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === "Escape") selection.value = null;
    },
  };

  const draft = (() => {
    const d = drag.value;
    if (d?.kind !== "connect") return null;
    const from = layout.value.positions.get(d.from);
    const meta = types[steps.value.find((s) => s.id === d.from)?.type ?? ""];
    if (!from || !meta) return null;
    const ports = outputPorts(meta.branches);
    const a = portPoint(from, Math.max(0, ports.indexOf(d.branch)), ports.length);
    return <path class="edge-draft" d={edgePath(a, d.point).d} />;
  })();

  const flowProblems = problems.value.filter((p) => !p.step && p.edge === null);
  const sel = selection.value;

  return (
    <div class={`builder ${canEdit ? "editable" : "read-only"}`}>
      <section class="panel flow-settings" aria-label="Flow settings">
        {canEdit
          ? (
            <div class="settings-row">
              <div class="field">
                <label for="flow-name">Flow name</label>
                <input
                  id="flow-name"
                  value={name.value}
                  required
                  maxLength={80}
                  aria-invalid={flowProblems.some((p) => p.flowField === "name")
                    ? "true"
                    : undefined}
                  onInput={(e) => (name.value = e.currentTarget.value, changed())}
                />
              </div>
              <div class="field grow">
                <label for="flow-description">Description</label>
                <input
                  id="flow-description"
                  value={description.value}
                  maxLength={1000}
                  onInput={(e) => (description.value = e.currentTarget.value, changed())}
                />
              </div>
              <label class="check">
                <input
                  type="checkbox"
                  checked={enabled.value}
                  onChange={(e) => (enabled.value = e.currentTarget.checked, changed())}
                />
                Enabled
              </label>
            </div>
          )
          : (
            <p class={description.value ? "" : "muted"}>
              {description.value || "No description."}{" "}
              <span class={`badge ${enabled.value ? "ok" : ""}`}>
                {enabled.value ? "enabled" : "disabled"}
              </span>
            </p>
          )}
        {canEdit && (
          <div class="toolbar builder-actions">
            <button type="button" onClick={save} disabled={busy.value !== null}>
              {busy.value === "save" ? "Saving…" : flowId === null ? "Save flow" : "Save"}
            </button>
            {flowId !== null && (
              <>
                <button
                  type="button"
                  class="secondary"
                  aria-expanded={panel.value === "dry-run"}
                  onClick={() => panel.value = panel.value === "dry-run" ? null : "dry-run"}
                >
                  Dry run…
                </button>
                {savedHasManual.value && (
                  <button
                    type="button"
                    class="secondary"
                    aria-expanded={panel.value === "trigger"}
                    onClick={() => panel.value = panel.value === "trigger" ? null : "trigger"}
                  >
                    Trigger…
                  </button>
                )}
              </>
            )}
            <span class="muted">
              {dirty.value
                ? "Unsaved changes"
                : flowId !== null
                ? `Saved version ${savedVersion.value}`
                : "Not saved yet"}
            </span>
          </div>
        )}
        <p
          class={status.value ? `notice ${status.value.kind === "bad" ? "bad" : ""}` : "sr-only"}
          role="status"
          aria-live="polite"
          data-testid="builder-status"
        >
          {status.value?.text ?? ""}
        </p>
        {flowProblems.length > 0 && (
          <ul class="problems" role="alert">
            {flowProblems.map((p) => <li key={p.message}>{p.message}</li>)}
          </ul>
        )}
        {panel.value === "dry-run" && flowId !== null && (
          <DryRunForm
            steps={steps.value}
            types={types}
            dirty={dirty.value}
            busy={busy.value === "dry-run"}
            onRun={dryRun}
          />
        )}
        {panel.value === "trigger" && flowId !== null && (
          <TriggerForm
            steps={steps.value}
            dirty={dirty.value}
            busy={busy.value === "trigger"}
            onTrigger={trigger}
          />
        )}
        {run.value && <RunSummary flowId={flowId} execution={run.value.execution} />}
      </section>

      {canEdit && (
        <section class="panel palette" aria-labelledby="palette-h">
          <h2 id="palette-h">Steps</h2>
          <p class="muted palette-help">
            Drag a step onto the canvas, or add it with its button.
          </p>
          {(["trigger", "condition", "action"] as const).map((kind) => (
            <div class="palette-group" key={kind}>
              <h3>
                {kind === "trigger" ? "Triggers" : kind === "condition" ? "Conditions" : "Actions"}
              </h3>
              <ul>
                {metadata.step_types.filter((t) =>
                  t.kind === kind
                ).map((t) => (
                  <li
                    key={t.type}
                    class={`palette-item kind-${kind}`}
                    draggable
                    title={t.description}
                    data-testid={`palette-${t.type}`}
                    onDragStart={(e) => {
                      e.dataTransfer?.setData(DRAG_TYPE, t.type);
                      if (e.dataTransfer) e.dataTransfer.effectAllowed = "copy";
                    }}
                  >
                    <span class="grip" aria-hidden="true">⠿</span>
                    <span class="palette-label">{t.label}</span>
                    <button
                      type="button"
                      class="secondary small"
                      onClick={() =>
                        addStep(t.type)}
                    >
                      Add<span class="sr-only">{` ${t.label}`}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      )}

      <section class="canvas-wrap" aria-labelledby="canvas-h">
        <h2 id="canvas-h" class="sr-only">Canvas</h2>
        <div class="canvas" data-testid="flow-canvas" ref={frameRef}>
          <FlowGraph
            steps={steps.value}
            edges={edges.value}
            layout={layout.value}
            types={graphTypes}
            label={canEdit
              ? "Flow canvas: drop steps here; drag from a step's output port to another step to connect them"
              : "Flow graph"}
            stepClass={stepClass}
            stepNote={stepNote}
            edgeClass={edgeClass}
            stepAttrs={stepAttrs}
            edgeAttrs={edgeAttrs}
            portAttrs={portAttrs}
            svgAttrs={svgAttrs}
            scale={zoom.value}
          >
            {draft}
          </FlowGraph>
          {steps.value.length === 0 && (
            <p class="canvas-empty">
              {canEdit
                ? "Empty flow: start with a trigger from the palette."
                : "This flow has no steps."}
            </p>
          )}
        </div>
        <div class="canvas-foot">
          <Legend />
          <div class="zoom" role="group" aria-label="Zoom">
            <button
              type="button"
              class="secondary small"
              disabled={zoom.value <= MIN_ZOOM}
              onClick={() =>
                zoom.value = Math.max(MIN_ZOOM, Math.round((zoom.value - 0.1) * 10) / 10)}
            >
              Zoom out
            </button>
            <span class="muted" aria-live="polite">{Math.round(zoom.value * 100)} %</span>
            <button
              type="button"
              class="secondary small"
              disabled={zoom.value >= MAX_ZOOM}
              onClick={() =>
                zoom.value = Math.min(MAX_ZOOM, Math.round((zoom.value + 0.1) * 10) / 10)}
            >
              Zoom in
            </button>
          </div>
        </div>
      </section>

      <section class="panel inspector" aria-labelledby="inspector-h">
        {sel?.kind === "step" && selectedStep.value
          ? (
            <StepInspector
              step={selectedStep.value}
              meta={types[selectedStep.value.type]}
              all={metadata}
              steps={steps.value}
              edges={edges.value}
              storedVariables={Object.keys(stored?.variables ?? {})}
              problems={stepProblems(selectedStep.value.id)}
              canEdit={canEdit}
              types={types}
              connectTo={connectTo.value}
              connectBranch={connectBranch.value}
              onConnectTo={(v) => connectTo.value = v}
              onConnectBranch={(v) => connectBranch.value = v}
              onConnect={(to, branch) => connect(selectedStep.value!.id, to, branch || null)}
              onUpdate={(patch) => updateStep(selectedStep.value!.id, patch)}
              onDelete={() => deleteStep(selectedStep.value!.id)}
              onDeleteEdge={deleteEdge}
            />
          )
          : sel?.kind === "edge" && edges.value[sel.index]
          ? (
            <EdgeInspector
              edge={edges.value[sel.index]!}
              index={sel.index}
              fromType={types[
                steps.value.find((s) => s.id === edges.value[sel.index]!.from)?.type ?? ""
              ]}
              problems={problems.value.filter((p) => p.edge === sel.index)}
              canEdit={canEdit}
              onBranch={(branch) => {
                edges.value = edges.value.map((e, i) =>
                  i === sel.index
                    ? { from: e.from, to: e.to, ...(branch ? { branch: branch as Branch } : {}) }
                    : e
                );
                changed();
              }}
              onDelete={() => deleteEdge(sel.index)}
            />
          )
          : (
            <>
              <h2 id="inspector-h">Step details</h2>
              <p class="muted">
                {canEdit
                  ? "Select a step on the canvas (click it, or Tab to it) to configure and connect it. Delete removes the selected step or connection; arrow keys move a step."
                  : "Select a step on the canvas to see its configuration."}
              </p>
            </>
          )}
      </section>
    </div>
  );
}

function Legend() {
  return (
    <p class="legend muted">
      <span class="swatch kind-trigger" aria-hidden="true" /> trigger
      <span class="swatch kind-condition" aria-hidden="true" /> condition
      <span class="swatch kind-action" aria-hidden="true" /> action
    </p>
  );
}

interface StepInspectorProps {
  step: FlowStep;
  meta: StepTypeMeta | undefined;
  all: FlowsMetadata;
  steps: FlowStep[];
  edges: FlowEdge[];
  storedVariables: string[];
  problems: PlacedProblem[];
  canEdit: boolean;
  types: Record<string, StepTypeMeta>;
  connectTo: string;
  connectBranch: string;
  onConnectTo: (v: string) => void;
  onConnectBranch: (v: string) => void;
  onConnect: (to: string, branch: string) => void;
  onUpdate: (patch: StepPatch) => void;
  onDelete: () => void;
  onDeleteEdge: (index: number) => void;
}

function StepInspector(p: StepInspectorProps) {
  const { step, meta } = p;
  const errors = new Map<string, string[]>();
  for (const problem of p.problems) {
    if (problem.field) {
      errors.set(problem.field, [...errors.get(problem.field) ?? [], problem.message]);
    }
  }
  const config = (step.config ?? {}) as Record<string, unknown>;
  const outgoing = p.edges.map((e, i) => ({ e, i })).filter(({ e }) => e.from === step.id);
  const incoming = p.edges.filter((e) => e.to === step.id);
  const targets = p.steps.filter((s) => s.id !== step.id && p.types[s.type]?.kind !== "trigger");
  const choices = branchChoices(meta);
  const to = targets.some((s) => s.id === p.connectTo) ? p.connectTo : targets[0]?.id ?? "";
  const branch = choices.includes(p.connectBranch) ? p.connectBranch : choices[0]!;
  const previewed = meta && meta.config_schema.properties?.metric &&
    meta.config_schema.properties?.value;

  return (
    <div class="step-inspector">
      <h2 id="inspector-h">
        Step <code>{step.id}</code> <span class="muted">{meta?.label ?? step.type}</span>
      </h2>
      {meta && <p class="muted">{meta.description}</p>}
      {p.problems.length > 0 && (
        <div class="notice bad" role="alert" data-testid="step-problems">
          <strong>This step cannot be saved as it is:</strong>
          <ul>{p.problems.map((x) => <li key={x.message}>{x.message}</li>)}</ul>
        </div>
      )}
      {!p.canEdit
        ? <ReadOnlyConfig config={config} templateId={step.template_id} />
        : (
          <form class="stack step-form" onSubmit={(e) => e.preventDefault()}>
            <div class="field">
              <label for={`step-name-${step.id}`}>Step name</label>
              <input
                id={`step-name-${step.id}`}
                value={step.name ?? ""}
                maxLength={80}
                placeholder={meta?.label}
                onInput={(e) => {
                  const v = e.currentTarget.value;
                  p.onUpdate({ name: v || undefined });
                }}
              />
            </div>
            {step.template_id !== undefined
              ? (
                <p class="notice">
                  This step runs action template{" "}
                  {step.template_id}; change its config under the action templates, or{" "}
                  <button
                    type="button"
                    class="secondary small"
                    onClick={() =>
                      p.onUpdate({
                        template_id: undefined,
                        config: meta ? initialConfig(meta.config_schema) : {},
                      })}
                  >
                    give it its own config
                  </button>
                </p>
              )
              : meta && (
                <ConfigForm
                  key={step.id}
                  schema={meta.config_schema}
                  value={config}
                  onChange={(next) => p.onUpdate({ config: next })}
                  idPrefix={`cfg-${step.id}`}
                  errors={errors}
                  variables={(inner) =>
                    variablesAt(
                      step.id,
                      { steps: p.steps, edges: p.edges },
                      p.all.step_types,
                      p.all.variables,
                      {
                        storedVariables: p.storedVariables,
                        inner,
                      },
                    )}
                  after={(path) =>
                    previewed && path.length === 1 && path[0] === "value"
                      ? (
                        <FlowMetricPreview
                          metric={getAt(config, ["metric"]) as string | undefined}
                          node={typeof config.node === "string" && config.node !== "trigger"
                            ? config.node
                            : undefined}
                          onUse={(v) =>
                            p.onUpdate({
                              config: setAt(config, ["value"], v) as Record<string, unknown>,
                            })}
                        />
                      )
                      : null}
                />
              )}
          </form>
        )}

      <h3>Connections</h3>
      {incoming.length === 0 && outgoing.length === 0 && <p class="muted">Not connected yet.</p>}
      {incoming.length > 0 && (
        <p class="muted">
          From: {incoming.map((e) => `${e.from}${e.branch ? ` (${e.branch})` : ""}`).join(", ")}
        </p>
      )}
      {outgoing.length > 0 && (
        <ul class="connections">
          {outgoing.map(({ e, i }) => (
            <li key={i}>
              → <code>{e.to}</code>{" "}
              <span class={`badge ${e.branch ?? ""}`}>{e.branch ?? "always"}</span>
              {p.canEdit && (
                <button
                  type="button"
                  class="secondary small"
                  aria-label={`Remove connection ${e.from} to ${e.to}${
                    e.branch ? ` on ${e.branch}` : ""
                  }`}
                  onClick={() => p.onDeleteEdge(i)}
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {p.canEdit && (
        <div class="connect-form">
          {targets.length === 0
            ? <p class="muted">Add another step to connect this one to it.</p>
            : (
              <>
                <div class="field">
                  <label for="connect-to">Connect to…</label>
                  <select
                    id="connect-to"
                    value={to}
                    onChange={(e) => p.onConnectTo(e.currentTarget.value)}
                  >
                    {targets.map((s) => (
                      <option key={s.id} value={s.id}>
                        {s.id} ({p.types[s.type]?.label ?? s.type})
                      </option>
                    ))}
                  </select>
                </div>
                {choices.length > 1 && (
                  <div class="field">
                    <label for="connect-branch">Branch</label>
                    <select
                      id="connect-branch"
                      value={branch}
                      onChange={(e) => p.onConnectBranch(e.currentTarget.value)}
                    >
                      {choices.map((b) => <option key={b} value={b}>{branchName(b)}</option>)}
                    </select>
                  </div>
                )}
                <button type="button" class="secondary" onClick={() => p.onConnect(to, branch)}>
                  Connect
                </button>
              </>
            )}
          <button type="button" class="danger" onClick={p.onDelete}>Delete step</button>
        </div>
      )}
    </div>
  );
}

function ReadOnlyConfig(
  { config, templateId }: { config: Record<string, unknown>; templateId: number | undefined },
) {
  if (templateId !== undefined) return <p>Runs action template {templateId}.</p>;
  const entries = Object.entries(config);
  if (entries.length === 0) return <p class="muted">No settings: the defaults apply.</p>;
  return (
    <dl class="facts">
      {entries.map(([k, v]) => (
        <Fragment key={k}>
          <dt>{k}</dt>
          <dd>
            <code>{typeof v === "string" ? v : JSON.stringify(v)}</code>
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}

function EdgeInspector(
  p: {
    edge: FlowEdge;
    index: number;
    fromType: StepTypeMeta | undefined;
    problems: PlacedProblem[];
    canEdit: boolean;
    onBranch: (branch: string) => void;
    onDelete: () => void;
  },
) {
  const choices = branchChoices(p.fromType);
  return (
    <div>
      <h2 id="inspector-h">
        Connection <code>{p.edge.from}</code> → <code>{p.edge.to}</code>
      </h2>
      {p.problems.length > 0 && (
        <ul class="notice bad" role="alert">
          {p.problems.map((x) => <li key={x.message}>{x.message}</li>)}
        </ul>
      )}
      {p.canEdit
        ? (
          <div class="connect-form">
            {choices.length > 1 && (
              <div class="field">
                <label for="edge-branch">Branch</label>
                <select
                  id="edge-branch"
                  value={p.edge.branch ?? ""}
                  onChange={(e) => p.onBranch(e.currentTarget.value)}
                >
                  {!choices.includes(p.edge.branch ?? "") && (
                    <option value={p.edge.branch ?? ""}>{p.edge.branch ?? "always"}</option>
                  )}
                  {choices.map((b) => <option key={b} value={b}>{branchName(b)}</option>)}
                </select>
              </div>
            )}
            <button type="button" class="danger" onClick={p.onDelete}>Delete connection</button>
          </div>
        )
        : <p>Taken {p.edge.branch ? `when ${p.edge.from} ends ${p.edge.branch}` : "always"}.</p>}
    </div>
  );
}

function DryRunForm(
  p: {
    steps: FlowStep[];
    types: Record<string, StepTypeMeta>;
    dirty: boolean;
    busy: boolean;
    onRun: (context: Record<string, unknown>) => void;
  },
) {
  const trigger = p.steps.find((s) => p.types[s.type]?.kind === "trigger");
  const fields = [
    ...(trigger ? p.types[trigger.type]!.provides.filter((v) => !GATEWAY_FILLED.has(v)) : []),
    ...(trigger?.type === "manual"
      ? ((trigger.config as { payload_fields?: string[] }).payload_fields ?? []).map((f) =>
        `payload.${f}`
      )
      : []),
  ];
  // What the trigger's own config already says (a sensor_value's metric and threshold).
  const config = (trigger?.config ?? {}) as Record<string, unknown>;
  const samples: Record<string, string> = {};
  for (
    const [variable, key] of [["metric", "metric"], ["threshold", "value"], [
      "operator",
      "operator",
    ]]
  ) {
    if (fields.includes(variable!) && config[key!] !== undefined) {
      samples[variable!] = String(config[key!]);
    }
  }
  return (
    <form
      class="run-form"
      aria-label="Dry run"
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        const context: Record<string, unknown> = {};
        for (const f of fields) {
          const v = String(data.get(f) ?? "");
          if (v !== "") context[f] = sampleValue(v);
        }
        p.onRun(context);
      }}
    >
      <p class="muted">
        Runs the saved version with a sample context: conditions are evaluated, actions only say
        what they would do.{p.dirty ? " Save first to dry-run your changes." : ""}
      </p>
      <div class="run-fields">
        {fields.length === 0 && <p class="muted">This trigger needs no sample values.</p>}
        {fields.map((f) => (
          <div class="field" key={f}>
            <label for={`sample-${f}`}>{f}</label>
            <input id={`sample-${f}`} name={f} defaultValue={samples[f] ?? ""} />
          </div>
        ))}
      </div>
      <button type="submit" disabled={p.busy}>{p.busy ? "Running…" : "Run dry"}</button>
    </form>
  );
}

function TriggerForm(
  p: { steps: FlowStep[]; dirty: boolean; busy: boolean; onTrigger: (payload: string) => void },
) {
  const manual = p.steps.find((s) => s.type === "manual");
  const fields = (manual?.config as { payload_fields?: string[] } | undefined)?.payload_fields ??
    [];
  const [payload, setPayload] = useState(() =>
    JSON.stringify(Object.fromEntries(fields.map((f) => [f, ""])), null, 2)
  );
  return (
    <form
      class="run-form"
      aria-label="Trigger"
      onSubmit={(e) => {
        e.preventDefault();
        p.onTrigger(payload);
      }}
    >
      <p class="muted">
        Runs the saved version now, for real.{p.dirty ? " Unsaved changes are not part of it." : ""}
      </p>
      <div class="field">
        <label for="trigger-payload">Payload (JSON, optional)</label>
        <textarea
          id="trigger-payload"
          rows={3}
          value={payload}
          onInput={(e) => setPayload(e.currentTarget.value)}
        />
      </div>
      <button type="submit" disabled={p.busy}>{p.busy ? "Running…" : "Trigger now"}</button>
    </form>
  );
}

function RunSummary({ flowId, execution }: { flowId: number | null; execution: Execution }) {
  return (
    <div class="run-summary" data-testid="run-summary">
      <p>
        {execution.dry_run ? "Dry run" : "Execution"} {execution.id}:{" "}
        <span class={`badge ${execution.status}`}>{execution.status}</span>
        {execution.error && <span class="error-text">{execution.error}</span>}
        {flowId !== null && (
          <>
            {" "}
            <a href={`/flows/${flowId}/executions/${execution.id}`}>Open the trace</a>
          </>
        )}
      </p>
      <ol class="run-steps">
        {(execution.steps ?? []).map((s) => (
          <li key={s.step_id}>
            <code>{s.step_id}</code> <span class={`badge ${s.status}`}>{s.status}</span>
            {s.outcome && <span class="muted">→ {s.outcome}</span>}
          </li>
        ))}
      </ol>
    </div>
  );
}
