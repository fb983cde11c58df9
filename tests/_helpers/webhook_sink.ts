/**
 * A real HTTP server on loopback for tests of outbound webhooks: it records
 * every request and answers as the test tells it — a status, a delay, or no
 * answer at all — so retries and timeouts are tested over a real socket.
 *
 * @example
 * ```ts
 * await using sink = await startWebhookSink();
 * sink.respond({ status: 500 }, { times: 2 }); // then the default 200
 * await postWithRetries(`${sink.url}/hooks/slack`);
 * const requests = await sink.waitFor(3);
 * ```
 */

/** One request the sink received. */
export interface RecordedRequest {
  method: string;
  /** The URL's path, e.g. `/hooks/slack`. */
  path: string;
  /** The query string with its `?`, or `""`. */
  search: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body as text (`""` when there is none). */
  body: string;
  /** `Date.now()` when the request arrived, before its body was read. */
  receivedAt: number;
}

/** How the sink answers a request. */
export type SinkResponse =
  | {
    /** @default 200 */
    status?: number;
    /** @default "ok" */
    body?: string;
    headers?: Record<string, string>;
    /** Wait this long before answering. @default 0 */
    delayMs?: number;
  }
  /** Never answer; the request is released only when the sink closes. */
  | { hang: true };

/** Which requests a {@linkcode WebhookSink.respond} rule applies to. */
export interface RespondOptions {
  /** Only requests to this exact path (no query); otherwise every path. */
  path?: string;
  /**
   * Answer only the next `times` requests this way. Without it, the rule
   * answers every request once the limited rules before it are used up, and
   * replaces the previous unlimited rule of the same scope.
   */
  times?: number;
}

/** Options for {@linkcode WebhookSink.waitFor}. */
export interface WaitForOptions {
  /** Count only requests to this path. */
  path?: string;
  /** A guard against hanging, not a timing assertion. @default 10_000 */
  timeoutMs?: number;
}

/** A running sink; `await using` closes it, releasing hanging requests. */
export interface WebhookSink extends AsyncDisposable {
  /** e.g. `http://127.0.0.1:41234`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Every request so far, in the order their bodies were read. */
  readonly requests: readonly RecordedRequest[];
  /**
   * Sets how requests are answered. A path's rules come before the global
   * ones; limited rules (`times`) are used up in the order they were given,
   * then the scope's unlimited rule applies; with no rule the answer is `200 ok`.
   */
  respond(response: SinkResponse, options?: RespondOptions): void;
  /**
   * Resolves with the first `count` matching requests once that many arrived.
   *
   * @throws {Error} when they have not arrived within `timeoutMs`.
   */
  waitFor(count: number, options?: WaitForOptions): Promise<RecordedRequest[]>;
  /** Stops the server; idempotent. */
  close(): Promise<void>;
}

interface Rules {
  limited: { response: SinkResponse; left: number }[];
  standing: SinkResponse | null;
}

interface Waiter {
  count: number;
  path: string | undefined;
  resolve: (requests: RecordedRequest[]) => void;
  reject: (error: Error) => void;
}

const DEFAULT_RESPONSE: SinkResponse = { status: 200, body: "ok" };

/**
 * Starts a sink on `127.0.0.1` with a port chosen by the system.
 *
 * @example
 * ```ts
 * await using sink = await startWebhookSink();
 * sink.respond({ hang: true }, { path: "/slow" });
 * ```
 */
// deno-lint-ignore require-await -- async so a failure to listen is a rejection, like the other starters
export async function startWebhookSink(): Promise<WebhookSink> {
  const requests: RecordedRequest[] = [];
  const global: Rules = { limited: [], standing: null };
  const byPath = new Map<string, Rules>();
  const waiters = new Set<Waiter>();
  // Aborted on close: releases hanging and delayed handlers so the server's
  // graceful shutdown does not wait for them.
  const closing = new AbortController();

  const matching = (path: string | undefined) =>
    path === undefined ? requests : requests.filter((r) => r.path === path);

  const take = (rules: Rules | undefined): SinkResponse | null => {
    if (!rules) return null;
    const first = rules.limited[0];
    if (first) {
      if (--first.left === 0) rules.limited.shift();
      return first.response;
    }
    return rules.standing;
  };

  const answer = async (response: SinkResponse): Promise<Response> => {
    const released = () => new Response("webhook sink closed", { status: 503 });
    if (closing.signal.aborted) return released();
    if ("hang" in response) {
      await new Promise((resolve) =>
        closing.signal.addEventListener("abort", resolve, { once: true })
      );
      return released();
    }
    const delayMs = response.delayMs ?? 0;
    if (delayMs > 0) {
      const waited = await new Promise<boolean>((resolve) => {
        const onAbort = () => {
          clearTimeout(timer);
          resolve(false);
        };
        const timer = setTimeout(() => {
          closing.signal.removeEventListener("abort", onAbort);
          resolve(true);
        }, delayMs);
        closing.signal.addEventListener("abort", onAbort, { once: true });
      });
      if (!waited) return released();
    }
    return new Response(response.body ?? "ok", {
      status: response.status ?? 200,
      headers: response.headers ?? {},
    });
  };

  const handler = async (request: Request): Promise<Response> => {
    const receivedAt = Date.now();
    const url = new URL(request.url);
    // Chosen on arrival, so concurrent requests use up rules in arrival order.
    const response = take(byPath.get(url.pathname)) ?? take(global) ?? DEFAULT_RESPONSE;
    let body = "";
    try {
      body = await request.text();
    } catch {
      // The client went away mid-body; record what is known.
    }
    requests.push({
      method: request.method,
      path: url.pathname,
      search: url.search,
      headers: Object.fromEntries(request.headers),
      body,
      receivedAt,
    });
    for (const waiter of waiters) {
      const found = matching(waiter.path);
      if (found.length >= waiter.count) {
        waiters.delete(waiter);
        waiter.resolve(found.slice(0, waiter.count));
      }
    }
    return await answer(response);
  };

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
    onError: (error) => new Response(`webhook sink error: ${error}`, { status: 500 }),
  }, handler);
  const { port } = server.addr;
  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= (async () => {
      closing.abort();
      for (const waiter of waiters) waiter.reject(new Error("Webhook sink closed while waiting"));
      waiters.clear();
      await server.shutdown();
    })();
    return closed;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return requests;
    },
    respond(response, options = {}) {
      const { path, times } = options;
      if (times !== undefined && (!Number.isInteger(times) || times < 1)) {
        throw new RangeError(`Cannot respond ${times} times: expected a positive integer`);
      }
      let rules = global;
      if (path !== undefined) {
        rules = byPath.get(path) ?? { limited: [], standing: null };
        byPath.set(path, rules);
      }
      if (times === undefined) rules.standing = response;
      else rules.limited.push({ response, left: times });
    },
    waitFor(count, options = {}) {
      const { path, timeoutMs = 10_000 } = options;
      const found = matching(path);
      if (found.length >= count) return Promise.resolve(found.slice(0, count));
      if (closing.signal.aborted) return Promise.reject(new Error("Webhook sink is closed"));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const where = path === undefined ? "" : ` to ${path}`;
          const got = matching(path).length;
          reject(
            new Error(
              `Webhook sink: waited ${timeoutMs} ms for ${count} request(s)${where}, got ${got}`,
            ),
          );
        }, timeoutMs);
        const waiter: Waiter = {
          count,
          path,
          resolve: (result) => {
            clearTimeout(timer);
            resolve(result);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        waiters.add(waiter);
      });
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
