import { assertEquals } from "../lib/testing/assert.ts";
import { startDemoSink } from "./webhook_sink.ts";

Deno.test("the demo sink prints the text of Slack-shaped posts", async () => {
  const lines: string[] = [];
  await using sink = startDemoSink((l) => lines.push(l));
  const res = await fetch(sink.url, { method: "POST", body: JSON.stringify({ text: "hot!" }) });
  assertEquals(await res.text(), "ok");
  assertEquals(lines, ["webhook  hot!"]);
});
