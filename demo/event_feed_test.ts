import { GatewayClient } from "../lib/api_client.ts";
import { assertEquals } from "../lib/testing/assert.ts";
import { FakeClock } from "../lib/testing/fake_clock.ts";
import { formatEvent, runEventFeed } from "./event_feed.ts";

const EVENT = {
  id: 7,
  ts: "2026-11-23T12:03:10.123Z",
  type: "offline",
  node_id: "n-0123456789ab",
  node_name: "halo-leaf-04",
  message: "halo-leaf-04 is offline",
  data: {},
};

function body(text: string, chunk = 7): ReadableStream<Uint8Array<ArrayBuffer>> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += chunk) controller.enqueue(bytes.slice(i, i + chunk));
      controller.close();
    },
  });
}

Deno.test("formatEvent() gives time, type and message on one line", () => {
  assertEquals(formatEvent(EVENT), "12:03:10Z  offline          halo-leaf-04 is offline");
});

Deno.test("runEventFeed() writes each event and resumes after the last id", async () => {
  const seen: (string | null)[] = [];
  const lines: string[] = [];
  const controller = new AbortController();
  const http = (request: Request) => {
    seen.push(request.headers.get("last-event-id"));
    if (seen.length === 2) controller.abort();
    return Promise.resolve(
      new Response(body(`id: 7\ndata: ${JSON.stringify(EVENT)}\n\n`), {
        headers: { "content-type": "text/event-stream" },
      }),
    );
  };
  const clock = new FakeClock();
  const feed = runEventFeed({
    client: new GatewayClient({ baseUrl: "http://gateway.test", token: "halo_api_x", http }),
    signal: controller.signal,
    write: (l) => lines.push(l),
    clock,
  });
  await new Promise((r) => setTimeout(r, 10));
  await clock.tick(3000);
  await feed;
  assertEquals(seen, [null, "7"]);
  assertEquals(lines[0], "12:03:10Z  offline          halo-leaf-04 is offline");
});

Deno.test("runEventFeed() ends on abort even when the open stream does not", async () => {
  const controller = new AbortController();
  // A stream that stays open and ignores the request's signal, as one did in the demo.
  const http = () =>
    Promise.resolve(
      new Response(
        new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode(": hi\n\n")) }),
        {
          headers: { "content-type": "text/event-stream" },
        },
      ),
    );
  const feed = runEventFeed({
    client: new GatewayClient({ baseUrl: "http://gateway.test", token: "halo_api_x", http }),
    signal: controller.signal,
    write: () => {},
    clock: new FakeClock(),
  });
  await new Promise((r) => setTimeout(r, 10));
  controller.abort();
  await feed;
});
