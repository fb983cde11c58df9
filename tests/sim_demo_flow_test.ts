import { flowDefinitionSchema } from "../lib/schemas/flows.ts";
import { assertEquals } from "../lib/testing/assert.ts";
import { validateFlow } from "../gateway/flows/validate_flow.ts";
import { demoFlow } from "../lib/sim/demo_flow.ts";

Deno.test("the demo flow is a valid flow", () => {
  assertEquals(
    validateFlow(flowDefinitionSchema.parse(demoFlow("http://127.0.0.1:9/slack/demo"))),
    [],
  );
});
