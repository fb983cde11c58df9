/**
 * The Flows builder's details panel: the selected step's name, config form
 * (generated from its JSON Schema, with the API's problems on the fields they
 * name) and connections, or the selected connection's branch; read-only for
 * viewers.
 */
import { useSignal } from "@preact/signals";
import { Fragment } from "preact";
import {
  branchChoices,
  branchName,
  type EditorAction,
  type EditorState,
  selectedStep,
  type StepPatch,
  type StepTypes,
} from "../lib/flow_editor.ts";
import { stepProblems } from "../lib/flow_editor_marks.ts";
import { getAt, initialConfig, type PlacedProblem, setAt, variablesAt } from "../lib/flow_form.ts";
import type { FlowEdge, FlowsMetadata, FlowStep, StepTypeMeta } from "../lib/flow_types.ts";
import { ConfigForm } from "./flow_config_form.tsx";
import { FlowMetricMeaning } from "./flow_metric_meaning.tsx";
import { FlowMetricPreview } from "./flow_metric_preview.tsx";
import { StepConnections } from "./flow_step_connections.tsx";

/** Props of {@linkcode FlowStepDetails}. */
export interface FlowStepDetailsProps {
  state: EditorState;
  metadata: FlowsMetadata;
  types: StepTypes;
  /** Names of the variables the stored flow has, which `{var.NAME}` may read. */
  storedVariables: string[];
  canEdit: boolean;
  dispatch: (action: EditorAction) => void;
}

/** See the module comment. */
export function FlowStepDetails(p: FlowStepDetailsProps) {
  const { state, dispatch } = p;
  // Kept across selections, so connecting several steps to one target keeps it chosen.
  const connectTo = useSignal("");
  const connectBranch = useSignal("");
  const step = selectedStep(state);
  const sel = state.selection;
  const edge = sel?.kind === "edge" ? state.edges[sel.index] : undefined;
  return (
    <section class="panel inspector" aria-labelledby="inspector-h">
      {step
        ? (
          <StepInspector
            {...p}
            step={step}
            problems={stepProblems(state, step.id)}
            onUpdate={(patch) => dispatch({ kind: "update", id: step.id, patch })}
            connections={{
              to: connectTo.value,
              branch: connectBranch.value,
              onTo: (v) => connectTo.value = v,
              onBranch: (v) => connectBranch.value = v,
            }}
          />
        )
        : sel?.kind === "edge" && edge
        ? (
          <EdgeInspector
            edge={edge}
            fromType={p.types[state.steps.find((s) => s.id === edge.from)?.type ?? ""]}
            problems={state.problems.filter((x) => x.edge === sel.index)}
            canEdit={p.canEdit}
            onBranch={(branch) => dispatch({ kind: "branch", index: sel.index, branch })}
            onDelete={() => dispatch({ kind: "delete-edge", index: sel.index })}
          />
        )
        : (
          <>
            <h2 id="inspector-h">Step details</h2>
            <p class="muted">
              {p.canEdit
                ? "Select a step on the canvas (click it, or Tab to it) to configure and connect it. Delete removes the selected step or connection; arrow keys move a step."
                : "Select a step on the canvas to see its configuration."}
            </p>
          </>
        )}
    </section>
  );
}

interface StepInspectorProps extends FlowStepDetailsProps {
  step: FlowStep;
  problems: PlacedProblem[];
  onUpdate: (patch: StepPatch) => void;
  /** The "Connect to…" form's choices. */
  connections: {
    to: string;
    branch: string;
    onTo: (v: string) => void;
    onBranch: (v: string) => void;
  };
}

function StepInspector(p: StepInspectorProps) {
  const { step } = p;
  const meta = p.types[step.type];
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
        ? (
          <ReadOnlyConfig
            config={(step.config ?? {}) as Record<string, unknown>}
            templateId={step.template_id}
          />
        )
        : <StepForm {...p} meta={meta} />}
      <StepConnections
        step={step}
        meta={meta}
        steps={p.state.steps}
        edges={p.state.edges}
        types={p.types}
        canEdit={p.canEdit}
        {...p.connections}
        onConnect={(to, branch) =>
          p.dispatch({ kind: "connect", from: step.id, to, branch: branch || null })}
        onDelete={() => p.dispatch({ kind: "delete-step", id: step.id })}
        onDeleteEdge={(index) => p.dispatch({ kind: "delete-edge", index })}
      />
    </div>
  );
}

/** A step's name, and its config form or the action template it runs. */
function StepForm(p: StepInspectorProps & { meta: StepTypeMeta | undefined }) {
  const { step, meta } = p;
  return (
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
        : meta && <StepConfig {...p} meta={meta} />}
    </form>
  );
}

/** The config form of a step's type, offering the variables in scope and a metric's values. */
function StepConfig(p: StepInspectorProps & { meta: StepTypeMeta }) {
  const { step, meta, state } = p;
  const config = (step.config ?? {}) as Record<string, unknown>;
  const errors = new Map<string, string[]>();
  for (const problem of p.problems) {
    if (problem.field) {
      errors.set(problem.field, [...errors.get(problem.field) ?? [], problem.message]);
    }
  }
  const previewed = meta.config_schema.properties?.metric && meta.config_schema.properties?.value;
  return (
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
          { steps: state.steps, edges: state.edges },
          p.metadata.step_types,
          p.metadata.variables,
          { storedVariables: p.storedVariables, inner },
        )}
      after={(path) =>
        previewed && path.length === 1 && path[0] === "metric"
          ? (
            <FlowMetricMeaning
              metric={getAt(config, ["metric"]) as string | undefined}
              catalogue={p.metadata.metrics}
            />
          )
          : previewed && path.length === 1 && path[0] === "value"
          ? (
            <FlowMetricPreview
              metric={getAt(config, ["metric"]) as string | undefined}
              node={typeof config.node === "string" && config.node !== "trigger"
                ? config.node
                : undefined}
              onUse={(v) =>
                p.onUpdate({ config: setAt(config, ["value"], v) as Record<string, unknown> })}
            />
          )
          : null}
    />
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
