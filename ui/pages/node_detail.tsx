import { Fragment } from "preact";
import { Layout } from "../components/layout.tsx";
import { ScrollTable } from "../components/nodes_scroll_table.tsx";
import { Island } from "../framework/island.tsx";
import CameraSnapshot from "../islands/camera_snapshot.tsx";
import NodeChart, { type NodeChartProps } from "../islands/node_chart.tsx";
import NodeReplacement from "../islands/node_replacement.tsx";
import { ago, bytes, clockTime, duration, timestamp } from "../lib/format.ts";
import { can, type PortalSession } from "../lib/session.ts";
import type { HaloEvent, NodeDetail } from "../lib/types.ts";

/** Props of {@linkcode NodeDetailPage}. */
export interface NodeDetailPageProps {
  session: PortalSession;
  node: NodeDetail;
  /** The node's most recent events, newest first. */
  events: HaloEvent[];
  chart: NodeChartProps;
  /** Server time of the render. */
  now: number;
}

/** `/nodes/:id`: everything the gateway knows about one node, and its charts. */
export function NodeDetailPage({ session, node, events, chart, now }: NodeDetailPageProps) {
  const versions = Object.entries(node.versions);
  return (
    <Layout
      session={session}
      active="nodes"
      title={node.name}
      actions={<a class="button secondary" href="/nodes">All nodes</a>}
    >
      <p class="node-status">
        <span class={`badge ${node.status}`}>{node.status}</span>{" "}
        <span class="muted">
          {node.role} · last seen {ago(node.last_seen_at, now)}
          {node.mesh ? ` · mesh ${node.mesh}` : " · no mesh"}
        </span>
      </p>

      <div class="grid">
        <section class="panel" aria-labelledby="facts-h">
          <h2 id="facts-h">Facts</h2>
          <dl class="facts">
            <dt>Id</dt>
            <dd class="mono">{node.id}</dd>
            <dt>Hostname</dt>
            <dd>{node.hostname ?? "—"}</dd>
            <dt>Role</dt>
            <dd>{node.role}</dd>
            <dt>Mesh</dt>
            <dd>{node.mesh ?? "none"}</dd>
            <dt>Tags</dt>
            <dd>
              {node.tags.length
                ? node.tags.map((t) => <span class="badge node-tag" key={t}>{t}</span>)
                : "none"}
            </dd>
            <dt>Addresses</dt>
            <dd class="mono">{node.addresses.length ? node.addresses.join(", ") : "—"}</dd>
            <dt>Last seen</dt>
            <dd>
              {node.last_seen_at
                ? <time dateTime={node.last_seen_at}>{timestamp(node.last_seen_at)} UTC</time>
                : "never"}
            </dd>
            <dt>Uptime</dt>
            <dd>{duration(node.uptime_s)}</dd>
            <dt>Boot id</dt>
            <dd class="mono">{node.boot_id ?? "—"}</dd>
            <dt>Enrolled</dt>
            <dd>{timestamp(node.enrolled_at)} UTC</dd>
            {node.decommissioned_at && (
              <>
                <dt>Decommissioned</dt>
                <dd>{timestamp(node.decommissioned_at)} UTC</dd>
              </>
            )}
          </dl>
        </section>

        <section class="panel" aria-labelledby="hw-h">
          <h2 id="hw-h">Hardware and software</h2>
          <dl class="facts">
            <dt>Serial</dt>
            <dd class="mono">{node.hardware.serial ?? "—"}</dd>
            <dt>Machine id</dt>
            <dd class="mono">{node.hardware.machine_id ?? "—"}</dd>
            <dt>WireGuard key</dt>
            <dd class="mono">{node.hardware.wg_public_key ?? "—"}</dd>
            {versions.map(([name, version]) => (
              <Fragment key={name}>
                <dt>{name}</dt>
                <dd>{version}</dd>
              </Fragment>
            ))}
          </dl>
          <h3>Roles</h3>
          <p>
            {node.role === "gateway" ? "Gateway of the mesh" : "Mesh node"}
            {node.data_provider ? "; supplies sensor telemetry" : ""}
          </p>
          <h3>Neuron components</h3>
          {node.neuron_components.length === 0
            ? <p class="empty">No neuron components placed on this node.</p>
            : (
              <ul class="node-components">
                {node.neuron_components.map((c) => (
                  <li key={c}>
                    <a href="/neurons" class="mono">{c}</a>
                  </li>
                ))}
              </ul>
            )}
        </section>
      </div>

      <section class="panel" aria-labelledby="charts-h">
        <h2 id="charts-h">Metrics</h2>
        <Island name="node_chart" component={NodeChart} props={chart} />
        <p>
          <a href={`/telemetry?node=${node.id}`}>Compare with other nodes in the explorer</a>
        </p>
      </section>

      <section class="panel" aria-labelledby="if-h">
        <h2 id="if-h">Interfaces</h2>
        {node.interfaces.length === 0
          ? <p class="empty">The node has reported no interfaces.</p>
          : (
            <ScrollTable label="Interfaces">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Kind</th>
                    <th scope="col">State</th>
                    <th scope="col">MAC</th>
                    <th scope="col">Addresses</th>
                    <th scope="col" class="num">MTU</th>
                  </tr>
                </thead>
                <tbody>
                  {node.interfaces.map((i) => (
                    <tr key={i.name}>
                      <td class="mono">{i.name}</td>
                      <td>{i.kind}</td>
                      <td>
                        <span class={i.up ? "badge online" : "badge offline"}>
                          {i.up ? "up" : "down"}
                        </span>
                      </td>
                      <td class="mono">{i.mac ?? "—"}</td>
                      <td class="mono">{i.addresses.join(", ") || "—"}</td>
                      <td class="num">{i.mtu ?? "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollTable>
          )}
      </section>

      <div class="grid">
        <section class="panel" aria-labelledby="sensors-h">
          <h2 id="sensors-h">Sensors</h2>
          {node.sensors.length === 0
            ? <p class="empty">No sensors attached.</p>
            : (
              <ScrollTable label="Sensors">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Kind</th>
                      <th scope="col">Bus</th>
                      <th scope="col">Last seen</th>
                    </tr>
                  </thead>
                  <tbody>
                    {node.sensors.map((s) => (
                      <tr key={s.name}>
                        <td>{s.name}</td>
                        <td>{s.kind}</td>
                        <td class="mono">
                          {[s.bus, s.address].filter(Boolean).join(" ") || "—"}
                        </td>
                        <td>{ago(s.last_seen_at, now)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollTable>
            )}
        </section>

        <section class="panel" aria-labelledby="clients-h">
          <h2 id="clients-h">Clients</h2>
          {node.clients.length === 0
            ? <p class="empty">No clients attached.</p>
            : (
              <ScrollTable label="Clients">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Client</th>
                      <th scope="col">Address</th>
                      <th scope="col">Interface</th>
                      <th scope="col">Seen</th>
                    </tr>
                  </thead>
                  <tbody>
                    {node.clients.map((e) => (
                      <tr key={e.mac}>
                        <td>
                          {e.hostname ?? <span class="mono">{e.mac}</span>}
                          {e.hostname && <span class="muted node-host mono">{e.mac}</span>}
                        </td>
                        <td class="mono">{e.ip ?? "—"}</td>
                        <td class="mono">{e.iface}</td>
                        <td>
                          {e.present
                            ? <span class="badge online">present</span>
                            : `gone, last ${ago(e.last_seen_at, now)}`}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollTable>
            )}
        </section>
      </div>

      <section class="panel" aria-labelledby="peers-h">
        <h2 id="peers-h">Overlay peers</h2>
        {node.overlay_peers.length === 0
          ? <p class="empty">No WireGuard overlay peers reported.</p>
          : (
            <ScrollTable label="Overlay peers">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Public key</th>
                    <th scope="col">Endpoint</th>
                    <th scope="col">Allowed IPs</th>
                    <th scope="col">Last handshake</th>
                    <th scope="col" class="num">Received</th>
                    <th scope="col" class="num">Sent</th>
                  </tr>
                </thead>
                <tbody>
                  {node.overlay_peers.map((p) => (
                    <tr key={p.public_key}>
                      <td class="mono">{p.public_key}</td>
                      <td class="mono">{p.endpoint ?? "—"}</td>
                      <td class="mono">{p.allowed_ips.join(", ")}</td>
                      <td>
                        {p.latest_handshake_s === null
                          ? "never"
                          : `${duration(p.latest_handshake_s)} ago`}
                      </td>
                      <td class="num">{bytes(p.rx_bytes)}</td>
                      <td class="num">{bytes(p.tx_bytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollTable>
          )}
      </section>

      <section class="panel" aria-labelledby="events-h">
        <h2 id="events-h">Recent events</h2>
        {events.length === 0
          ? <p class="empty">No events for this node.</p>
          : (
            <ul class="events" data-testid="node-events">
              {events.map((e) => (
                <li key={e.id}>
                  <time dateTime={e.ts} title={`${timestamp(e.ts)} UTC`}>
                    {e.ts.slice(0, 10)} {clockTime(e.ts)}
                  </time>
                  <span class="badge">{e.type}</span>
                  <span>{e.message}</span>
                </li>
              ))}
            </ul>
          )}
      </section>

      {can(session, "admin") && node.decommissioned_at === null && (
        <Island
          name="node_replacement"
          component={NodeReplacement}
          props={{ nodeId: node.id, nodeName: node.name }}
        />
      )}

      <div class="grid">
        <section class="panel" aria-labelledby="recovery-h">
          <h2 id="recovery-h">Recovery traces</h2>
          <p class="empty">
            No recovery traces are recorded yet: the mesh daemon's graduated recovery (reconnect,
            rescan, restart, reboot) will record them here once it runs on the nodes.
          </p>
        </section>
        <section class="panel" aria-labelledby="camera-h">
          <h2 id="camera-h">Camera</h2>
          {node.decommissioned_at !== null
            ? <p class="empty">A decommissioned node takes no snapshots.</p>
            : can(session, "operator")
            ? (
              <Island
                name="camera_snapshot"
                component={CameraSnapshot}
                props={{ nodeId: node.id, nodeName: node.name }}
              />
            )
            : <p class="empty">Operators can take a snapshot with this node's camera here.</p>}
        </section>
      </div>
    </Layout>
  );
}
