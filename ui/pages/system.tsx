import { BACKUP_PASSPHRASE_MIN } from "../../lib/schemas/backup.ts";
import { Layout } from "../components/layout.tsx";
import { Island } from "../framework/island.tsx";
import ClockSet from "../islands/clock_set.tsx";
import { bytes, duration, timestamp } from "../lib/format.ts";
import { can, type PortalSession } from "../lib/session.ts";
import type { SystemInfo } from "../lib/settings_types.ts";
import type { Health } from "../lib/types.ts";

/** Props of {@linkcode SystemPage}. */
export interface SystemPageProps {
  session: PortalSession;
  system: SystemInfo;
  /** `/health`, or why it could not be read. */
  health: Health | { error: string };
  /** Why the last backup was refused. */
  backupError?: string;
  /** The gateway's clock when it made the page. */
  now: number;
}

function yesNo(value: boolean | null, yes: string, no: string, unknown = "unknown") {
  if (value === null) return <span class="badge">{unknown}</span>;
  return <span class={value ? "badge ok" : "badge bad"}>{value ? yes : no}</span>;
}

/** `/system`: what runs, its database, clock and telemetry store; a backup for admins. */
export function SystemPage({ session, system, health, backupError, now }: SystemPageProps) {
  const h = "error" in health ? null : health;
  return (
    <Layout session={session} active="system" title="System">
      {"error" in health && (
        <p class="notice bad" role="alert">Gateway health could not be read: {health.error}</p>
      )}
      {h?.status === "degraded" && (
        <p class="notice warn">
          The gateway is degraded: {h.database.ok ? "" : "its database cannot be read. "}
          {h.telemetry.raw_paused ? "raw telemetry is paused because the disk is nearly full." : ""}
        </p>
      )}
      <div class="grid system-grid">
        <section class="panel" aria-labelledby="gw-h">
          <h2 id="gw-h">Gateway</h2>
          <dl class="facts" data-testid="gateway-facts">
            <dt>Version</dt>
            <dd>{system.version}</dd>
            <dt>Commit</dt>
            <dd>
              <code>{system.commit ?? "unknown"}</code>
            </dd>
            <dt>Built</dt>
            <dd>{system.build_time ? timestamp(system.build_time) : "unknown"}</dd>
            <dt>Started (UTC)</dt>
            <dd>
              <time dateTime={system.started_at}>{timestamp(system.started_at)}</time>
            </dd>
            <dt>Uptime</dt>
            <dd>{h ? duration(h.uptime_s) : "—"}</dd>
            <dt>Health</dt>
            <dd>{h ? <span class={`badge ${h.status}`}>{h.status}</span> : "—"}</dd>
          </dl>
        </section>

        <section class="panel" aria-labelledby="db-h">
          <h2 id="db-h">Database</h2>
          <dl class="facts" data-testid="database-facts">
            <dt>Path</dt>
            <dd>
              <code>{system.database.path}</code>
            </dd>
            <dt>Size</dt>
            <dd>{bytes(system.database.size_bytes)}</dd>
            <dt>Readable</dt>
            <dd>{h ? yesNo(h.database.ok, "yes", h.database.message ?? "no") : "—"}</dd>
            <dt>Migrations</dt>
            <dd>{system.migrations.length} applied</dd>
          </dl>
          {can(session, "admin")
            ? <BackupForm session={session} error={backupError} />
            : <p class="muted">Admins can download a backup of the database here.</p>}
        </section>

        <section class="panel" aria-labelledby="clock-h">
          <h2 id="clock-h">Clock</h2>
          <dl class="facts">
            <dt>Synchronised</dt>
            <dd>{h ? yesNo(h.clock.synchronized, "yes", "no") : "—"}</dd>
            <dt>Source</dt>
            <dd>{h?.clock.source ?? "—"}</dd>
          </dl>
          {h?.clock.synchronized === false && (can(session, "admin")
            ? <Island name="clock_set" component={ClockSet} props={{ gatewayTimeMs: now }} />
            : (
              <p class="muted">
                Node reports and alerts carry the gateway's time: check its NTP or GPS source.
              </p>
            ))}
        </section>

        <section class="panel" aria-labelledby="tel-h">
          <h2 id="tel-h">Telemetry store</h2>
          <dl class="facts" data-testid="telemetry-facts">
            <dt>Raw samples</dt>
            <dd>
              {h
                ? h.telemetry.raw_paused
                  ? <span class="badge bad">paused: disk nearly full</span>
                  : <span class="badge ok">stored</span>
                : "—"}
            </dd>
            <dt>Free disk</dt>
            <dd>
              {h?.telemetry.disk_free_percent === null || !h
                ? "unknown"
                : `${h.telemetry.disk_free_percent.toFixed(1)} %`}
            </dd>
            <dt>Samples in memory</dt>
            <dd>{h ? h.telemetry.head_samples.toLocaleString("en") : "—"}</dd>
          </dl>
          <p class="muted">
            Retention and the size cap are on the <a href="/settings">Settings</a> page.
          </p>
        </section>
      </div>

      <section aria-labelledby="mig-h">
        <h2 id="mig-h">Migrations applied</h2>
        {system.migrations.length === 0
          ? <p class="empty">No migrations recorded.</p>
          : (
            <div class="table-wrap">
              <table data-testid="migrations">
                <thead>
                  <tr>
                    <th scope="col">Migration</th>
                    <th scope="col">Applied (UTC)</th>
                  </tr>
                </thead>
                <tbody>
                  {system.migrations.map((m) => (
                    <tr key={m.name}>
                      <td>
                        <code>{m.name}</code>
                      </td>
                      <td>
                        <time dateTime={m.applied_at}>{timestamp(m.applied_at)}</time>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </section>
    </Layout>
  );
}

/** Downloads the encrypted backup: a plain form, so the browser saves the stream itself. */
function BackupForm({ session, error }: { session: PortalSession; error: string | undefined }) {
  return (
    <form class="stack" method="post" action="/system/backup" data-testid="backup-form">
      <p class="muted" id="backup-help">
        A backup holds the database and the gateway's secret files (its SSH key), encrypted with a
        passphrase of at least {BACKUP_PASSPHRASE_MIN}{" "}
        characters. Keep the passphrase apart from the file: it is needed to decrypt it (<code>
          age -d
        </code>) or restore it onto new hardware (<code>gateway-api restore</code>).
      </p>
      {error && <p class="notice bad" role="alert">{error}</p>}
      <input type="hidden" name="_csrf" value={session.csrfToken} />
      <label>
        Backup passphrase
        <input
          name="passphrase"
          type="password"
          autocomplete="new-password"
          required
          minLength={BACKUP_PASSPHRASE_MIN}
          aria-describedby="backup-help"
        />
      </label>
      <button type="submit">Download an encrypted backup</button>
    </form>
  );
}
