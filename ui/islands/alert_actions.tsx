/// <reference lib="dom" />
import { useSignal } from "@preact/signals";
import { AlertStateView } from "../components/alerts_state.tsx";
import { api, ApiProblem } from "../lib/api.ts";
import type { Alert, AlertState } from "../lib/alerts_types.ts";

/** Props of {@linkcode AlertActions}. */
export interface AlertActionsProps {
  alert: AlertState;
  /** Id of the element naming the alert, which the buttons refer to. */
  describedBy: string;
}

/**
 * An alert's state with Acknowledge and Resolve for operators and admins
 * (pages render it only for them; the API refuses anyone else anyway).
 */
export default function AlertActions(props: AlertActionsProps) {
  const alert = useSignal<AlertState>(props.alert);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);

  async function act(action: "acknowledge" | "resolve") {
    busy.value = true;
    error.value = null;
    try {
      alert.value = await api<Alert>("POST", `/v1/alerts/${alert.value.id}/${action}`);
    } catch (e) {
      error.value = e instanceof ApiProblem ? e.message : String(e);
    } finally {
      busy.value = false;
    }
  }

  const a = alert.value;
  return (
    <AlertStateView alert={a}>
      {a.status !== "resolved" && (
        <span class="alert-buttons">
          {a.status === "open" && (
            <button
              type="button"
              class="secondary"
              disabled={busy.value}
              aria-describedby={props.describedBy}
              onClick={() => act("acknowledge")}
            >
              Acknowledge
            </button>
          )}
          <button
            type="button"
            class="secondary"
            disabled={busy.value}
            aria-describedby={props.describedBy}
            onClick={() => act("resolve")}
          >
            Resolve
          </button>
        </span>
      )}
      {error.value && <span class="field-error" role="alert">{error.value}</span>}
    </AlertStateView>
  );
}
