import { assertEquals } from "./testing/assert.ts";
import { parseSse } from "./sse.ts";

function body(text: string, chunk = 7): ReadableStream<Uint8Array<ArrayBuffer>> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += chunk) controller.enqueue(bytes.slice(i, i + chunk));
      controller.close();
    },
  });
}

Deno.test("parseSse() reads messages split across chunks, skipping comments and retry", async () => {
  const text =
    `retry: 3000\n\n: keepalive\n\nid: 7\ndata: {"a":1}\n\nid: 8\ndata: line1\ndata: line2\n\n`;
  const messages = [];
  for await (const m of parseSse(body(text))) messages.push(m);
  assertEquals(messages, [{ id: "7", data: '{"a":1}' }, { id: "8", data: "line1\nline2" }]);
});
