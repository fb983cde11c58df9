import { Layout } from "../components/layout.tsx";
import { COMPONENT_ROLES, devicesOf, type Neuron } from "../lib/neurons_types.ts";
import { can, type PortalSession } from "../lib/session.ts";

/** Props of {@linkcode NeuronsPage}. */
export interface NeuronsPageProps {
  session: PortalSession;
  neurons: Neuron[];
  /** Node statuses by id, for the devices. */
  statuses: Record<string, string>;
}

/**
 * The brain/neuron view: each neuron's four components and the devices
 * hosting them, then the same seen from the devices. Server-rendered, no script.
 */
export function NeuronsPage({ session, neurons, statuses }: NeuronsPageProps) {
  const devices = devicesOf(neurons, (id) => statuses[id] ?? null);
  const nodeLink = (n: { id: string; name: string }) => (
    <a href={`/nodes/${encodeURIComponent(n.id)}`}>{n.name}</a>
  );
  return (
    <Layout session={session} active="neurons" title="Neurons">
      <p class="muted neuron-intro">
        The brain is the whole HALO platform; each neuron in it has four components (sensor,
        thought, memory, send), named{" "}
        <code>brain-&lt;component&gt;-&lt;neuron&gt;</code>. They are logical roles: one device may
        host several, and one component may run on several devices.
      </p>
      {can(session, "admin") && (
        <p class="notice" data-testid="neurons-admin-note">
          Neurons and their placements are changed over the API for now:{" "}
          <code>POST /v1/neurons</code>, <code>POST /v1/neurons/placements</code> and their{" "}
          <code>DELETE</code>s (admins; see the{" "}
          <a href="/v1/docs">API reference</a>). This page shows them read-only.
        </p>
      )}
      {neurons.length === 0
        ? <p class="empty">No neurons are configured.</p>
        : neurons.map((neuron) => (
          <section
            key={neuron.id}
            class="panel neuron"
            id={`neuron-${neuron.id}`}
            aria-labelledby={`neuron-${neuron.id}-h`}
          >
            <h2 id={`neuron-${neuron.id}-h`}>Neuron {neuron.id}</h2>
            {neuron.description && <p>{neuron.description}</p>}
            <div
              class="table-wrap"
              tabIndex={0}
              role="region"
              aria-label={`Components of neuron ${neuron.id}`}
            >
              <table data-testid={`neuron-${neuron.id}`}>
                <thead>
                  <tr>
                    <th scope="col">Component</th>
                    <th scope="col">Role</th>
                    <th scope="col">Hosted on</th>
                  </tr>
                </thead>
                <tbody>
                  {neuron.components.map((c) => (
                    <tr key={c.name}>
                      <td>
                        <code>{c.name}</code>
                      </td>
                      <td>{COMPONENT_ROLES[c.component]}</td>
                      <td>
                        {c.nodes.length === 0
                          ? <span class="muted">not placed on any device</span>
                          : (
                            <ul class="neuron-hosts">
                              {c.nodes.map((n) => <li key={n.id}>{nodeLink(n)}</li>)}
                            </ul>
                          )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ))}
      {devices.length > 0 && (
        <section aria-labelledby="neuron-devices-h">
          <h2 id="neuron-devices-h">Devices</h2>
          <div
            class="table-wrap"
            tabIndex={0}
            role="region"
            aria-labelledby="neuron-devices-h"
          >
            <table data-testid="neuron-devices">
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">Status</th>
                  <th scope="col">Components it hosts</th>
                </tr>
              </thead>
              <tbody>
                {devices.map((d) => (
                  <tr key={d.id}>
                    <td>{nodeLink(d)}</td>
                    <td>{d.status ? <span class={`badge ${d.status}`}>{d.status}</span> : "—"}</td>
                    <td>
                      <ul class="neuron-hosts">
                        {d.components.map((c) => (
                          <li key={c}>
                            <code>{c}</code>
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </Layout>
  );
}
