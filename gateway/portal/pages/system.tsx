import type { Hono } from "hono";
import type { AppEnv } from "../../api/context.ts";
import { SystemPage } from "../../../ui/pages/system.tsx";
import type { SystemInfo } from "../../../ui/lib/settings_types.ts";
import type { Health } from "../../../ui/lib/types.ts";
import { PortalApiError } from "../api_bridge.ts";
import { definePage, type PortalContext } from "../page_route.tsx";

/** `/system`: version, database, migrations, clock and telemetry health. */
export function registerSystem(app: Hono<AppEnv>, ctx: PortalContext): void {
  definePage(app, ctx, "/system", "system", async ({ api, session }) => {
    const [system, health] = await Promise.all([
      api.get<SystemInfo>("/v1/system"),
      // /health answers 503 when the database cannot be read: the page shows why.
      api.get<Health>("/health").catch((error) => {
        if (error instanceof PortalApiError) return { error: error.message };
        throw error;
      }),
    ]);
    return {
      title: "System",
      body: <SystemPage session={session} system={system} health={health} />,
    };
  });
}
