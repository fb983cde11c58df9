import type { ComponentChildren } from "preact";
import { timestamp } from "../lib/format.ts";
import type { AlertState } from "../lib/alerts_types.ts";

/** Props of {@linkcode AlertStateView}. */
export interface AlertStateViewProps {
  alert: AlertState;
  /** Buttons, for those who may change the alert. */
  children?: ComponentChildren;
}

/** An alert's status and who acknowledged or resolved it when; the same on server and island. */
export function AlertStateView({ alert, children }: AlertStateViewProps) {
  return (
    <div class="alert-state" data-testid="alert-state">
      <span class={`badge ${alert.status}`}>{alert.status}</span>
      {alert.acknowledged_at && (
        <span>
          acknowledged{" "}
          <time dateTime={alert.acknowledged_at}>{timestamp(alert.acknowledged_at)}</time>
          {alert.acknowledged_by && ` by ${alert.acknowledged_by}`}
        </span>
      )}
      {alert.resolved_at && (
        <span>
          resolved <time dateTime={alert.resolved_at}>{timestamp(alert.resolved_at)}</time>
          {alert.resolved_by && ` by ${alert.resolved_by}`}
        </span>
      )}
      {children}
    </div>
  );
}
