import type { z } from "zod";
import { fetchHttpClient, type HttpClient } from "./http_client.ts";
import { type ErrorBody, errorBodySchema } from "./schemas/common.ts";
import { type EnrollRequest, enrollResponseSchema } from "./schemas/enrollment.ts";
import { type NodeReportInput, reportResponseSchema } from "./schemas/report.ts";
import { loginResponseSchema } from "./schemas/auth.ts";
import { telemetryAckSchema, type TelemetryBatch } from "./schemas/telemetry.ts";
import { commandAckSchema, type CommandResultBody } from "./schemas/commands.ts";

/** The gateway answered with an error; `body` is its `{error: {code, message, details}}`. */
export class GatewayApiError extends Error {
  override name = "GatewayApiError";
  constructor(
    readonly status: number,
    readonly body: ErrorBody | null,
    method: string,
    path: string,
  ) {
    super(
      `${method} ${path} failed with ${status}: ${body?.error.message ?? "no error body"}`,
    );
  }
  get code(): string | undefined {
    return this.body?.error.code;
  }
}

/** Options for {@linkcode GatewayClient}. */
export interface GatewayClientOptions {
  /** e.g. `http://127.0.0.1:8080` */
  baseUrl: string;
  /** Bearer token: an API token or a node's agent token. */
  token?: string;
  http?: HttpClient;
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
}

/**
 * Typed client for the gateway API, shared by the agent, `haloctl` and the
 * demo's simulated nodes. Requests are built from the same zod schemas the
 * gateway validates with; responses are parsed with them.
 *
 * @example
 * ```ts
 * const client = new GatewayClient({ baseUrl: "http://127.0.0.1:8080" });
 * const { node_id, agent_token } = await client.enroll({ join_token, hardware, hostname });
 * ```
 */
export class GatewayClient {
  readonly #base: string;
  readonly #http: HttpClient;
  readonly #timeoutMs: number;
  #token: string | undefined;
  #cookie: string | undefined;
  /** The session's CSRF token, sent with every change made with the cookie. */
  #csrf: string | undefined;

  constructor(options: GatewayClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, "");
    this.#http = options.http ?? fetchHttpClient;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#token = options.token;
  }

  /** The gateway's base URL, without a trailing slash. */
  get baseUrl(): string {
    return this.#base;
  }

  /** A client for the same gateway with another token, or none. */
  withToken(token: string | undefined): GatewayClient {
    return new GatewayClient({
      baseUrl: this.#base,
      ...(token !== undefined ? { token } : {}),
      http: this.#http,
      timeoutMs: this.#timeoutMs,
    });
  }

  /**
   * Opens `GET /v1/events/stream` (Server-Sent Events) and returns its body;
   * `lastEventId` resumes after that event. No timeout: it stays open until
   * `signal` aborts or the gateway ends it.
   *
   * @throws {GatewayApiError} when the gateway refuses.
   */
  async openEventStream(
    options: { lastEventId?: string; signal?: AbortSignal } = {},
  ): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    return await this.#openStream("/v1/events/stream", options);
  }

  /**
   * Opens the node's command stream, `GET /v1/agent/commands/stream` (needs
   * its agent token), and returns its body. Like the event stream it has no
   * timeout: it stays open until `signal` aborts or the gateway ends it.
   *
   * @throws {GatewayApiError} when the gateway refuses.
   */
  openCommandStream(
    options: { signal?: AbortSignal } = {},
  ): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    return this.#openStream("/v1/agent/commands/stream", options);
  }

  /** Tells the gateway the agent starts command `id`; a 409 means it must not run. */
  commandStarted(id: string) {
    return this.request("POST", `/v1/agent/commands/${encodeURIComponent(id)}/started`, {
      schema: commandAckSchema,
    });
  }

  /** Posts command `id`'s result; posting the same result again is safe. */
  postCommandResult(id: string, body: CommandResultBody) {
    return this.request("POST", `/v1/agent/commands/${encodeURIComponent(id)}/result`, {
      body,
      schema: commandAckSchema,
    });
  }

  async #openStream(
    path: string,
    options: { lastEventId?: string; signal?: AbortSignal },
  ): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    const headers = new Headers({ accept: "text/event-stream" });
    if (this.#token) headers.set("authorization", `Bearer ${this.#token}`);
    if (this.#cookie) headers.set("cookie", this.#cookie);
    if (options.lastEventId !== undefined) headers.set("last-event-id", options.lastEventId);
    const res = await this.#http(
      new Request(this.#base + path, {
        headers,
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
    if (!res.ok || !res.body) return await this.#parse(res, "GET", path, undefined) as never;
    return res.body as ReadableStream<Uint8Array<ArrayBuffer>>;
  }

  /** Enrolls a device with a join token. */
  enroll(request: EnrollRequest) {
    return this.request("POST", "/v1/enroll", { body: request, schema: enrollResponseSchema });
  }

  /** Sends a node's status report (needs that node's agent token). */
  report(nodeId: string, report: NodeReportInput) {
    return this.request("POST", `/v1/nodes/${encodeURIComponent(nodeId)}/report`, {
      body: report,
      schema: reportResponseSchema,
    });
  }

  /**
   * Sends one telemetry batch (needs that node's agent token). Retrying the
   * same batch is safe: the gateway stores it once and answers `duplicate`.
   */
  sendTelemetry(batch: TelemetryBatch) {
    return this.request("POST", "/v1/telemetry", { body: batch, schema: telemetryAckSchema });
  }

  /** Logs in; later requests carry the session cookie. */
  async login(username: string, password: string) {
    const res = await this.#send("POST", "/v1/auth/login", { username, password });
    const setCookie = res.headers.get("set-cookie");
    const body = await this.#parse(res, "POST", "/v1/auth/login", loginResponseSchema);
    if (setCookie) this.#cookie = setCookie.split(";")[0];
    this.#csrf = body.csrf_token;
    return body;
  }

  /**
   * Any API call. With `schema` the response is validated against it;
   * without, the parsed JSON is returned as `unknown`.
   *
   * @throws {GatewayApiError} on a non-2xx answer.
   */
  async request<S extends z.ZodType = z.ZodUnknown>(
    method: string,
    path: string,
    options: { body?: unknown; schema?: S; query?: Record<string, string | undefined> } = {},
  ): Promise<z.infer<S>> {
    let full = path;
    if (options.query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(options.query)) if (v !== undefined) params.set(k, v);
      if ([...params].length) full += `?${params}`;
    }
    const res = await this.#send(method, full, options.body);
    return await this.#parse(res, method, full, options.schema);
  }

  async #send(method: string, path: string, body: unknown): Promise<Response> {
    const headers = new Headers({ accept: "application/json" });
    if (this.#token) headers.set("authorization", `Bearer ${this.#token}`);
    if (this.#cookie) headers.set("cookie", this.#cookie);
    if (this.#cookie && this.#csrf && method !== "GET") headers.set("x-csrf-token", this.#csrf);
    if (body !== undefined) headers.set("content-type", "application/json");
    return await this.#http(
      new Request(this.#base + path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.#timeoutMs),
      }),
    );
  }

  async #parse<S extends z.ZodType>(
    res: Response,
    method: string,
    path: string,
    schema: S | undefined,
  ): Promise<z.infer<S>> {
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      if (res.ok) {
        throw new SyntaxError(`${method} ${path}: answer is not JSON: ${text.slice(0, 100)}`);
      }
    }
    if (!res.ok) {
      const body = errorBodySchema.safeParse(json);
      throw new GatewayApiError(res.status, body.success ? body.data : null, method, path);
    }
    if (!schema) return json as z.infer<S>;
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new TypeError(
        `${method} ${path}: unexpected answer from the gateway: ${parsed.error.issues[0]?.message}`,
      );
    }
    return parsed.data;
  }
}
