import { Layout } from "../components/layout.tsx";
import type { PortalSession } from "../lib/session.ts";

/**
 * `/external`: the place for monitored external systems. The gateway has no
 * such monitors yet (a later issue on the roadmap brings them), so the page
 * says so and what will come, with no invented data.
 */
export function ExternalPage({ session }: { session: PortalSession }) {
  return (
    <Layout session={session} active="external" title="External systems">
      <p class="empty" data-testid="external-empty">No external systems are configured yet.</p>
      <section class="panel" aria-labelledby="ext-next-h">
        <h2 id="ext-next-h">What will come here</h2>
        <p>
          HALO will watch the systems around the mesh as well as the mesh itself. Planned, and not
          yet available:
        </p>
        <ul>
          <li>HTTP, ping and TCP checks of any host the gateway or a node can reach.</li>
          <li>Proxmox, Synology and UniFi monitors.</li>
          <li>Credentials stored encrypted and write-only, like mesh PSKs.</li>
          <li>Nodes as probes, so a check runs from where its users are.</li>
          <li>
            Dependencies, so an outage behind a failed link raises one alert rather than many.
          </li>
        </ul>
        <p class="muted">
          Until then, use a flow with a webhook or command action to reach other systems.
        </p>
      </section>
    </Layout>
  );
}
