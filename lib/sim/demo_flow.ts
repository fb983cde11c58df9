/**
 * The demo's flow, "Hot node (demo)": the simulated weather station crosses
 * 45 °C on hot afternoons, so it raises alerts in the demo and in the
 * portal's system tests alike.
 */
import type { GatewayClient } from "../api_client.ts";

/** The demo flow's name; the demo creates it once and points it at this run's sink. */
export const DEMO_FLOW_NAME = "Hot node (demo)";

/** The demo flow: a node's SoC above 45 °C raises an alert and posts to the sink, Slack-style. */
export function demoFlow(sinkUrl: string) {
  return {
    name: DEMO_FLOW_NAME,
    description: "Preloaded by deno task demo: SoC temperature above 45 °C.",
    steps: [
      {
        id: "hot",
        type: "sensor_value",
        config: { metric: "soc.temp", operator: ">", value: 45, hysteresis: 1 },
        position: { x: 40, y: 120 },
      },
      {
        id: "alert",
        type: "alert",
        config: {
          severity: "warning",
          message: "Node {node_name} {metric} hit {value} °C (threshold {threshold})",
          // Left open for an operator to acknowledge and resolve, so the portal
          // opens on the demo with alerts to act on (the back-fill crosses 45 °C).
          auto_resolve: false,
        },
        position: { x: 320, y: 120 },
      },
      {
        id: "slack",
        type: "webhook_out",
        config: {
          url: sinkUrl,
          format: "slack",
          message:
            ":fire: {node_name} is running hot: {metric} = {value} °C (threshold {threshold})",
        },
        position: { x: 600, y: 120 },
      },
    ],
    edges: [{ from: "hot", to: "alert" }, {
      from: "alert",
      to: "slack",
      branch: "success" as const,
    }],
  };
}

/** Creates the demo flow, or points the existing one at this run's sink. */
export async function provisionDemoFlow(admin: GatewayClient, sinkUrl: string): Promise<number> {
  const { flows } = await admin.request("GET", "/v1/flows") as {
    flows: { id: number; name: string }[];
  };
  const existing = flows.find((f) => f.name === DEMO_FLOW_NAME);
  const body = demoFlow(sinkUrl);
  if (existing) {
    await admin.request("PUT", `/v1/flows/${existing.id}`, { body });
    return existing.id;
  }
  const created = await admin.request("POST", "/v1/flows", { body }) as { id: number };
  return created.id;
}
