import { Island } from "../framework/island.tsx";
import AlertActions from "../islands/alert_actions.tsx";
import { ago, timestamp } from "../lib/format.ts";
import type { Alert } from "../lib/alerts_types.ts";
import type { AlertGroup } from "../lib/alerts_groups.ts";
import { AlertStateView } from "./alerts_state.tsx";

/** Props of {@linkcode AlertCard}. */
export interface AlertCardProps {
  alert: Alert;
  /** Operators and admins get the buttons (as an island); viewers the state alone. */
  canAct: boolean;
  now: number;
  /** 3 for a root-cause or lone alert, 4 for one grouped under it. */
  level: 3 | 4;
}

/** One alert: severity, message, node, flow, the execution that raised it, times, state. */
export function AlertCard({ alert: a, canAct, now, level }: AlertCardProps) {
  const titleId = `alert-${a.id}-title`;
  const Heading = level === 3 ? "h3" : "h4";
  const state = {
    id: a.id,
    status: a.status,
    acknowledged_at: a.acknowledged_at,
    acknowledged_by: a.acknowledged_by,
    resolved_at: a.resolved_at,
    resolved_by: a.resolved_by,
  };
  return (
    <article
      class={`alert-card ${a.severity}`}
      id={`alert-${a.id}`}
      aria-labelledby={titleId}
      data-testid="alert"
    >
      <Heading class="alert-title" id={titleId}>
        <span class={`badge ${a.severity}`}>{a.severity}</span> <span>{a.message}</span>
        {a.silenced && <span class="badge silenced">silenced</span>}
      </Heading>
      <dl class="alert-facts">
        <div>
          <dt>Node</dt>
          <dd>
            {a.node_id
              ? <a href={`/nodes/${encodeURIComponent(a.node_id)}`}>{a.node_name ?? a.node_id}</a>
              : "—"}
          </dd>
        </div>
        <div>
          <dt>Flow</dt>
          <dd>
            {a.flow_id !== null
              ? <a href={`/flows/${a.flow_id}`}>{a.flow_name ?? `flow ${a.flow_id}`}</a>
              : "—"}
          </dd>
        </div>
        <div>
          <dt>Raised by</dt>
          <dd>
            {a.flow_id !== null && a.execution_id !== null
              ? (
                <a href={`/flows/${a.flow_id}/executions/${a.execution_id}`}>
                  execution #{a.execution_id}
                </a>
              )
              : "—"}
          </dd>
        </div>
        <div>
          <dt>Opened</dt>
          <dd>
            <time dateTime={a.opened_at}>{timestamp(a.opened_at)}</time>{" "}
            <span class="muted">({ago(a.opened_at, now)})</span>
          </dd>
        </div>
      </dl>
      {canAct
        ? (
          <Island
            name="alert_actions"
            component={AlertActions}
            props={{ alert: state, describedBy: titleId }}
          />
        )
        : <AlertStateView alert={state} />}
    </article>
  );
}

/** Props of {@linkcode AlertGroupItem}. */
export interface AlertGroupItemProps {
  group: AlertGroup;
  canAct: boolean;
  now: number;
}

/** A root-cause alert with the alerts grouped under it. */
export function AlertGroupItem({ group, canAct, now }: AlertGroupItemProps) {
  const { alert, children, elsewhere, parentElsewhere } = group;
  return (
    <li class="alert-group">
      <AlertCard alert={alert} canAct={canAct} now={now} level={3} />
      {parentElsewhere !== null && (
        <p class="muted alert-note">
          Grouped under{" "}
          <a href={`/alerts?status=all#alert-${parentElsewhere}`}>
            alert #{parentElsewhere}
          </a>, which this view does not list.
        </p>
      )}
      {(children.length > 0 || elsewhere.length > 0) && (
        <section class="alert-children" aria-label={`Alerts behind alert ${alert.id}`}>
          <p class="alert-note">
            <strong>
              {alert.children.length} alert{alert.children.length === 1 ? "" : "s"} behind this one
            </strong>{" "}
            <span class="muted">
              (nodes cut off by this root cause; their notifications held back)
            </span>
          </p>
          {children.length > 0 && (
            <ul class="alert-list">
              {children.map((c) => (
                <li key={c.id}>
                  <AlertCard alert={c} canAct={canAct} now={now} level={4} />
                </li>
              ))}
            </ul>
          )}
          {elsewhere.length > 0 && (
            <p class="muted alert-note">
              {elsewhere.length} more in{" "}
              <a href={`/alerts?status=all#alert-${alert.id}`}>
                other views
              </a>.
            </p>
          )}
        </section>
      )}
    </li>
  );
}
