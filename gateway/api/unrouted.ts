import type { NotFoundHandler } from "hono";
import { METHOD_NAME_ALL } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";
import type { AppEnv } from "./context.ts";

/** A route as `app.routes` lists it; middleware is listed with the method `ALL`. */
export interface ListedRoute {
  method: string;
  path: string;
}

/**
 * Answers what no route takes, in the API's error shape: a path the app
 * knows asked with another method (TRACE, PUT on a read-only route) is a 405
 * whose `Allow` names the methods it takes; any other path is a 404.
 *
 * @param routes the app's routes, read at the first unrouted request, when all are added
 */
export function answerUnrouted(routes: readonly ListedRoute[]): NotFoundHandler<AppEnv> {
  let router: TrieRouter<string> | null = null;
  const allowedOn = (path: string): string[] => {
    if (router === null) {
      router = new TrieRouter<string>();
      for (const r of routes) {
        if (r.method !== METHOD_NAME_ALL) router.add(METHOD_NAME_ALL, r.path, r.method);
      }
    }
    const methods = new Set(router.match("GET", path)[0].map(([method]) => method));
    // The app answers HEAD wherever it answers GET.
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };

  return function answerUnrouted(c) {
    const path = new URL(c.req.url).pathname;
    const allowed = allowedOn(c.req.path);
    if (allowed.length === 0) {
      return c.json({
        error: { code: "not_found", message: `No route ${c.req.method} ${path}` },
      }, 404);
    }
    c.header("allow", allowed.join(", "));
    return c.json({
      error: {
        code: "method_not_allowed",
        message: `${path} does not take ${c.req.method}: use ${allowed.join(", ")}`,
      },
    }, 405);
  };
}
