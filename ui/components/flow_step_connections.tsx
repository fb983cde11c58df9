/**
 * A step's connections in the builder's details panel: where it is entered
 * from, where it leads (each removable), and the keyboard's way to connect it:
 * "Connect to…" a step, on a branch.
 */
import { branchChoices, branchName, type StepTypes } from "../lib/flow_editor.ts";
import type { FlowEdge, FlowStep, StepTypeMeta } from "../lib/flow_types.ts";

/** Props of {@linkcode StepConnections}. */
export interface StepConnectionsProps {
  step: FlowStep;
  meta: StepTypeMeta | undefined;
  steps: readonly FlowStep[];
  edges: readonly FlowEdge[];
  types: StepTypes;
  canEdit: boolean;
  /** The target chosen in "Connect to…" (the first possible one if it is not possible). */
  to: string;
  /** The branch chosen (the first possible one if it is not possible). */
  branch: string;
  onTo: (to: string) => void;
  onBranch: (branch: string) => void;
  onConnect: (to: string, branch: string) => void;
  onDelete: () => void;
  onDeleteEdge: (index: number) => void;
}

/** See the module comment. */
export function StepConnections(p: StepConnectionsProps) {
  const { step } = p;
  const outgoing = p.edges.map((e, i) => ({ e, i })).filter(({ e }) => e.from === step.id);
  const incoming = p.edges.filter((e) => e.to === step.id);
  return (
    <>
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
      {p.canEdit && <ConnectForm {...p} />}
    </>
  );
}

/** "Connect to…" another step (not a trigger) on a branch, and "Delete step". */
function ConnectForm(p: StepConnectionsProps) {
  const targets = p.steps.filter((s) => s.id !== p.step.id && p.types[s.type]?.kind !== "trigger");
  const choices = branchChoices(p.meta);
  const to = targets.some((s) => s.id === p.to) ? p.to : targets[0]?.id ?? "";
  const branch = choices.includes(p.branch) ? p.branch : choices[0]!;
  return (
    <div class="connect-form">
      {targets.length === 0 ? <p class="muted">Add another step to connect this one to it.</p> : (
        <>
          <div class="field">
            <label for="connect-to">Connect to…</label>
            <select id="connect-to" value={to} onChange={(e) => p.onTo(e.currentTarget.value)}>
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
                onChange={(e) => p.onBranch(e.currentTarget.value)}
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
  );
}
