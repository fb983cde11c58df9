import { flowDefinitionSchema } from "../lib/schemas/flows.ts";
import { assertEquals } from "../lib/testing/assert.ts";
import { validateFlow } from "../gateway/flows/validate_flow.ts";
import { demoFlow } from "./demo_flow.ts";
import { startDemoSink } from "./webhook_sink.ts";

Deno.test("the demo flow is a valid flow", () => {
  assertEquals(
    validateFlow(flowDefinitionSchema.parse(demoFlow("http://127.0.0.1:9/slack/demo"))),
    [],
  );
});

Deno.test("the demo sink prints the text of Slack-shaped posts", async () => {
  const lines: string[] = [];
  await using sink = startDemoSink((l) => lines.push(l));
  const res = await fetch(sink.url, { method: "POST", body: JSON.stringify({ text: "hot!" }) });
  assertEquals(await res.text(), "ok");
  assertEquals(lines, ["webhook  hot!"]);
});
