import type { Hono } from "hono";
import type { AppEnv } from "../../api/context.ts";
import { csrfTokenMatches } from "../../api/csrf.ts";
import { htmlPage } from "../../../ui/framework/html_page.ts";
import { SystemPage } from "../../../ui/pages/system.tsx";
import type { SystemInfo } from "../../../ui/lib/settings_types.ts";
import type { Health } from "../../../ui/lib/types.ts";
import { type PortalApi, portalApi, PortalApiError } from "../api_bridge.ts";
import { forwarded, PROXY_HEADERS } from "../login.tsx";
import { definePage, type PortalContext } from "../page_route.tsx";
import { sessionOf } from "../session.ts";
import type { PortalSession } from "../../../ui/lib/session.ts";

/** `/system`: version, database, migrations, clock and telemetry health; backups for admins. */
export function registerSystem(app: Hono<AppEnv>, ctx: PortalContext): void {
  definePage(
    app,
    ctx,
    "/system",
    "system",
    ({ api, session, deps }) => systemPage(api, session, deps.clock.now()),
  );

  // The form posts here; the API's answer, the encrypted archive, streams on as the download.
  app.post("/system/backup", async (c) => {
    const p = c.get("principal");
    const session = sessionOf(c);
    if (p.kind !== "user" || !session) return c.redirect("/login?next=%2Fsystem", 303);
    const form = await c.req.parseBody();
    const token = typeof form._csrf === "string" ? form._csrf : null;
    if (!csrfTokenMatches(p.sessionHash, token)) {
      return c.text("Missing or wrong CSRF token: reload the page and try again", 403);
    }
    const passphrase = typeof form.passphrase === "string" ? form.passphrase : "";
    const res = await ctx.fetchApi(
      new Request(new URL("/v1/system/backup", c.req.url), {
        method: "POST",
        headers: forwarded(c.req.raw.headers, {
          "content-type": "application/json",
          "x-csrf-token": token!,
        }, ["cookie", ...PROXY_HEADERS]),
        body: JSON.stringify({ passphrase }),
      }),
      c.env ?? {},
    );
    if (res.ok) return res;
    const body = await res.json().catch(() => null);
    const detail = body?.error?.details?.[0]?.message;
    const message = detail
      ? `Passphrase: ${detail}.`
      : body?.error?.message ?? `The backup failed (${res.status}).`;
    const page = await systemPage(
      portalApi(c, ctx.fetchApi),
      session,
      ctx.deps.clock.now(),
      message,
    );
    const status = ([400, 403] as const).find((s) => s === res.status) ?? 500;
    return htmlPage(c, page.body, {
      title: page.title,
      assets: ctx.assets,
      csrfToken: session.csrfToken,
      status,
    });
  });
}

async function systemPage(
  api: PortalApi,
  session: PortalSession,
  now: number,
  backupError?: string,
) {
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
    body: (
      <SystemPage
        session={session}
        system={system}
        health={health}
        now={now}
        {...(backupError ? { backupError } : {})}
      />
    ),
  };
}
