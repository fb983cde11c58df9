import { Layout } from "../components/layout.tsx";
import { Island } from "../framework/island.tsx";
import TelemetryExplorer, { type TelemetryExplorerProps } from "../islands/telemetry_explorer.tsx";
import type { PortalSession } from "../lib/session.ts";

/** Props of {@linkcode TelemetryPage}. */
export interface TelemetryPageProps {
  session: PortalSession;
  explorer: TelemetryExplorerProps;
  /** What in the query string was ignored, and why. */
  notices: string[];
}

/** `/telemetry`: the explorer. */
export function TelemetryPage({ session, explorer, notices }: TelemetryPageProps) {
  return (
    <Layout session={session} active="telemetry" title="Telemetry">
      {notices.map((text) => <p class="notice warn" role="status" key={text}>{text}</p>)}
      <Island name="telemetry_explorer" component={TelemetryExplorer} props={explorer} />
    </Layout>
  );
}
