/**
 * The Flows builder's canvas: the flow drawn by {@linkcode FlowGraph}, made
 * editable. Steps are selected by click or Tab, moved by dragging or the
 * arrow keys, deleted with Delete; connections are drawn by dragging from an
 * output port onto another step; steps dropped from the palette are added
 * where they land. Zoom buttons scale the drawing.
 */
import { type Signal, useSignal, useSignalEffect } from "@preact/signals";
import { useMemo, useRef } from "preact/hooks";
import type { EditorAction, EditorState, StepTypes } from "../lib/flow_editor.ts";
import { edgeClass, stepClass, stepNote, stepProblems } from "../lib/flow_editor_marks.ts";
import {
  edgePath,
  type Layout,
  layoutFlow,
  outputPorts,
  type Point,
  portPoint,
  STEP_H,
  STEP_W,
} from "../lib/flow_layout.ts";
import type { FlowEdge, FlowStep } from "../lib/flow_types.ts";
import { FlowGraph, stepLines } from "./flow_graph.tsx";
import { DRAG_TYPE } from "./flow_palette.tsx";

/** How far a pointer moves before a press on a step counts as moving it rather than selecting. */
const MOVE_THRESHOLD = 4;
const MIN_ZOOM = 0.5;
const MAX_ZOOM = 1.5;
/** Below this canvas width (phones) the flow keeps its size and the canvas scrolls. */
const MIN_FIT_WIDTH = 600;

/** A pointer drag in progress: a step being moved, or a connection being drawn. */
type Drag =
  | { kind: "move"; id: string; dx: number; dy: number; start: Point; moved: boolean }
  | { kind: "connect"; from: string; branch: string | null; point: Point };

/** Props of {@linkcode FlowCanvas}. */
export interface FlowCanvasProps {
  state: EditorState;
  types: StepTypes;
  canEdit: boolean;
  dispatch: (action: EditorAction) => void;
  /** A step keyboard focus moves to (the one just added); cleared once it has. */
  focus: Signal<string | null>;
}

/** What the canvas's handlers share. */
interface Canvas {
  state: EditorState;
  types: StepTypes;
  canEdit: boolean;
  dispatch: (action: EditorAction) => void;
  drag: Signal<Drag | null>;
  svg: { current: SVGSVGElement | null };
  /** A pointer's place in the drawing's coordinates. */
  toCanvas: (e: { clientX: number; clientY: number }) => Point;
}

/** See the module comment. */
export function FlowCanvas(props: FlowCanvasProps) {
  const { state, canEdit } = props;
  const svgRef = useRef<SVGSVGElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const zoom = useSignal(1);
  const drag = useSignal<Drag | null>(null);
  const layout = useMemo(() => layoutFlow(state.steps, state.edges), [state.steps, state.edges]);

  // A flow wider than the canvas starts zoomed out to fit, on screens wide enough to read it.
  useSignalEffect(() => {
    const frame = frameRef.current;
    if (!frame || frame.clientWidth < MIN_FIT_WIDTH) return;
    const fit = (frame.clientWidth - 2) / layout.width;
    if (fit < 1) zoom.value = Math.max(MIN_ZOOM, Math.floor(fit * 20) / 20);
  });

  // Keyboard users land on the step they just added, so Delete and "Connect to…" act on it.
  useSignalEffect(() => {
    const id = props.focus.value;
    if (!id) return;
    svgRef.current?.querySelector<SVGGElement>(`[data-step="${id}"]`)?.focus();
    props.focus.value = null;
  });

  const canvas: Canvas = {
    ...props,
    drag,
    svg: svgRef,
    toCanvas: (e) => {
      const r = svgRef.current!.getBoundingClientRect();
      return { x: (e.clientX - r.left) / zoom.value, y: (e.clientY - r.top) / zoom.value };
    },
  };

  return (
    <section class="canvas-wrap" aria-labelledby="canvas-h">
      <h2 id="canvas-h" class="sr-only">Canvas</h2>
      <div class="canvas" data-testid="flow-canvas" ref={frameRef}>
        <FlowGraph
          steps={state.steps}
          edges={state.edges}
          layout={layout}
          types={props.types}
          label={canEdit
            ? "Flow canvas: drop steps here; drag from a step's output port to another step to connect them"
            : "Flow graph"}
          stepClass={(id) => stepClass(state, id)}
          stepNote={(id) => stepNote(state, id)}
          edgeClass={(i) => edgeClass(state, i)}
          stepAttrs={(s) => stepAttrs(canvas, s)}
          edgeAttrs={(edge, i) => edgeAttrs(canvas, edge, i)}
          portAttrs={(s, branch) => portAttrs(canvas, s, branch)}
          svgAttrs={{ ref: svgRef, role: "group", ...svgHandlers(canvas) }}
          scale={zoom.value}
        >
          <DraftEdge drag={drag.value} state={state} types={props.types} layout={layout} />
        </FlowGraph>
        {state.steps.length === 0 && (
          <p class="canvas-empty">
            {canEdit
              ? "Empty flow: start with a trigger from the palette."
              : "This flow has no steps."}
          </p>
        )}
      </div>
      <div class="canvas-foot">
        <Legend />
        <ZoomControls zoom={zoom} />
      </div>
    </section>
  );
}

/** A step's accessible name: the visible lines first, then what only the styling says. */
function stepLabel({ state, types }: Canvas, s: FlowStep): string {
  const lines = stepLines(s, types[s.type]);
  const note = stepNote(state, s.id);
  return `${lines.kind} ${lines.title} ${lines.id}${note ? ` ${note}` : ""}${
    stepProblems(state, s.id).length && !note?.includes("problem") ? ", has problems" : ""
  }`;
}

/** Arrow keys move a step 8 units, 40 with Shift. */
function arrowMove(e: KeyboardEvent): [number, number] | undefined {
  const step = e.shiftKey ? 40 : 8;
  const moves: Record<string, [number, number]> = {
    ArrowLeft: [-step, 0],
    ArrowRight: [step, 0],
    ArrowUp: [0, -step],
    ArrowDown: [0, step],
  };
  return moves[e.key];
}

function stepAttrs(canvas: Canvas, s: FlowStep) {
  const { state, dispatch, canEdit } = canvas;
  const select = () => dispatch({ kind: "select", selection: { kind: "step", id: s.id } });
  return {
    tabIndex: 0,
    role: "button",
    "aria-label": stepLabel(canvas, s),
    "aria-pressed": state.selection?.kind === "step" && state.selection.id === s.id,
    onFocus: select,
    onPointerDown: (e: PointerEvent) => {
      select();
      if (!canEdit || e.button !== 0) return;
      const p = canvas.toCanvas(e);
      const at = s.position ?? { x: 0, y: 0 };
      canvas.drag.value = {
        kind: "move",
        id: s.id,
        dx: p.x - at.x,
        dy: p.y - at.y,
        start: p,
        moved: false,
      };
      canvas.svg.current?.setPointerCapture(e.pointerId);
    },
    onKeyDown: (e: KeyboardEvent) => {
      if (!canEdit) return;
      if (e.key === "Delete" || e.key === "Backspace") {
        e.preventDefault();
        return dispatch({ kind: "delete-step", id: s.id });
      }
      const move = arrowMove(e);
      if (move && s.position) {
        e.preventDefault();
        dispatch({ kind: "nudge", id: s.id, dx: move[0], dy: move[1] });
      }
    },
  };
}

function edgeAttrs({ state, dispatch, canEdit }: Canvas, edge: FlowEdge, i: number) {
  const select = () => dispatch({ kind: "select", selection: { kind: "edge", index: i } });
  return {
    tabIndex: 0,
    role: "button",
    "aria-label": `Connection ${edge.from} to ${edge.to}${edge.branch ? ` on ${edge.branch}` : ""}`,
    "aria-pressed": state.selection?.kind === "edge" && state.selection.index === i,
    onFocus: select,
    onPointerDown: select,
    onKeyDown: (e: KeyboardEvent) => {
      if (canEdit && (e.key === "Delete" || e.key === "Backspace")) {
        e.preventDefault();
        dispatch({ kind: "delete-edge", index: i });
      }
    },
  };
}

/** An output port starts a connection when pressed (editors only). */
function portAttrs(canvas: Canvas, s: FlowStep, branch: string | null) {
  if (!canvas.canEdit) return { "aria-hidden": "true" };
  return {
    "aria-hidden": "true",
    onPointerDown: (e: PointerEvent) => {
      e.stopPropagation();
      if (e.button !== 0) return;
      canvas.drag.value = { kind: "connect", from: s.id, branch, point: canvas.toCanvas(e) };
      canvas.svg.current?.setPointerCapture(e.pointerId);
    },
  };
}

/** The drawing's own handlers: drags in progress, drops from the palette, Escape. */
function svgHandlers(canvas: Canvas) {
  const { drag, dispatch, canEdit } = canvas;
  return {
    onPointerMove: (e: PointerEvent) => {
      const d = drag.value;
      if (!d) return;
      const p = canvas.toCanvas(e);
      if (d.kind === "connect") {
        drag.value = { ...d, point: p };
        return;
      }
      const moved = d.moved || Math.hypot(p.x - d.start.x, p.y - d.start.y) > MOVE_THRESHOLD;
      if (!moved) return;
      if (!d.moved) drag.value = { ...d, moved: true };
      dispatch({ kind: "drag", id: d.id, to: { x: p.x - d.dx, y: p.y - d.dy } });
    },
    onPointerUp: (e: PointerEvent) => {
      const d = drag.value;
      drag.value = null;
      if (!d) return;
      if (d.kind === "move") {
        if (d.moved) dispatch({ kind: "dropped" });
        return;
      }
      const target = document.elementFromPoint(e.clientX, e.clientY)?.closest("[data-step]")
        ?.getAttribute("data-step");
      if (target && target !== d.from) {
        dispatch({ kind: "connect", from: d.from, to: target, branch: d.branch });
      }
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
      const p = canvas.toCanvas(e);
      dispatch({ kind: "add", type, at: { x: p.x - STEP_W / 2, y: p.y - STEP_H / 2 } });
    },
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === "Escape") dispatch({ kind: "select", selection: null });
    },
  };
}

/** The connection being drawn, from its port to the pointer. */
function DraftEdge(
  { drag, state, types, layout }: {
    drag: Drag | null;
    state: EditorState;
    types: StepTypes;
    layout: Layout;
  },
) {
  if (drag?.kind !== "connect") return null;
  const from = layout.positions.get(drag.from);
  const meta = types[state.steps.find((s) => s.id === drag.from)?.type ?? ""];
  if (!from || !meta) return null;
  const ports = outputPorts(meta.branches);
  const a = portPoint(from, Math.max(0, ports.indexOf(drag.branch)), ports.length);
  return <path class="edge-draft" d={edgePath(a, drag.point).d} />;
}

function ZoomControls({ zoom }: { zoom: Signal<number> }) {
  const by = (delta: number) =>
    zoom.value = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, Math.round((zoom.value + delta) * 10) / 10));
  return (
    <div class="zoom" role="group" aria-label="Zoom">
      <button
        type="button"
        class="secondary small"
        disabled={zoom.value <= MIN_ZOOM}
        onClick={() => by(-0.1)}
      >
        Zoom out
      </button>
      <span class="muted" aria-live="polite">{Math.round(zoom.value * 100)} %</span>
      <button
        type="button"
        class="secondary small"
        disabled={zoom.value >= MAX_ZOOM}
        onClick={() => by(0.1)}
      >
        Zoom in
      </button>
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
