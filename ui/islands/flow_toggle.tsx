/**
 * The enable/disable switch of a row in the flow list. The API has no
 * separate switch: it reads the flow and saves it back with `enabled`
 * flipped (its stored variables and secret header values stay as they are).
 */
import { useState } from "preact/hooks";
import { api, ApiProblem } from "../lib/api.ts";
import type { StoredFlow } from "../lib/flow_types.ts";

/** Props of {@linkcode FlowToggle}. */
export interface FlowToggleProps {
  id: number;
  name: string;
  enabled: boolean;
}

/** See the module comment. */
export default function FlowToggle(props: FlowToggleProps) {
  const [enabled, setEnabled] = useState(props.enabled);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const flip = async () => {
    setBusy(true);
    setError(null);
    try {
      const flow = await api<StoredFlow>("GET", `/v1/flows/${props.id}`);
      const saved = await api<StoredFlow>("PUT", `/v1/flows/${props.id}`, {
        name: flow.name,
        description: flow.description,
        enabled: !flow.enabled,
        steps: flow.steps,
        edges: flow.edges,
      });
      setEnabled(saved.enabled);
    } catch (e) {
      setError(e instanceof ApiProblem ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="flow-toggle">
      <button
        type="button"
        role="switch"
        class={enabled ? "switch on" : "switch"}
        aria-checked={enabled}
        aria-label={`${props.name} enabled`}
        disabled={busy}
        onClick={flip}
      >
        <span class="knob" aria-hidden="true" />
        <span class="switch-text" aria-hidden="true">{enabled ? "On" : "Off"}</span>
      </button>
      {error && <span class="field-error" role="alert">{error}</span>}
    </span>
  );
}
