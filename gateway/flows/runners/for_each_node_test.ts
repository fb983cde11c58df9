import { DatabaseSync } from "node:sqlite";
import { assertEquals } from "../../../lib/testing/assert.ts";
import { migrate, readMigrations } from "../../../lib/db/migrate.ts";
import { MIGRATIONS_DIR } from "../../store/migrations.ts";
import type { StepInput, StepRunner } from "../engine.ts";
import { forEachNodeRunner } from "./for_each_node.ts";

async function dbWithNodes(count: number): Promise<DatabaseSync> {
  const db = new DatabaseSync(":memory:");
  await migrate(db, await readMigrations(MIGRATIONS_DIR));
  const insert = db.prepare(
    `INSERT INTO nodes (id, name, role, status, enrolled_at, updated_at) VALUES (?, ?, 'node', 'online', 0, 0)`,
  );
  for (let i = 1; i <= count; i++) {
    insert.run(`n-${i.toString(16).padStart(12, "0")}`, `node-${String(i).padStart(2, "0")}`);
    db.prepare("INSERT INTO node_tags (node_id, tag) VALUES (?, ?)")
      .run(`n-${i.toString(16).padStart(12, "0")}`, i % 2 === 0 ? "even" : "odd");
  }
  return db;
}

function input(config: Record<string, unknown>, dryRun = false): StepInput {
  return {
    step: { id: "each", type: "for_each_node", config },
    execution: { flowId: 7, flowName: "Cold room", executionId: 70, dryRun },
    context: { node_id: "n-000000000001", node_name: "node-01", flow_name: "Cold room" },
    prevResult: { from: "before" },
    signal: new AbortController().signal,
  };
}

const ALERT = { type: "alert", config: { message: "{node_name} is hot" } };

/** An inner runner that records what it was given and answers by node. */
function recording(
  answer: (nodeName: string) => "success" | "failure" | "throw" = () => "success",
) {
  const seen: StepInput[] = [];
  const runner: StepRunner = (i) => {
    seen.push(i);
    const how = answer(i.context.node_name as string);
    if (how === "throw") return Promise.reject(new Error(`cannot reach ${i.context.node_name}`));
    return Promise.resolve({ outcome: how, output: { on: i.context.node_id } });
  };
  return { seen, runner };
}

const unused: StepRunner = () => Promise.reject(new Error("not this one"));

Deno.test("forEachNodeRunner()", async (t) => {
  const db = await dbWithNodes(5);

  await t.step("runs the inner action once per selected node, naming each node", async () => {
    const { seen, runner } = recording();
    const run = forEachNodeRunner({
      db,
      runners: { alert: runner, webhook_out: unused, command: unused },
    });
    const result = await run(input({ selector: { kind: "tag", tag: "even" }, action: ALERT }));
    assertEquals(result, {
      outcome: "success",
      output: {
        results: [
          {
            node_id: "n-000000000002",
            node_name: "node-02",
            outcome: "success",
            output: { on: "n-000000000002" },
          },
          {
            node_id: "n-000000000004",
            node_name: "node-04",
            outcome: "success",
            output: { on: "n-000000000004" },
          },
        ],
        passed: 2,
        failed: 0,
      },
    });
    const first = seen.find((s) => s.context.node_name === "node-02")!;
    assertEquals(first.step.type, "alert");
    assertEquals(first.step.config.message, "{node_name} is hot");
    assertEquals(first.context.flow_name, "Cold room");
    assertEquals(first.context.node_id, "n-000000000002");
    assertEquals(first.prevResult, { from: "before" });
  });

  await t.step("fails when any node fails, and the others still run", async () => {
    const { seen, runner } = recording((name) =>
      name === "node-02" ? "failure" : name === "node-03" ? "throw" : "success"
    );
    const run = forEachNodeRunner({
      db,
      runners: { alert: unused, webhook_out: unused, command: runner },
    });
    const result = await run(input({
      selector: { kind: "all" },
      action: { type: "command", config: { command: "uptime" } },
    }));
    const output = result.output as {
      results: { node_name: string; outcome: string; output: unknown }[];
      passed: number;
      failed: number;
    };
    assertEquals(result.outcome, "failure");
    assertEquals([output.passed, output.failed, seen.length], [3, 2, 5]);
    assertEquals(
      output.results.map((r) => [r.node_name, r.outcome]),
      [
        ["node-01", "success"],
        ["node-02", "failure"],
        ["node-03", "failure"],
        ["node-04", "success"],
        ["node-05", "success"],
      ],
    );
    assertEquals(output.results[2]!.output, { error: "cannot reach node-03" });
  });

  await t.step("runs at most `concurrency` nodes at once", async () => {
    let active = 0;
    let most = 0;
    const slow: StepRunner = async () => {
      most = Math.max(most, ++active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active--;
      return { outcome: "success", output: null };
    };
    const run = forEachNodeRunner({
      db,
      runners: { alert: slow, webhook_out: unused, command: unused },
    });
    const result = await run(input({ selector: { kind: "all" }, concurrency: 2, action: ALERT }));
    assertEquals([result.outcome, most], ["success", 2]);
  });

  await t.step("succeeds with no results when the selector matches no node", async () => {
    const run = forEachNodeRunner({
      db,
      runners: { alert: unused, webhook_out: unused, command: unused },
    });
    assertEquals(await run(input({ selector: { kind: "tag", tag: "none" }, action: ALERT })), {
      outcome: "success",
      output: { results: [], passed: 0, failed: 0 },
    });
  });

  await t.step("event_nodes runs on the triggering node", async () => {
    const { seen, runner } = recording();
    const run = forEachNodeRunner({
      db,
      runners: { alert: runner, webhook_out: unused, command: unused },
    });
    await run(input({ selector: { kind: "event_nodes" }, action: ALERT }));
    assertEquals(seen.map((s) => s.context.node_name), ["node-01"]);
  });

  await t.step("passes a dry run on to the inner action", async () => {
    const { seen, runner } = recording();
    const run = forEachNodeRunner({
      db,
      runners: { alert: runner, webhook_out: unused, command: unused },
    });
    await run(input({ selector: { kind: "tag", tag: "odd" }, action: ALERT }, true));
    assertEquals(seen.map((s) => s.execution.dryRun), [true, true, true]);
  });
  db.close();
});
