import { Layout } from "../components/layout.tsx";
import { Island } from "../framework/island.tsx";
import LiveOverview, { type LiveOverviewProps } from "../islands/live_overview.tsx";
import type { PortalSession } from "../lib/session.ts";

/** Props of {@linkcode OverviewPage}. */
export interface OverviewPageProps {
  session: PortalSession;
  data: LiveOverviewProps;
}

/** Network health at a glance, live. */
export function OverviewPage({ session, data }: OverviewPageProps) {
  return (
    <Layout session={session} active="overview" title="Overview">
      <Island name="live_overview" component={LiveOverview} props={data} />
    </Layout>
  );
}
