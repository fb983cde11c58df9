import type { Hono } from "hono";
import type { AppEnv } from "../api/context.ts";
import { csrfTokenMatches } from "../auth/csrf.ts";
import { LoginPage } from "../../ui/pages/login.tsx";
import type { PortalContext } from "./page_route.tsx";
import { htmlPage } from "./render.ts";
import { safeNext, sessionOf } from "./session.ts";

/**
 * `/login` and `/logout` as plain forms. They go through the API's own
 * `/v1/auth/*` routes, so rate limiting, auditing and cookies stay in one place.
 */
export function registerLogin(app: Hono<AppEnv>, ctx: PortalContext): void {
  app.get("/login", (c) => {
    const next = safeNext(c.req.query("next"));
    if (sessionOf(c)) return c.redirect(next, 303);
    return htmlPage(c, ctx.assets, <LoginPage next={next} />, { title: "Log in" });
  });

  app.post("/login", async (c) => {
    const form = await c.req.parseBody();
    const username = typeof form.username === "string" ? form.username : "";
    const password = typeof form.password === "string" ? form.password : "";
    const next = safeNext(typeof form.next === "string" ? form.next : null);
    const res = await ctx.fetchApi(
      new Request(new URL("/v1/auth/login", c.req.url), {
        method: "POST",
        headers: forwarded(c.req.raw.headers, { "content-type": "application/json" }),
        body: JSON.stringify({ username, password }),
      }),
      c.env ?? {},
    );
    if (res.ok) {
      await res.body?.cancel();
      const response = c.redirect(next, 303);
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
    return htmlPage(c, ctx.assets, <LoginPage next={next} username={username} error={message} />, {
      title: "Log in",
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
          headers: forwarded(c.req.raw.headers, { "x-csrf-token": token! }),
        }),
        c.env ?? {},
      );
      await res.body?.cancel();
      const response = c.redirect("/login", 303);
      for (const cookie of res.headers.getSetCookie()) {
        response.headers.append("set-cookie", cookie);
      }
      return response;
    }
    return c.redirect("/login", 303);
  });
}

/** The browser's cookie, origin and proxy headers, so the API sees the same caller. */
export function forwarded(from: Headers, extra: Record<string, string>): Headers {
  const headers = new Headers(extra);
  for (const name of ["cookie", "origin", "host", "x-forwarded-for", "x-forwarded-proto"]) {
    const value = from.get(name);
    if (value) headers.set(name, value);
  }
  return headers;
}
