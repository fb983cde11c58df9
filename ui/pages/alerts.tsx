import { AlertGroupItem } from "../components/alerts_card.tsx";
import { SilenceTable } from "../components/alerts_silence_table.tsx";
import { Layout } from "../components/layout.tsx";
import { Island } from "../framework/island.tsx";
import AlertsSilences from "../islands/alerts_silences.tsx";
import { ALERT_VIEWS, type AlertView, groupAlerts } from "../lib/alerts_groups.ts";
import type { Alert, Silence, SilenceChoices } from "../lib/alerts_types.ts";
import { can, type PortalSession } from "../lib/session.ts";

/** Props of {@linkcode AlertsPage}. */
export interface AlertsPageProps {
  session: PortalSession;
  view: AlertView;
  alerts: Alert[];
  /** The API's page size: when the view is full, older alerts are not shown. */
  limit: number;
  silences: Silence[];
  choices: SilenceChoices;
  now: number;
}

/**
 * Alerts by status, grouped by root cause, with Acknowledge and Resolve for
 * operators; then the silences (maintenance windows). Viewers get the same
 * page with no buttons and no script.
 */
export function AlertsPage(props: AlertsPageProps) {
  const { session, view, alerts, now } = props;
  const canAct = can(session, "operator");
  const groups = groupAlerts(alerts);
  return (
    <Layout session={session} active="alerts" title="Alerts">
      <nav class="alert-tabs" aria-label="Alert status">
        <ul>
          {ALERT_VIEWS.map((v) => (
            <li key={v.id}>
              <a
                href={v.id === "active" ? "/alerts" : `/alerts?status=${v.id}`}
                aria-current={v.id === view.id ? "page" : undefined}
              >
                {v.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section class="alerts-main" aria-labelledby="alerts-h">
        <h2 id="alerts-h">
          {view.label} <span class="muted">({alerts.length})</span>
        </h2>
        {groups.length === 0
          ? (
            <p class="empty">
              {view.id === "resolved"
                ? "No resolved alerts."
                : `No ${view.label.toLowerCase()} alerts.`}
            </p>
          )
          : (
            <ul class="alert-list" data-testid="alert-list">
              {groups.map((g) => (
                <AlertGroupItem key={g.alert.id} group={g} canAct={canAct} now={now} />
              ))}
            </ul>
          )}
        {alerts.length >= props.limit && (
          <p class="muted">Showing the newest {props.limit}; older alerts are not listed here.</p>
        )}
      </section>
      <section class="panel" aria-labelledby="silences-h">
        <h2 id="silences-h">Silences</h2>
        <p class="muted">
          During a silence, alerts for its node, tag or flow are still raised but marked silenced,
          and their webhooks are held back.
        </p>
        {canAct
          ? (
            <Island
              name="alerts_silences"
              component={AlertsSilences}
              props={{ silences: props.silences, choices: props.choices, now }}
            />
          )
          : <SilenceTable silences={props.silences} choices={props.choices} now={now} />}
      </section>
    </Layout>
  );
}
