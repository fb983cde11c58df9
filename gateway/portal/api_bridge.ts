import type { Context } from "hono";
import type { AppEnv } from "../api/context.ts";

/** The gateway app's own fetch, so portal pages read the API as the signed-in user. */
export type ApiFetch = (request: Request, env: AppEnv["Bindings"]) => Response | Promise<Response>;

/** The API refused or failed a portal read. */
export class PortalApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = "PortalApiError";
  }
}

/** What a portal route reads its page data with. */
export interface PortalApi {
  /** GETs an API path (e.g. `/v1/nodes`) with the caller's session; the parsed JSON body. */
  get<T>(path: string): Promise<T>;
}

/**
 * Reads the API on behalf of the page's user: same routes, same access rules
 * and the same wire shapes the browser and `haloctl` see, with no HTTP hop.
 */
export function portalApi(c: Context<AppEnv>, fetchApi: ApiFetch): PortalApi {
  return {
    async get<T>(path: string): Promise<T> {
      const headers = new Headers({ accept: "application/json" });
      const cookie = c.req.header("cookie");
      if (cookie) headers.set("cookie", cookie);
      const url = new URL(path, c.req.url);
      const res = await fetchApi(new Request(url, { headers }), c.env ?? {});
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        throw new PortalApiError(
          res.status,
          body?.error?.code ?? "http_error",
          body?.error?.message ?? `GET ${path} answered ${res.status}`,
        );
      }
      return body as T;
    },
  };
}
