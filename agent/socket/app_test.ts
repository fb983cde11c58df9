import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { createLogger } from "../../lib/log.ts";
import { agentStatusSchema, liveReadingsSchema } from "../../lib/schemas/agent_socket.ts";
import { sseEvents } from "../../lib/testing/sse.ts";
import { listening, STATUS } from "../testing/socket_fixtures.ts";
import { agentSocketApp } from "./app.ts";
import { LiveFeed } from "./live_feed.ts";

function world() {
  const shutdown = new AbortController();
  const live = new LiveFeed();
  const app = agentSocketApp({
    status: () => STATUS,
    live,
    shutdown: shutdown.signal,
    log: createLogger({ component: "test", write: () => {} }),
  });
  return { app, live, shutdown };
}

Deno.test("agent.sock's routes", async (t) => {
  await t.step("GET /status answers the agent's status in the shared shape", async () => {
    const { app } = world();
    const res = await app.request("/status");
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals(agentStatusSchema.parse(body), STATUS);
  });

  await t.step("GET /live streams readings as they are published", async () => {
    const { app, live, shutdown } = world();
    const res = await app.request("/live");
    assertEquals(res.headers.get("content-type"), "text/event-stream");
    const events = sseEvents(res.body!);
    await listening(live);
    const readings = {
      collector: "system",
      samples: [{ metric: "cpu.load1", value: 0.25, ts: Date.UTC(2026, 10, 23, 12) }],
    };
    live.publish(readings);
    live.publish({ collector: "agent", samples: [] });
    const first = (await events.next()).value!;
    assertEquals(first.event, "readings");
    assertEquals(first.id, "1");
    assertEquals(liveReadingsSchema.parse(JSON.parse(first.data!)), readings);
    assertEquals((await events.next()).value!.id, "2");
    // Shutting the socket down ends the stream, and the listener is gone.
    shutdown.abort();
    assertEquals((await events.next()).done, true);
    assertEquals(live.listeners, 0);
  });

  await t.step("an unknown route is a JSON 404 naming the routes", async () => {
    const { app } = world();
    const res = await app.request("/metrics");
    assertEquals(res.status, 404);
    const body = await res.json();
    assertEquals(body.error.code, "not_found");
    assert(body.error.message.includes("GET /status"));
  });
});

Deno.test("LiveFeed keeps a slow listener's queue bounded, dropping the oldest", async () => {
  const feed = new LiveFeed();
  const stop = new AbortController();
  const events = feed.listen(stop.signal);
  const first = events.next();
  await listening(feed);
  for (let i = 0; i < 300; i++) feed.publish({ collector: `c${i}`, samples: [] });
  // 300 arrived while the listener waited: the newest 256 are kept.
  assertEquals((await first).value?.collector, "c44");
  assertEquals((await events.next()).value?.collector, "c45");
  stop.abort();
  await events.return(undefined);
  assertEquals(feed.listeners, 0);
});
