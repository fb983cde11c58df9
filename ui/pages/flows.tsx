import { Layout } from "../components/layout.tsx";
import { Island } from "../framework/island.tsx";
import FlowToggle from "../islands/flow_toggle.tsx";
import { ago, timestamp } from "../lib/format.ts";
import type { FlowSummary } from "../lib/flow_types.ts";
import type { PortalSession } from "../lib/session.ts";

/** One row of the flow list, with what the page knows about the viewer's rights on it. */
export interface FlowRow extends FlowSummary {
  /** Label of its trigger type (from the metadata). */
  triggerLabel: string | null;
  /** Whether this user may switch it on and off (operators; admins for flows with SSH commands). */
  canToggle: boolean;
  /** Runs commands over SSH, so only admins change it. */
  adminOnly: boolean;
}

/** Props of {@linkcode FlowsPage}. */
export interface FlowsPageProps {
  session: PortalSession;
  flows: FlowRow[];
  canCreate: boolean;
  now: number;
}

/** `/flows`: every flow with its trigger, last run and switch. */
export function FlowsPage({ session, flows, canCreate, now }: FlowsPageProps) {
  return (
    <Layout
      session={session}
      active="flows"
      title="Flows"
      actions={canCreate && <a class="button" href="/flows/new">New flow</a>}
    >
      <p class="muted">
        Flows turn telemetry, node events, schedules and manual triggers into alerts, webhooks and
        commands.
      </p>
      {flows.length === 0
        ? (
          <p class="empty">
            No flows yet.{canCreate && " "}
            {canCreate && <a href="/flows/new">Build the first one</a>}
          </p>
        )
        : (
          <div class="table-wrap">
            <table class="flows-table">
              <caption class="flows-caption">Flows</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Enabled</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Last run</th>
                  <th scope="col" class="num">Steps</th>
                  <th scope="col">
                    <span class="flows-sr-only">Links</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {flows.map((f) => (
                  <tr key={f.id} data-flow={f.id}>
                    <td>
                      <a href={`/flows/${f.id}`}>{f.name}</a>
                      {f.adminOnly && <span class="badge info">SSH · admin</span>}
                      {f.description && <div class="muted flow-desc">{f.description}</div>}
                    </td>
                    <td>
                      {f.canToggle
                        ? (
                          <Island
                            name="flow_toggle"
                            component={FlowToggle}
                            props={{ id: f.id, name: f.name, enabled: f.enabled }}
                          />
                        )
                        : (
                          <span class={`badge ${f.enabled ? "ok" : ""}`}>
                            {f.enabled ? "enabled" : "disabled"}
                          </span>
                        )}
                    </td>
                    <td>{f.triggerLabel ?? f.trigger ?? "—"}</td>
                    <td class="last-run">
                      {f.last_run
                        ? (
                          <>
                            <a href={`/flows/${f.id}/executions/${f.last_run.execution_id}`}>
                              <span class={`badge ${f.last_run.status}`}>{f.last_run.status}</span>
                            </a>{" "}
                            <time
                              dateTime={f.last_run.started_at}
                              title={timestamp(f.last_run.started_at)}
                            >
                              {ago(f.last_run.started_at, now)}
                            </time>
                          </>
                        )
                        : <span class="muted">never</span>}
                    </td>
                    <td class="num">{f.steps}</td>
                    <td class="flow-links">
                      <a
                        href={`/flows/${f.id}`}
                        aria-label={`${f.canToggle ? "Edit" : "View"} ${f.name}`}
                      >
                        {f.canToggle ? "Edit" : "View"}
                      </a>
                      <a href={`/flows/${f.id}/executions`} aria-label={`History of ${f.name}`}>
                        History
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </Layout>
  );
}
