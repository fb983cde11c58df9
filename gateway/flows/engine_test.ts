import { assertEquals } from "../../lib/testing/assert.ts";
import type { FlowEdge, FlowStep } from "../../lib/schemas/flows.ts";
import { executeFlow, type StepRecord, type StepResult, type StepRunner } from "./engine.ts";

const step = (id: string, type: string, config: Record<string, unknown> = {}): FlowStep => ({
  id,
  type,
  config,
});

/** Runners whose outcome each step's config names; they log the order they ran in. */
function scripted(log: string[]): Record<string, StepRunner> {
  const run: StepRunner = ({ step, prevResult }) => {
    log.push(step.id);
    if (step.config.throws) throw new Error("boom");
    return Promise.resolve({
      outcome: (step.config.outcome as StepResult["outcome"]) ?? "success",
      output: { from: step.id, prev: prevResult },
    });
  };
  return { threshold: run, alert: run, webhook_out: run, command: run };
}

async function run(steps: FlowStep[], edges: FlowEdge[], runners?: Record<string, StepRunner>) {
  const log: string[] = [];
  const records: StepRecord[] = [];
  const result = await executeFlow({ steps: [step("t", "manual"), ...steps], edges }, "t", {
    runners: runners ?? scripted(log),
    execution: { flowId: 1, flowName: "f", executionId: 1, dryRun: false },
    context: { flow_name: "f" },
    triggerOutput: { payload: 1 },
    recorder: { step: (r) => records.push(r) },
    now: () => 0,
  });
  const status = Object.fromEntries([...result.steps].map(([id, r]) => [id, r.status]));
  return { result, log, status, records };
}

Deno.test("executeFlow()", async (t) => {
  await t.step("runs a chain, handing each step its predecessor's result", async () => {
    const { result, log } = await run(
      [step("c", "threshold", { outcome: "true" }), step("a", "alert")],
      [{ from: "t", to: "c" }, { from: "c", to: "a", branch: "true" }],
    );
    assertEquals(result.status, "succeeded");
    assertEquals(log, ["c", "a"]);
    assertEquals(result.steps.get("a")!.output, {
      from: "a",
      prev: { from: "c", prev: { payload: 1 } },
    });
  });

  await t.step("takes only the branch a condition chose and skips the other", async () => {
    const { status, log } = await run(
      [
        step("c", "threshold", { outcome: "false" }),
        step("yes", "alert"),
        step("no", "alert"),
        step("after", "webhook_out"),
      ],
      [
        { from: "t", to: "c" },
        { from: "c", to: "yes", branch: "true" },
        { from: "c", to: "no", branch: "false" },
        { from: "yes", to: "after" },
      ],
    );
    assertEquals(log, ["c", "no"]);
    assertEquals(status, {
      t: "succeeded",
      c: "succeeded",
      no: "succeeded",
      yes: "skipped",
      after: "skipped",
    });
  });

  await t.step("a join runs when one branch reached it, with that branch's result", async () => {
    const { result, status } = await run(
      [
        step("c", "threshold", { outcome: "true" }),
        step("yes", "alert"),
        step("no", "alert"),
        step("join", "webhook_out"),
      ],
      [
        { from: "t", to: "c" },
        { from: "c", to: "yes", branch: "true" },
        { from: "c", to: "no", branch: "false" },
        { from: "yes", to: "join" },
        { from: "no", to: "join" },
      ],
    );
    assertEquals(status.join, "succeeded");
    assertEquals((result.steps.get("join")!.output as { prev: { from: string } }).prev.from, "yes");
  });

  await t.step("with several taken edges prev_result is keyed by step id", async () => {
    const { result } = await run(
      [step("a", "alert"), step("b", "alert"), step("join", "webhook_out")],
      [{ from: "t", to: "a" }, { from: "t", to: "b" }, { from: "a", to: "join" }, {
        from: "b",
        to: "join",
      }],
    );
    const prev = (result.steps.get("join")!.output as { prev: Record<string, unknown> }).prev;
    assertEquals(Object.keys(prev).sort(), ["a", "b"]);
  });

  await t.step("a failure follows its failure edge and the execution still succeeds", async () => {
    const { result, status } = await run(
      [step("w", "webhook_out", { throws: true }), step("ok", "alert"), step("fallback", "alert")],
      [{ from: "t", to: "w" }, { from: "w", to: "ok" }, {
        from: "w",
        to: "fallback",
        branch: "failure",
      }],
    );
    assertEquals(result.status, "succeeded");
    assertEquals(status, { t: "succeeded", w: "failed", ok: "skipped", fallback: "succeeded" });
    assertEquals(result.steps.get("w")!.output, { error: "boom" });
  });

  await t.step(
    "a failure without a failure edge fails the execution and starts nothing more",
    async () => {
      const { result, status, log } = await run(
        [step("w", "webhook_out", { outcome: "failure" }), step("next", "alert")],
        [{ from: "t", to: "w" }, { from: "w", to: "next", branch: "success" }],
      );
      assertEquals([result.status, result.error], ["failed", "step w (webhook_out) failed"]);
      assertEquals(status.next, "skipped");
      assertEquals(log, ["w"]);
    },
  );

  await t.step("independent branches run at the same time", async () => {
    let release!: () => void;
    const bothStarted = new Promise<void>((r) => (release = r));
    let started = 0;
    const wait: StepRunner = async ({ step }) => {
      if (++started === 2) release();
      await bothStarted; // would never resolve if the branches ran one after the other
      return { outcome: "success", output: step.id };
    };
    const { result } = await run(
      [step("a", "alert"), step("b", "command")],
      [{ from: "t", to: "a" }, { from: "t", to: "b" }],
      { alert: wait, command: wait },
    );
    assertEquals(result.status, "succeeded");
  });

  await t.step("records each step as running, then finished", async () => {
    const { records } = await run([step("a", "alert")], [{ from: "t", to: "a" }]);
    assertEquals(records.map((r) => `${r.stepId}:${r.status}`), [
      "t:succeeded",
      "a:running",
      "a:succeeded",
    ]);
  });

  await t.step("records no secret field of a step's config, whatever its runner says", async () => {
    const url = "https://hooks.slack.com/services/T0AAAAAAAA/B0BBBBBBBB/cccccccccccccccccccccccc";
    const shown = "https://hooks.slack.com/…";
    const leaky: StepRunner = ({ step }) => {
      if (step.id === "boom") throw new Error(`cannot reach ${step.config.url}`);
      return Promise.resolve({ outcome: "success", output: { sent_to: step.config.url } });
    };
    const webhook = { url, format: "slack", message: "hi", secret_headers: { Key: "k-12345678" } };
    const { records } = await run(
      [step("a", "webhook_out", webhook), step("boom", "webhook_out", webhook)],
      [{ from: "t", to: "a" }, { from: "a", to: "boom" }],
      { webhook_out: leaky },
    );
    const finished = new Map(
      records.filter((r) => r.status !== "running").map((r) => [r.stepId, r]),
    );
    assertEquals(finished.get("a")!.input, {
      config: { ...webhook, url: shown, secret_headers: { Key: "" } },
      prev_result: { payload: 1 },
    });
    assertEquals(finished.get("a")!.output, { sent_to: shown });
    assertEquals(finished.get("boom")!.input, {
      config: { ...webhook, url: shown, secret_headers: { Key: "" } },
      prev_result: { sent_to: shown },
    });
    assertEquals(finished.get("boom")!.output, { error: `cannot reach ${shown}` });
  });
});
