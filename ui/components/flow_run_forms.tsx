/**
 * The Flows builder's run panels: a dry run with sample values for what the
 * trigger provides, a manual trigger with a JSON payload, and the summary of
 * the run they started.
 */
import { useState } from "preact/hooks";
import type { StepTypes } from "../lib/flow_editor.ts";
import type { Execution, FlowStep } from "../lib/flow_types.ts";

/** Context fields the gateway fills itself; a dry run's sample context leaves them out. */
const GATEWAY_FILLED = new Set(["flow_name", "fired_at", "prev_result"]);

/** A sample value typed in a form: numbers as numbers, the rest as text. */
function sampleValue(text: string): unknown {
  const n = Number(text);
  return text.trim() !== "" && Number.isFinite(n) ? n : text;
}

/** The payload fields a manual trigger declares. */
function payloadFields(trigger: FlowStep | undefined): string[] {
  return (trigger?.config as { payload_fields?: string[] } | undefined)?.payload_fields ?? [];
}

/**
 * The sample fields a dry run asks for (what the trigger provides, and a
 * manual trigger's payload), each filled with what the trigger's own config
 * already says (a sensor_value's metric and threshold).
 */
function sampleFields(steps: readonly FlowStep[], types: StepTypes) {
  const trigger = steps.find((s) => types[s.type]?.kind === "trigger");
  const fields = [
    ...(trigger ? types[trigger.type]!.provides.filter((v) => !GATEWAY_FILLED.has(v)) : []),
    ...(trigger?.type === "manual" ? payloadFields(trigger).map((f) => `payload.${f}`) : []),
  ];
  const config = (trigger?.config ?? {}) as Record<string, unknown>;
  const samples: Record<string, string> = {};
  for (
    const [variable, key] of [["metric", "metric"], ["threshold", "value"], [
      "operator",
      "operator",
    ]] as const
  ) {
    if (fields.includes(variable) && config[key] !== undefined) {
      samples[variable] = String(config[key]);
    }
  }
  return { fields, samples };
}

/** Props of {@linkcode DryRunForm}. */
export interface DryRunFormProps {
  steps: readonly FlowStep[];
  types: StepTypes;
  dirty: boolean;
  busy: boolean;
  onRun: (context: Record<string, unknown>) => void;
}

/** The dry run panel: a sample context for the saved version. */
export function DryRunForm(p: DryRunFormProps) {
  const { fields, samples } = sampleFields(p.steps, p.types);
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

/** Props of {@linkcode TriggerForm}. */
export interface TriggerFormProps {
  steps: readonly FlowStep[];
  dirty: boolean;
  busy: boolean;
  onTrigger: (payload: string) => void;
}

/** The trigger panel: runs the saved version for real, with a payload. */
export function TriggerForm(p: TriggerFormProps) {
  const fields = payloadFields(p.steps.find((s) => s.type === "manual"));
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

/** What a dry run or execution did, step by step, with a link to its trace. */
export function RunSummary({ flowId, execution }: { flowId: number | null; execution: Execution }) {
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
