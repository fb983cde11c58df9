/**
 * agent.sock's routes: `GET /status` and `GET /live` (Server-Sent Events),
 * shapes in lib/schemas/agent_socket.ts.
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import {
  type AgentStatus,
  agentStatusSchema,
  LIVE_READINGS_EVENT,
} from "../../lib/schemas/agent_socket.ts";
import type { Logger } from "../../lib/log.ts";
import type { LiveFeed } from "./live_feed.ts";

/** What the socket serves. */
export interface AgentSocketSource {
  status(): AgentStatus;
  live: LiveFeed;
  /** Ends open `/live` streams, so the server can close. */
  shutdown: AbortSignal;
  log: Logger;
}

const error = (code: string, message: string) => ({ error: { code, message } });

/** The socket's Hono app; tested in-process with `app.request()`. */
export function agentSocketApp(source: AgentSocketSource): Hono {
  const app = new Hono();

  app.get("/status", (c) => c.json(agentStatusSchema.parse(source.status())));

  app.get("/live", (c) =>
    streamSSE(c, async (stream) => {
      const done = new AbortController();
      const stop = AbortSignal.any([done.signal, source.shutdown]);
      stream.onAbort(() => done.abort());
      let id = 0;
      try {
        // A comment first, so a client knows the stream is open before the next round.
        await stream.write(": live readings\n\n");
        for await (const event of source.live.listen(stop)) {
          await stream.writeSSE({
            event: LIVE_READINGS_EVENT,
            id: String(++id),
            data: JSON.stringify(event),
          });
        }
      } finally {
        done.abort();
      }
    }));

  app.notFound((c) =>
    c.json(
      error("not_found", `No route ${c.req.method} ${c.req.path}: try GET /status or GET /live`),
      404,
    )
  );
  app.onError((err, c) => {
    source.log.error("agent.sock request failed", { path: c.req.path, error: err });
    return c.json(error("internal", "The agent could not answer; see its log"), 500);
  });
  return app;
}
