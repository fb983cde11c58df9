import { assertEquals } from "../../lib/testing/assert.ts";
import { ExecutionStore, MAX_RECORD_DEPTH, TOO_DEEP } from "./execution_store.ts";
import { openTestDatabase } from "./triggers/_test_database.ts";

/** An array nested `depth` deep around `leaf`. */
function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** How deep `value` is nested, and what is at the bottom. */
function bottom(value: unknown): { depth: number; leaf: unknown } {
  let depth = 0;
  while (Array.isArray(value)) {
    value = value[0];
    depth++;
  }
  return { depth, leaf: value };
}

Deno.test("ExecutionStore keeps records of any depth without overflowing the stack", async (t) => {
  await using test = await openTestDatabase(1);
  const store = new ExecutionStore(test.db);
  const id = store.start(
    { flowId: 1, version: 1, triggerType: "manual", context: { "payload.k": [] }, dryRun: false },
    0,
  );

  await t.step("a remote answer nested 100,000 deep is kept, cut at the bound", () => {
    // What a response condition records as `seen` when it picks `$` of a webhook's JSON answer.
    store.recordStep(id, {
      stepId: "check",
      status: "succeeded",
      outcome: "true",
      input: { prev_result: { status: 200, body: "[[[…]]]" } },
      output: { check: "json_path", seen: nested(100_000, "leaf") },
    });
    const step = store.get(1, id)!.steps!.find((s) => s.step_id === "check")!;
    const seen = (step.output as { seen: unknown }).seen;
    // The record's root object holds `seen`: one level is the output object itself.
    assertEquals(bottom(seen), { depth: MAX_RECORD_DEPTH - 1, leaf: TOO_DEEP });
  });

  await t.step("what fits is kept whole, secret header values hidden at any depth", () => {
    const config = { secret_headers: { authorization: "Bearer s3cret" }, url: "http://x" };
    store.recordStep(id, {
      stepId: "send",
      status: "succeeded",
      outcome: "success",
      input: { config, prev_result: nested(60, { config }) },
      output: { status: 200 },
    });
    const step = store.get(1, id)!.steps!.find((s) => s.step_id === "send")!;
    const hidden = { secret_headers: { authorization: "(secret)" }, url: "http://x" };
    assertEquals(step.input, { config: hidden, prev_result: nested(60, { config: hidden }) });
  });
});
