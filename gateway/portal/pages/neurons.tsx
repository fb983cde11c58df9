import type { Hono } from "hono";
import type { AppEnv } from "../../api/context.ts";
import { NeuronsPage } from "../../../ui/pages/neurons.tsx";
import type { Neuron } from "../../../ui/lib/neurons_types.ts";
import type { NodeSummary } from "../../../ui/lib/types.ts";
import { definePage, type PortalContext } from "../page_route.tsx";

/** `/neurons`: the brain/neuron view. */
export function registerNeurons(app: Hono<AppEnv>, ctx: PortalContext): void {
  definePage(app, ctx, "/neurons", "neurons", async ({ api, session }) => {
    const [neurons, nodes] = await Promise.all([
      api.get<{ neurons: Neuron[] }>("/v1/neurons"),
      api.get<{ nodes: NodeSummary[] }>("/v1/nodes"),
    ]);
    return {
      title: "Neurons",
      body: (
        <NeuronsPage
          session={session}
          neurons={neurons.neurons}
          statuses={Object.fromEntries(nodes.nodes.map((n) => [n.id, n.status]))}
        />
      ),
    };
  });
}
