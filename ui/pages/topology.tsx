import { Layout } from "../components/layout.tsx";
import { Island } from "../framework/island.tsx";
import TopologyGraph, { type TopologyGraphProps } from "../islands/topology_graph.tsx";
import type { PortalSession } from "../lib/session.ts";

/** Props of {@linkcode TopologyPage}. */
export interface TopologyPageProps {
  session: PortalSession;
  data: TopologyGraphProps;
}

/** The mesh as a graph, rooted at the gateway, with each link's quality history. */
export function TopologyPage({ session, data }: TopologyPageProps) {
  return (
    <Layout session={session} active="topology" title="Topology">
      <Island name="topology_graph" component={TopologyGraph} props={data} />
    </Layout>
  );
}
