import type { Context, Hono } from "hono";
import type { JSX } from "preact";
import type { AppEnv } from "../api/context.ts";
import type { GatewayDeps } from "../deps.ts";
import type { SectionId } from "../../ui/components/layout.tsx";
import { ErrorPage } from "../../ui/pages/error_page.tsx";
import { htmlPage } from "../../ui/framework/html_page.ts";
import type { BuiltAssets } from "../../ui/framework/static_assets.ts";
import type { PortalSession } from "../../ui/lib/session.ts";
import { type ApiFetch, type PortalApi, portalApi, PortalApiError } from "./api_bridge.ts";
import { redirectToLogin, redirectWithin, sessionOf } from "./session.ts";

/** What every portal route is built from. */
export interface PortalContext {
  deps: GatewayDeps;
  assets: BuiltAssets;
  fetchApi: ApiFetch;
}

/** What a page loader gets. */
export interface PageRequest {
  c: Context<AppEnv>;
  api: PortalApi;
  session: PortalSession;
  deps: GatewayDeps;
}

/** What a page loader returns: the page's title and body. */
export interface LoadedPage {
  title: string;
  body: JSX.Element;
}

/** A page of a section: `load` reads the API as the user and renders the page. */
export type PageLoader = (request: PageRequest) => Promise<LoadedPage> | LoadedPage;

/**
 * Registers `GET path` as a signed-in page: anonymous visitors go to the
 * login (and come back after it); an API refusal or unknown id becomes an
 * error page with the API's status and message.
 */
export function definePage(
  app: Hono<AppEnv>,
  ctx: PortalContext,
  path: string,
  section: SectionId,
  load: PageLoader,
): void {
  app.get(path, async (c) => {
    const session = sessionOf(c);
    if (!session) {
      const url = new URL(c.req.url);
      return redirectToLogin(c, url.pathname + url.search);
    }
    if (session.mustChangePassword && section !== "account") {
      return redirectWithin(c, "/account?password=required");
    }
    try {
      const page = await load({ c, api: portalApi(c, ctx.fetchApi), session, deps: ctx.deps });
      return htmlPage(c, page.body, {
        title: page.title,
        assets: ctx.assets,
        csrfToken: session.csrfToken,
      });
    } catch (error) {
      if (!(error instanceof PortalApiError)) throw error;
      const status = ([400, 403, 404, 503] as const).find((s) => s === error.status) ?? 500;
      const title = status === 404 ? "Not found" : status === 403 ? "Not allowed" : "Error";
      return htmlPage(
        c,
        <ErrorPage session={session} active={section} title={title} message={error.message} />,
        { title, assets: ctx.assets, csrfToken: session.csrfToken, status },
      );
    }
  });
}
