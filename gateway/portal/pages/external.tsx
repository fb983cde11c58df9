import type { Hono } from "hono";
import type { AppEnv } from "../../api/context.ts";
import { ExternalPage } from "../../../ui/pages/external.tsx";
import { definePage, type PortalContext } from "../page_route.tsx";

/** `/external`: external systems (none can be configured yet). */
export function registerExternal(app: Hono<AppEnv>, ctx: PortalContext): void {
  definePage(app, ctx, "/external", "external", ({ session }) => ({
    title: "External systems",
    body: <ExternalPage session={session} />,
  }));
}
