/**
 * The Flows builder's top panel: the flow's name, description and switch
 * (read-only for viewers), save, dry run and trigger, the status line, the
 * problems of a refused save that name no step, and the run panels.
 */
import { useSignal } from "@preact/signals";
import type { EditorAction, EditorState, StepTypes } from "../lib/flow_editor.ts";
import { DryRunForm, RunSummary, TriggerForm } from "./flow_run_forms.tsx";

type Panel = "dry-run" | "trigger";

/** What the toolbar's buttons do. */
export interface FlowRequests {
  save: () => void;
  dryRun: (context: Record<string, unknown>) => void;
  trigger: (payload: string) => void;
}

/** Props of {@linkcode FlowToolbar}. */
export interface FlowToolbarProps {
  state: EditorState;
  /** The stored flow's id; null while it is new. */
  flowId: number | null;
  types: StepTypes;
  canEdit: boolean;
  dispatch: (action: EditorAction) => void;
  requests: FlowRequests;
}

/** See the module comment. */
export function FlowToolbar(p: FlowToolbarProps) {
  const { state, flowId } = p;
  const panel = useSignal<Panel | null>(null);
  const flowProblems = state.problems.filter((x) => !x.step && x.edge === null);
  return (
    <section class="panel flow-settings" aria-label="Flow settings">
      {p.canEdit
        ? (
          <FlowSettings
            state={state}
            nameInvalid={flowProblems.some((x) => x.flowField === "name")}
            dispatch={p.dispatch}
          />
        )
        : <FlowFacts state={state} />}
      {p.canEdit && (
        <FlowActions
          state={state}
          flowId={flowId}
          panel={panel.value}
          onPanel={(next) => panel.value = panel.value === next ? null : next}
          onSave={p.requests.save}
        />
      )}
      <p
        class={state.status ? `notice ${state.status.kind === "bad" ? "bad" : ""}` : "sr-only"}
        role="status"
        aria-live="polite"
        data-testid="builder-status"
      >
        {state.status?.text ?? ""}
      </p>
      {flowProblems.length > 0 && (
        <ul class="problems" role="alert">
          {flowProblems.map((x) => <li key={x.message}>{x.message}</li>)}
        </ul>
      )}
      {panel.value === "dry-run" && flowId !== null && (
        <DryRunForm
          steps={state.steps}
          types={p.types}
          dirty={state.dirty}
          busy={state.busy === "dry-run"}
          onRun={p.requests.dryRun}
        />
      )}
      {panel.value === "trigger" && flowId !== null && (
        <TriggerForm
          steps={state.steps}
          dirty={state.dirty}
          busy={state.busy === "trigger"}
          onTrigger={p.requests.trigger}
        />
      )}
      {state.run && <RunSummary flowId={flowId} execution={state.run.execution} />}
    </section>
  );
}

function FlowSettings(
  { state, nameInvalid, dispatch }: {
    state: EditorState;
    nameInvalid: boolean;
    dispatch: (action: EditorAction) => void;
  },
) {
  return (
    <div class="settings-row">
      <div class="field">
        <label for="flow-name">Flow name</label>
        <input
          id="flow-name"
          value={state.name}
          required
          maxLength={80}
          aria-invalid={nameInvalid ? "true" : undefined}
          onInput={(e) => dispatch({ kind: "settings", name: e.currentTarget.value })}
        />
      </div>
      <div class="field grow">
        <label for="flow-description">Description</label>
        <input
          id="flow-description"
          value={state.description}
          maxLength={1000}
          onInput={(e) => dispatch({ kind: "settings", description: e.currentTarget.value })}
        />
      </div>
      <label class="check">
        <input
          type="checkbox"
          checked={state.enabled}
          onChange={(e) => dispatch({ kind: "settings", enabled: e.currentTarget.checked })}
        />
        Enabled
      </label>
    </div>
  );
}

/** The settings as a viewer sees them. */
function FlowFacts({ state }: { state: EditorState }) {
  return (
    <p class={state.description ? "" : "muted"}>
      {state.description || "No description."}{" "}
      <span class={`badge ${state.enabled ? "ok" : ""}`}>
        {state.enabled ? "enabled" : "disabled"}
      </span>
    </p>
  );
}

function FlowActions(
  p: {
    state: EditorState;
    flowId: number | null;
    panel: Panel | null;
    onPanel: (panel: Panel) => void;
    onSave: () => void;
  },
) {
  const { state, flowId } = p;
  return (
    <div class="toolbar builder-actions">
      <button type="button" onClick={p.onSave} disabled={state.busy !== null}>
        {state.busy === "save" ? "Saving…" : flowId === null ? "Save flow" : "Save"}
      </button>
      {flowId !== null && (
        <>
          <button
            type="button"
            class="secondary"
            aria-expanded={p.panel === "dry-run"}
            onClick={() => p.onPanel("dry-run")}
          >
            Dry run…
          </button>
          {state.saved.hasManual && (
            <button
              type="button"
              class="secondary"
              aria-expanded={p.panel === "trigger"}
              onClick={() => p.onPanel("trigger")}
            >
              Trigger…
            </button>
          )}
        </>
      )}
      <span class="muted">
        {state.dirty
          ? "Unsaved changes"
          : flowId !== null
          ? `Saved version ${state.saved.version}`
          : "Not saved yet"}
      </span>
    </div>
  );
}
