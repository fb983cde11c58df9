import { useComputed, useSignal, useSignalEffect } from "@preact/signals";
import { api } from "../lib/api.ts";
import { ago, clockTime } from "../lib/format.ts";
import type { Mesh } from "../lib/settings_types.ts";
import type { Alert, HaloEvent, Health, NodeSummary } from "../lib/types.ts";

/** Props of {@linkcode LiveOverview}: the state when the page was rendered. */
export interface LiveOverviewProps {
  nodes: NodeSummary[];
  alerts: Alert[];
  health: Health;
  meshes: (Pick<Mesh, "id" | "ssid"> & Partial<Pick<Mesh, "node_count">>)[];
  events: HaloEvent[];
  /** Server time of the render, so the first client render matches it. */
  now: number;
}

const EVENT_LIMIT = 15;
const REFRESH_DEBOUNCE_MS = 300;

/**
 * The overview's live part: counts, alerts and the last events, kept current
 * over the gateway's Server-Sent Events stream.
 */
export default function LiveOverview(props: LiveOverviewProps) {
  const nodes = useSignal(props.nodes);
  const alerts = useSignal(props.alerts);
  const health = useSignal(props.health);
  const events = useSignal(props.events);
  const now = useSignal(props.now);
  const live = useSignal(false);

  useSignalEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        try {
          const [n, a, h] = await Promise.all([
            api<{ nodes: NodeSummary[] }>("GET", "/v1/nodes"),
            api<{ alerts: Alert[] }>("GET", "/v1/alerts?top_level=true"),
            api<Health>("GET", "/health"),
          ]);
          nodes.value = n.nodes;
          alerts.value = a.alerts;
          health.value = h;
        } catch (error) {
          console.warn("overview refresh failed", error);
        }
      }, REFRESH_DEBOUNCE_MS);
    };
    const source = new EventSource("/v1/events/stream");
    source.onopen = () => live.value = true;
    source.onerror = () => live.value = false;
    source.onmessage = (message) => {
      const event = JSON.parse(message.data) as HaloEvent;
      events.value = [event, ...events.value.filter((e) => e.id !== event.id)].slice(
        0,
        EVENT_LIMIT,
      );
      refresh();
    };
    const clock = setInterval(() => now.value = Date.now(), 10_000);
    return () => {
      source.close();
      clearInterval(clock);
      clearTimeout(timer);
    };
  });

  const counts = useComputed(() => {
    const active = nodes.value.filter((n) => n.status !== "decommissioned");
    return {
      online: active.filter((n) => n.status === "online").length,
      offline: active.filter((n) => n.status === "offline").length,
      total: active.length,
    };
  });
  const openAlerts = useComputed(() => alerts.value.filter((a) => a.status !== "resolved"));
  const offlineNodes = useComputed(() => nodes.value.filter((n) => n.status === "offline"));

  return (
    <div class="overview">
      <p class="muted" aria-live="polite">
        <span class={live.value ? "live-dot on" : "live-dot"} aria-hidden="true" />
        {live.value ? "Live" : "Connecting to live updates…"}
      </p>
      <section class="stats" aria-label="Network at a glance">
        <div class="stat ok" data-testid="nodes-online">
          <span class="value">{counts.value.online}</span>
          <span class="label">nodes online</span>
        </div>
        <div class={counts.value.offline ? "stat bad" : "stat"} data-testid="nodes-offline">
          <span class="value">{counts.value.offline}</span>
          <span class="label">nodes offline</span>
        </div>
        <div class={openAlerts.value.length ? "stat bad" : "stat"} data-testid="alerts-open">
          <span class="value">{openAlerts.value.length}</span>
          <span class="label">open alerts</span>
        </div>
        <div class={health.value.status === "ok" ? "stat ok" : "stat bad"}>
          <span class="value">{health.value.status}</span>
          <span class="label">gateway health</span>
        </div>
        <div class="stat">
          <span class="value">{props.meshes.length}</span>
          <span class="label">meshes</span>
        </div>
      </section>

      <div class="grid">
        <section class="panel" aria-labelledby="alerts-h">
          <h2 id="alerts-h">Open alerts</h2>
          {openAlerts.value.length === 0
            ? <p class="empty">No open alerts.</p>
            : (
              <ul class="events">
                {openAlerts.value.slice(0, 8).map((a) => (
                  <li key={a.id}>
                    <span class={`badge ${a.severity}`}>{a.severity}</span>
                    <a href={`/alerts#alert-${a.id}`}>{a.message}</a>
                    {a.children.length > 0 && (
                      <span class="muted">+{a.children.length} behind it</span>
                    )}
                  </li>
                ))}
              </ul>
            )}
          <p>
            <a href="/alerts">All alerts</a>
          </p>
        </section>

        <section class="panel" aria-labelledby="offline-h">
          <h2 id="offline-h">Offline nodes</h2>
          {offlineNodes.value.length === 0
            ? <p class="empty">Every node is online.</p>
            : (
              <ul class="events" data-testid="offline-list">
                {offlineNodes.value.map((n) => (
                  <li key={n.id}>
                    <a href={`/nodes/${n.id}`}>{n.name}</a>
                    <span class="muted">last seen {ago(n.last_seen_at, now.value)}</span>
                  </li>
                ))}
              </ul>
            )}
        </section>

        <section class="panel" aria-labelledby="gw-h">
          <h2 id="gw-h">Gateway</h2>
          <dl class="facts">
            <dt>Version</dt>
            <dd>{health.value.version}</dd>
            <dt>Database</dt>
            <dd>{health.value.database.ok ? "ok" : health.value.database.message}</dd>
            <dt>Clock</dt>
            <dd>{health.value.clock.synchronized === false ? "not synchronised" : "ok"}</dd>
            <dt>Telemetry</dt>
            <dd>{health.value.telemetry.raw_paused ? "raw samples paused (disk low)" : "ok"}</dd>
          </dl>
          <h3>Meshes</h3>
          {props.meshes.length === 0 ? <p class="empty">No meshes configured.</p> : (
            <ul>
              {props.meshes.map((m) => <li key={m.id}>{m.ssid}</li>)}
            </ul>
          )}
        </section>
      </div>

      <section class="panel" aria-labelledby="events-h">
        <h2 id="events-h">Last events</h2>
        {events.value.length === 0
          ? <p class="empty">No events yet.</p>
          : (
            <ul class="events" data-testid="event-list">
              {events.value.map((e) => (
                <li key={e.id}>
                  <time dateTime={e.ts}>{clockTime(e.ts)}</time>
                  <span class="badge">{e.type}</span>
                  <span>{e.message}</span>
                </li>
              ))}
            </ul>
          )}
      </section>
    </div>
  );
}
