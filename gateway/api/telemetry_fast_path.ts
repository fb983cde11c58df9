/**
 * `POST /v1/telemetry` from a known agent, answered without the router and
 * middleware chain.
 *
 * Why: agents' batches are nearly all of a gateway's requests, and at the
 * realistic rate (a batch every 10 s per node) each one ran cold through
 * the whole chain: security headers, URL parsing, token hashing, CSRF and
 * body-limit checks, route matching, zod-openapi's middleware. That cost
 * more CPU than storing its 100 samples (bench/telemetry_bench.ts (b)).
 *
 * It answers only what it can answer exactly as the app would; it leaves
 * every other request to the app untouched: another method or path, a query
 * string, an `Origin` header (the CSRF check), a token it does not know as
 * a live agent's, another media type, no or too large a `Content-Length`.
 * A body the batch scanner does not vouch for goes to the app too, with its
 * bytes, so refusals keep their wording. Its answers carry the headers the
 * app puts on every `/v1` answer, read from the app itself at start.
 */
import type { Logger } from "../../lib/log.ts";
import { AgentTokenCache } from "../auth/agent_token_cache.ts";
import type { TelemetryStore } from "../telemetry/store.ts";
import type { AppEnv } from "./context.ts";
import type { GatewayDeps } from "../deps.ts";
import { errorAnswer } from "./errors.ts";
import { JSON_MEDIA_TYPE } from "./telemetry.ts";

const PATH = "/v1/telemetry";
const AGENT_BEARER = /^Bearer\s+(halo_agent_\S+)$/i;
/** Any path the app has no route for: its 404 carries the headers of every `/v1` answer. */
const UNROUTED_PATH = "/v1/_headers";

/** What the fast path needs of the app. */
export interface FallbackApp {
  fetch(request: Request, env: AppEnv["Bindings"]): Response | Promise<Response>;
}

/** See the module's documentation. */
export class TelemetryFastPath {
  readonly #telemetry: TelemetryStore;
  readonly #tokens: AgentTokenCache;
  readonly #log: Logger;
  readonly #app: FallbackApp;
  readonly #headers: [string, string][];
  readonly #maxBodyBytes: number;

  private constructor(
    deps: GatewayDeps,
    app: FallbackApp,
    headers: [string, string][],
    maxBodyBytes: number,
  ) {
    this.#telemetry = deps.telemetry;
    this.#tokens = AgentTokenCache.of(deps.db);
    this.#log = deps.log;
    this.#app = app;
    this.#headers = headers;
    this.#maxBodyBytes = maxBodyBytes;
  }

  /** Reads the headers of the app's `/v1` answers, then is ready. */
  static async create(
    deps: GatewayDeps,
    app: FallbackApp,
    maxBodyBytes: number,
  ): Promise<TelemetryFastPath> {
    const probe = await app.fetch(new Request(`http://gateway${UNROUTED_PATH}`), {});
    await probe.body?.cancel();
    const headers = [...probe.headers].filter(([name]) => name !== "content-length");
    if (!headers.some(([name, value]) => name === "content-type" && value === "application/json")) {
      throw new Error(`Expected a JSON 404 from ${UNROUTED_PATH}, got ${probe.status}`);
    }
    return new TelemetryFastPath(deps, app, headers, maxBodyBytes);
  }

  /** The answer to `request`, or null to let the app answer it. */
  handle(request: Request, env: AppEnv["Bindings"]): Promise<Response> | null {
    if (request.method !== "POST" || !hasPath(request.url, PATH)) return null;
    const headers = request.headers;
    const token = AGENT_BEARER.exec(headers.get("authorization") ?? "")?.[1];
    if (token === undefined || headers.has("origin")) return null;
    const type = headers.get("content-type");
    if (type === null || !JSON_MEDIA_TYPE.test(type)) return null;
    const length = headers.get("content-length");
    if (length === null || !/^\d{1,7}$/.test(length) || Number(length) > this.#maxBodyBytes) {
      return null;
    }
    const nodeId = this.#tokens.authenticate(token);
    if (nodeId === null) return null;
    return request.bytes().then((bytes) => {
      const checked = this.#telemetry.scanner.scan(bytes);
      if (checked === null) {
        const again = new Request(request.url, { method: "POST", headers, body: bytes });
        return this.#app.fetch(again, env);
      }
      return this.#telemetry.ingest(nodeId, checked, bytes).then((ack) => this.#json(ack, 200));
    }).catch((error) => this.#error(error));
  }

  #json(body: unknown, status: number, extra?: Record<string, string>): Response {
    const headers = new Headers(this.#headers);
    for (const [name, value] of Object.entries(extra ?? {})) headers.set(name, value);
    return new Response(JSON.stringify(body), { status, headers });
  }

  /** As the app's error handler answers the same error. */
  #error(error: unknown): Response {
    const { status, body, headers } = errorAnswer(error, this.#log, { method: "POST", path: PATH });
    return this.#json(body, status, headers);
  }
}

/** Whether `url` (absolute, as Deno.serve gives it) has exactly this path and no query. */
function hasPath(url: string, path: string): boolean {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return start > 0 && url.length - start === path.length && url.endsWith(path);
}
