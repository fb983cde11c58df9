import { Hono } from "hono";
import { BuiltAssets, faviconRedirect, staticAssets } from "../../ui/framework/static_assets.ts";
import type { AppEnv } from "../api/context.ts";
import type { GatewayDeps } from "../deps.ts";
import type { ApiFetch } from "./api_bridge.ts";
import { registerLogin } from "./login.tsx";
import type { PortalContext } from "./page_route.tsx";
import { registerNodeDetail } from "./pages/node_detail.tsx";
import { registerNodes } from "./pages/nodes.tsx";
import { registerFlows } from "./pages/flows.tsx";
import { registerOverview } from "./pages/overview.tsx";
import { registerTelemetry } from "./pages/telemetry.tsx";
import { registerTopology } from "./pages/topology.tsx";
import { registerAlerts } from "./pages/alerts.tsx";
import { registerNeurons } from "./pages/neurons.tsx";
import { registerAccount } from "./pages/account.tsx";
import { registerExternal } from "./pages/external.tsx";
import { registerSettings } from "./pages/settings.tsx";
import { registerSystem } from "./pages/system.tsx";

/** Options for {@linkcode portalApp}. */
export interface PortalOptions {
  /** The gateway app's fetch, which pages read the API through. */
  fetchApi: ApiFetch;
  /** Built assets. @default the build next to `ui/` */
  assets?: BuiltAssets;
}

/** The browser portal: pages at the gateway's root, assets under `/static/`. */
export function portalApp(deps: GatewayDeps, options: PortalOptions) {
  const app = new Hono<AppEnv>();
  const ctx: PortalContext = {
    deps,
    assets: options.assets ?? new BuiltAssets(),
    fetchApi: options.fetchApi,
  };
  app.get("/static/:file", staticAssets({ assets: ctx.assets }));
  app.get("/favicon.ico", faviconRedirect({ assets: ctx.assets }));
  registerLogin(app, ctx);
  registerOverview(app, ctx);
  registerFlows(app, ctx);
  registerNodes(app, ctx);
  registerNodeDetail(app, ctx);
  registerTelemetry(app, ctx);
  registerTopology(app, ctx);
  registerAlerts(app, ctx);
  registerNeurons(app, ctx);
  registerSettings(app, ctx);
  registerSystem(app, ctx);
  registerAccount(app, ctx);
  registerExternal(app, ctx);
  return app;
}
