import { streamSSE } from "hono/streaming";
import {
  eventListSchema,
  eventStreamSchema,
  listEventsQuerySchema,
  streamEventsQuerySchema,
} from "../../lib/schemas/events.ts";
import { errorBodySchema } from "../../lib/schemas/common.ts";
import type { HaloEvent } from "../../lib/schemas/events.ts";
import { stillAuthenticated } from "./authenticate.ts";
import { type EventFilter, matchesFilter } from "../events/event_hub.ts";
import { StreamRegistry } from "../events/stream_registry.ts";
import { apiApp } from "./app_factory.ts";
import type { Principal } from "./context.ts";
import type { GatewayDeps } from "../deps.ts";
import { ApiError, badRequest } from "./errors.ts";
import { jsonResponse, route } from "./route.ts";

const KEEPALIVE_MS = 15_000;
/** How often an open stream re-checks that its session or token is still valid. */
const RECHECK_MS = 5_000;
/**
 * Streams one caller (session, API token or agent) may hold: a browser opens at most 6
 * connections to a site over HTTP/1.1, so this covers every tab it can keep live and a
 * couple of half-dead streams; a further one closes the caller's oldest.
 */
const MAX_STREAMS_PER_CALLER = 8;
/** Streams all callers may hold: bounds their memory (~90 KiB each) far above a site's tabs and wallboards. */
const MAX_STREAMS = 64;
/** When a refused caller may try again: streams free up as people close pages, not on a schedule. */
const STREAMS_RETRY_AFTER_S = 30;

/** Stored events and their live stream. */
export function eventsApi(deps: GatewayDeps) {
  const app = apiApp();
  const streams = new StreamRegistry({ perCaller: MAX_STREAMS_PER_CALLER, total: MAX_STREAMS });

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/events",
      tags: ["events"],
      summary: "Events, newest first, filtered by node, type and time",
      request: { query: listEventsQuerySchema },
      responses: { 200: jsonResponse(eventListSchema, "Events") },
    }),
    (c) => {
      const q = c.req.valid("query");
      return c.json({
        events: deps.events.query({
          node: q.node,
          types: q.type?.split(","),
          from: q.from,
          to: q.to,
          beforeId: q.before_id,
          limit: q.limit,
        }),
      }, 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/events/stream",
      tags: ["events"],
      summary: "Live events as Server-Sent Events; resumes after Last-Event-ID",
      request: { query: streamEventsQuerySchema },
      responses: {
        200: {
          description: "text/event-stream; each message's data is an event. A caller holds at " +
            `most ${MAX_STREAMS_PER_CALLER} streams: opening one more ends its oldest`,
          content: { "text/event-stream": { schema: eventStreamSchema } },
        },
        429: {
          description:
            `All ${MAX_STREAMS} streams are open and the caller holds none to give up; see Retry-After`,
          headers: {
            "Retry-After": {
              description: "Seconds to wait before opening a stream again",
              schema: { type: "integer" as const },
            },
          },
          content: { "application/json": { schema: errorBodySchema } },
        },
      },
    }),
    (c) => {
      const q = c.req.valid("query");
      const header = c.req.header("last-event-id");
      if (header !== undefined && !/^\d+$/.test(header.trim())) {
        throw badRequest("Last-Event-ID must be an event id (a whole number)", [
          { path: "header.last-event-id", message: "expected a whole number" },
        ]);
      }
      const resumeAfter = header !== undefined ? Number(header.trim()) : q.last_event_id;
      const filter: EventFilter = { node: q.node, types: q.type?.split(",") };
      const principal = c.get("principal");
      const lease = streams.admit(streamCaller(principal));
      if (!lease) {
        throw new ApiError(
          429,
          "too_many_streams",
          `All ${MAX_STREAMS} event streams are open: try again in ${STREAMS_RETRY_AFTER_S} s`,
          undefined,
          { headers: { "Retry-After": String(STREAMS_RETRY_AFTER_S) } },
        );
      }
      let checkedAt = deps.clock.now();
      const allowed = () => {
        if (deps.clock.now() - checkedAt < RECHECK_MS) return true;
        checkedAt = deps.clock.now();
        return stillAuthenticated(deps, principal);
      };
      return streamSSE(c, async (stream) => {
        const queue: HaloEvent[] = [];
        let wake: (() => void) | null = null;
        const unsubscribe = deps.events.subscribe((event) => {
          if (!matchesFilter(event, filter)) return;
          queue.push(event);
          wake?.();
        });
        const stop = () => wake?.();
        // A newer stream of the same caller took this one's place: end it, even mid-write.
        const evicted = () => stream.abort();
        deps.shutdown.addEventListener("abort", stop);
        lease.signal.addEventListener("abort", evicted);
        stream.onAbort(() => {
          unsubscribe();
          lease.release(); // at once, so a client that left frees its place before the loop ends
          stop();
        });
        try {
          // Subscribed first, then the backlog, so nothing falls between the two.
          let last = resumeAfter ?? deps.events.latestId();
          if (resumeAfter !== undefined) {
            while (!stream.aborted) {
              const page = deps.events.query({ ...filter, afterId: last, limit: 500 });
              for (const event of page) {
                await stream.writeSSE({ id: String(event.id), data: JSON.stringify(event) });
                last = event.id;
              }
              if (page.length < 500) break;
            }
          }
          await stream.write(`retry: 3000\n\n`);
          while (!stream.aborted && !deps.shutdown.aborted) {
            if (!allowed()) break;
            const event = queue.shift();
            if (event) {
              if (event.id > last) {
                await stream.writeSSE({ id: String(event.id), data: JSON.stringify(event) });
                last = event.id;
              }
              continue;
            }
            let timer: ReturnType<typeof setTimeout> | undefined;
            const woke = await new Promise<boolean>((resolve) => {
              wake = () => resolve(true);
              timer = setTimeout(() => resolve(false), KEEPALIVE_MS);
            });
            clearTimeout(timer);
            wake = null;
            if (!woke && !stream.aborted) await stream.write(": keepalive\n\n");
          }
        } finally {
          unsubscribe();
          lease.release();
          lease.signal.removeEventListener("abort", evicted);
          deps.shutdown.removeEventListener("abort", stop);
        }
      });
    },
  );

  return app;
}

/** Whose streams a stream counts against: one browser session, API token or node. */
function streamCaller(principal: Principal): string {
  switch (principal.kind) {
    case "user":
      return `session:${principal.sessionHash}`;
    case "token":
      return `token:${principal.token.id}`;
    case "agent":
      return `agent:${principal.nodeId}`;
    case "anonymous": // the route's access check lets no anonymous caller this far
      return "anonymous";
  }
}
