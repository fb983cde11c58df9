/**
 * A flow drawn as SVG: steps as boxes with output ports per branch, edges as
 * curves labelled with their branch. The server renders it as it is for the
 * execution view; the builder island passes attributes and handlers in to
 * make the same drawing editable. Only SVG attributes position things (the
 * CSP forbids inline styles).
 */
import type { ComponentChildren, JSX } from "preact";
import {
  edgePath,
  inputPoint,
  type Layout,
  outputPorts,
  portPoint,
  STEP_H,
  STEP_W,
} from "../lib/flow_layout.ts";
import type { FlowEdge, FlowStep, StepKind } from "../lib/flow_types.ts";

/** What the drawing needs of a step type. */
export interface GraphStepType {
  label: string;
  kind: StepKind;
  branches: readonly string[];
}

type Attrs = Record<string, unknown>;

/** Props of {@linkcode FlowGraph}. */
export interface FlowGraphProps {
  steps: readonly FlowStep[];
  edges: readonly FlowEdge[];
  layout: Layout;
  types: Readonly<Record<string, GraphStepType>>;
  /** The drawing's accessible name. */
  label: string;
  /** Extra classes of a step's box (selected, failed, skipped …). */
  stepClass?: (id: string) => string;
  /** A short note drawn in a step's corner (e.g. its status in an execution). */
  stepNote?: (id: string) => string | null;
  edgeClass?: (index: number) => string;
  /** Attributes and handlers of a step's group (the builder's). */
  stepAttrs?: (step: FlowStep) => Attrs;
  edgeAttrs?: (edge: FlowEdge, index: number) => Attrs;
  /** Attributes of an output port; without it ports are drawn but inert. */
  portAttrs?: (step: FlowStep, branch: string | null) => Attrs;
  svgAttrs?: Attrs;
  /** Drawing scale (the builder's zoom). @default 1 */
  scale?: number;
  /** Drawn over the graph (the builder's edge being dragged). */
  children?: ComponentChildren;
}

/** Cuts `text` to `max` characters with an ellipsis. */
function fit(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The three lines a step's box shows, as drawn (cut to fit). */
export function stepLines(
  step: Pick<FlowStep, "id" | "type" | "name">,
  type: GraphStepType | undefined,
): { kind: string; title: string; id: string } {
  const narrow = (type?.branches.length ?? 0) > 0;
  return {
    kind: type?.kind ?? "step",
    title: fit(step.name || type?.label || step.type, narrow ? 17 : 22),
    id: fit(step.id, narrow ? 19 : 24),
  };
}

/** See the module comment. */
export function FlowGraph(props: FlowGraphProps): JSX.Element {
  const { steps, edges, layout, types } = props;
  const kindOf = (id: string) => types[steps.find((s) => s.id === id)?.type ?? ""];
  return (
    <svg
      class="flow-graph"
      width={Math.round(layout.width * (props.scale ?? 1))}
      height={Math.round(layout.height * (props.scale ?? 1))}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      aria-label={props.label}
      {...props.svgAttrs}
    >
      <defs>
        <marker
          id="flow-arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path d="M0,0 L10,5 L0,10 z" class="flow-arrow" />
        </marker>
      </defs>
      <g class="flow-edges">
        {edges.map((edge, i) => {
          const from = layout.positions.get(edge.from), to = layout.positions.get(edge.to);
          if (!from || !to) return null;
          const ports = outputPorts(kindOf(edge.from)?.branches ?? []);
          const index = Math.max(0, ports.indexOf(edge.branch ?? null));
          const { d, mid } = edgePath(portPoint(from, index, ports.length), inputPoint(to));
          const text = edge.branch ?? "";
          return (
            <g
              key={`${edge.from}>${edge.to}>${edge.branch ?? ""}`}
              class={`flow-edge ${edge.branch ?? "always"} ${props.edgeClass?.(i) ?? ""}`}
              data-edge={i}
              {...props.edgeAttrs?.(edge, i)}
            >
              <path d={d} class="edge-hit" />
              <path d={d} class="edge-line" marker-end="url(#flow-arrow)" />
              {text && (
                <g transform={`translate(${mid.x},${mid.y})`} class="edge-label">
                  <rect
                    x={-text.length * 3.6 - 6}
                    y={-9}
                    width={text.length * 7.2 + 12}
                    height={18}
                    rx={9}
                  />
                  <text text-anchor="middle" dy="4">{text}</text>
                </g>
              )}
            </g>
          );
        })}
      </g>
      <g class="flow-steps">
        {steps.map((step) => {
          const at = layout.positions.get(step.id)!;
          const type = types[step.type];
          const ports = outputPorts(type?.branches ?? []);
          const lines = stepLines(step, type);
          const note = props.stepNote?.(step.id);
          return (
            <g
              key={step.id}
              class={`flow-step kind-${type?.kind ?? "unknown"} ${
                props.stepClass?.(step.id) ?? ""
              }`}
              transform={`translate(${at.x},${at.y})`}
              data-step={step.id}
              {...props.stepAttrs?.(step)}
            >
              <rect class="step-box" width={STEP_W} height={STEP_H} rx={8} />
              <rect class="step-band" width={6} height={STEP_H} rx={3} />
              <text class="step-kind" x={16} y={17}>{`${lines.kind} `}</text>
              <text class="step-title" x={16} y={36}>
                {`${lines.title} `}
              </text>
              <text class="step-id" x={16} y={53}>
                {`${lines.id} `}
              </text>
              {note && (
                <text
                  class="step-note"
                  x={STEP_W - (type?.branches.length ? 34 : 10)}
                  y={17}
                  text-anchor="end"
                >
                  {note}
                </text>
              )}
              {type?.kind !== "trigger" && (
                <circle class="port port-in" cx={0} cy={STEP_H / 2} r={5} />
              )}
              {ports.map((branch, i) => {
                const p = portPoint({ x: 0, y: 0 }, i, ports.length);
                return (
                  <g key={branch ?? "out"} class={`port-out ${branch ?? "always"}`}>
                    <circle
                      class="port"
                      cx={p.x}
                      cy={p.y}
                      r={7}
                      data-port={branch ?? ""}
                      {...props.portAttrs?.(step, branch)}
                    />
                  </g>
                );
              })}
            </g>
          );
        })}
      </g>
      <g class="port-labels" aria-hidden="true">
        {steps.flatMap((step) => {
          const at = layout.positions.get(step.id)!;
          const ports = outputPorts(types[step.type]?.branches ?? []);
          return ports.map((branch, i) => {
            if (!branch) return null;
            const p = portPoint(at, i, ports.length);
            return (
              <text
                key={`${step.id}-${branch}`}
                class="port-label"
                x={p.x - 10}
                y={p.y + 3}
                text-anchor="end"
              >
                {branch === "success" ? "ok" : branch === "failure" ? "fail" : branch}
              </text>
            );
          });
        })}
      </g>
      {props.children}
    </svg>
  );
}
