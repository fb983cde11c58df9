import type { Hono } from "hono";
import type { AppEnv } from "../api/context.ts";
import { csrfTokenMatches } from "../api/csrf.ts";
import { htmlPage } from "../../ui/framework/html_page.ts";
import { LoginPage } from "../../ui/pages/login.tsx";
import type { PortalContext } from "./page_route.tsx";
import { originOf, redirectWithin, safeNext, sessionOf } from "./session.ts";

/**
 * `/login` and `/logout` as plain forms. They go through the API's own
 * `/v1/auth/*` routes, so rate limiting, auditing and cookies stay in one place.
 */
export function registerLogin(app: Hono<AppEnv>, ctx: PortalContext): void {
  app.get("/login", (c) => {
    const next = safeNext(c.req.query("next"), originOf(c));
    if (sessionOf(c)) return redirectWithin(c, next);
    return htmlPage(c, <LoginPage next={next} />, { title: "Log in", assets: ctx.assets });
  });

  app.post("/login", async (c) => {
    const form = await c.req.parseBody();
    const username = typeof form.username === "string" ? form.username : "";
    const password = typeof form.password === "string" ? form.password : "";
    // Made safe before logging in, so a bad `next` cannot fail the answer after the session exists.
    const next = safeNext(typeof form.next === "string" ? form.next : null, originOf(c));
    const res = await ctx.fetchApi(
      new Request(new URL("/v1/auth/login", c.req.url), {
        method: "POST",
        // Without the cookie: a login starts a new session, and with one the API would want CSRF.
        headers: forwarded(
          c.req.raw.headers,
          { "content-type": "application/json" },
          PROXY_HEADERS,
        ),
        body: JSON.stringify({ username, password }),
      }),
      c.env ?? {},
    );
    if (res.ok) {
      await res.body?.cancel();
      const response = redirectWithin(c, next);
      for (const cookie of res.headers.getSetCookie()) {
        response.headers.append("set-cookie", cookie);
      }
      return response;
    }
    const body = await res.json().catch(() => null);
    const status = res.status === 429 ? 429 : res.status === 400 ? 400 : 401;
    const message = res.status === 400
      ? "Enter your username and password."
      : body?.error?.message ?? "Login failed";
    if (res.headers.get("retry-after")) c.header("retry-after", res.headers.get("retry-after")!);
    return htmlPage(c, <LoginPage next={next} username={username} error={message} />, {
      title: "Log in",
      assets: ctx.assets,
      status,
    });
  });

  app.post("/logout", async (c) => {
    const p = c.get("principal");
    const form = await c.req.parseBody();
    if (p.kind === "user") {
      const token = typeof form._csrf === "string" ? form._csrf : null;
      if (!csrfTokenMatches(p.sessionHash, token)) {
        return c.text("Missing or wrong CSRF token: reload the page and try again", 403);
      }
      const res = await ctx.fetchApi(
        new Request(new URL("/v1/auth/logout", c.req.url), {
          method: "POST",
          headers: forwarded(c.req.raw.headers, { "x-csrf-token": token! }, [
            "cookie",
            ...PROXY_HEADERS,
          ]),
        }),
        c.env ?? {},
      );
      await res.body?.cancel();
      const response = redirectWithin(c, "/login");
      for (const cookie of res.headers.getSetCookie()) {
        response.headers.append("set-cookie", cookie);
      }
      return response;
    }
    return redirectWithin(c, "/login");
  });
}

/** The browser's origin and proxy headers, which the API judges the caller's address and site by. */
export const PROXY_HEADERS = ["origin", "host", "x-forwarded-for", "x-forwarded-proto"];

/** `extra` and the browser's headers `names`, so the API sees the same caller. */
export function forwarded(from: Headers, extra: Record<string, string>, names: string[]): Headers {
  const headers = new Headers(extra);
  for (const name of names) {
    const value = from.get(name);
    if (value) headers.set(name, value);
  }
  return headers;
}
