/**
 * The `command` and `for_each_node` actions against a real sshd on loopback:
 * exit codes and output come back, hostile values are data, a wrong host key
 * is refused, the remote timeout holds, and a command runs across nodes.
 */
import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertMatch, assertRejects } from "../lib/testing/assert.ts";
import { denoCommandRunner } from "../lib/command.ts";
import type { StepInput, StepResult, StepRunner } from "../gateway/flows/engine.ts";
import { migrate, readMigrations } from "../lib/db/migrate.ts";
import { MIGRATIONS_DIR } from "../gateway/store/migrations.ts";
import { type CommandAuditEntry, commandRunner } from "../gateway/flows/runners/command.ts";
import { forEachNodeRunner } from "../gateway/flows/runners/for_each_node.ts";
import type { SshIdentity } from "../gateway/flows/ssh_identity.ts";
import { ignoreWithoutSshd, type Sshd, startSshd } from "./_helpers/sshd.ts";

const NODE = "n-00000000000a";

function input(config: Record<string, unknown>, context: Record<string, unknown> = {}): StepInput {
  return {
    step: { id: "cmd", type: "command", config },
    execution: { flowId: 3, flowName: "Check pumps", executionId: 30, dryRun: false },
    context: { node_id: NODE, node_name: "pump-a", metric: "soc.temp", ...context },
    prevResult: null,
    signal: new AbortController().signal,
  };
}

/** A command runner that reaches every node at the test's sshd. */
function runnerFor(sshd: Sshd, identity: Partial<SshIdentity> = {}) {
  const audits: CommandAuditEntry[] = [];
  const run = commandRunner({
    runner: denoCommandRunner,
    identity: {
      key: sshd.clientKeyPath,
      knownHosts: sshd.knownHostsPath,
      user: sshd.user,
      ...identity,
    },
    nodeAddress: () => ({ host: sshd.host, port: sshd.port }),
    audit: (entry) => audits.push(entry),
  });
  return { run, audits };
}

type CommandOutput = { exit_code: number | null; stdout: string; stderr: string };
const outputOf = (result: StepResult) => result.output as CommandOutput;

Deno.test({
  name: "command over a real sshd",
  ignore: await ignoreWithoutSshd(),
  async fn(t) {
    await using sshd = await startSshd();
    const { run, audits } = runnerFor(sshd);

    await t.step("runs the command and returns its exit code and output", async () => {
      const ok = await run(input({ command: "echo hello; echo from {node_name} >&2" }));
      assertEquals(ok, {
        outcome: "success",
        output: { exit_code: 0, stdout: "hello\n", stderr: "from pump-a\n" },
      });
      const failed = await run(input({ command: "echo partial; exit 3" }));
      assertEquals(failed, {
        outcome: "failure",
        output: { exit_code: 3, stdout: "partial\n", stderr: "" },
      });
      assertEquals(audits.slice(-2).map((a) => [a.node_id, a.command, a.exit_code]), [
        [NODE, "echo hello; echo from 'pump-a' >&2", 0],
        [NODE, "echo partial; exit 3", 3],
      ]);
    });

    await t.step("a hostile node name or metric label is passed as data", async () => {
      const marker = `/tmp/pwned-${crypto.randomUUID()}`;
      const name = `x'; touch ${marker} #`;
      const label = `$(touch ${marker})\`touch ${marker}\`;touch ${marker}|touch ${marker}`;
      const result = await run(
        input({ command: "echo {node_name}; echo {metric}" }, { node_name: name, metric: label }),
      );
      assertEquals(result.outcome, "success", sshd.log);
      assertEquals(outputOf(result).stdout, `${name}\n${label}\n`);
      await assertRejects(() => Deno.stat(marker), Deno.errors.NotFound);
    });

    await t.step("a command stops at its timeout on the node", async () => {
      const started = Date.now();
      const result = await run(input({ command: "sleep 30; echo late", timeout_s: 1 }));
      assertEquals([result.outcome, outputOf(result).exit_code, outputOf(result).stdout], [
        "failure",
        124,
        "",
      ]);
      assert(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    });

    await t.step("a wrong host key is refused before anything runs", async () => {
      const dir = await Deno.makeTempDir({ prefix: "halo-wrong-host-" });
      try {
        await denoCommandRunner.run("ssh-keygen", [
          "-q",
          "-t",
          "ed25519",
          "-N",
          "",
          "-f",
          `${dir}/other`,
        ]);
        const other = (await Deno.readTextFile(`${dir}/other.pub`)).split(" ").slice(0, 2)
          .join(" ");
        await Deno.writeTextFile(`${dir}/known_hosts`, `[${sshd.host}]:${sshd.port} ${other}\n`);
        await Deno.writeTextFile(`${dir}/empty`, "");
        const marker = `/tmp/halo-ran-${crypto.randomUUID()}`;
        for (const knownHosts of [`${dir}/known_hosts`, `${dir}/empty`]) {
          const result = await runnerFor(sshd, { knownHosts }).run(
            input({ command: `touch ${marker}` }),
          );
          assertEquals([result.outcome, outputOf(result).exit_code], ["failure", 255]);
          assertMatch(outputOf(result).stderr, /Host key verification failed/);
        }
        await assertRejects(() => Deno.stat(marker), Deno.errors.NotFound);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  },
});

Deno.test({
  name: "for_each_node runs a command on every selected node over a real sshd",
  ignore: await ignoreWithoutSshd(),
  async fn() {
    await using sshd = await startSshd();
    const db = new DatabaseSync(":memory:");
    await migrate(db, await readMigrations(MIGRATIONS_DIR));
    db.exec(`
      INSERT INTO nodes (id, name, role, status, enrolled_at, updated_at) VALUES
        ('n-000000000001', 'pump-a', 'node', 'online', 0, 0),
        ('n-000000000002', 'pump-b', 'node', 'online', 0, 0),
        ('n-000000000003', 'pump-c''s "shed"', 'node', 'online', 0, 0),
        ('n-000000000004', 'weather', 'node', 'online', 0, 0);
      INSERT INTO node_tags (node_id, tag) VALUES
        ('n-000000000001', 'pumps'), ('n-000000000002', 'pumps'), ('n-000000000003', 'pumps');
    `);
    const { run: command, audits } = runnerFor(sshd);
    const unused: StepRunner = () => Promise.reject(new Error("not this action"));
    const forEach = forEachNodeRunner({
      db,
      runners: { alert: unused, webhook_out: unused, command },
    });
    const config = {
      selector: { kind: "tag", tag: "pumps" },
      concurrency: 3,
      action: {
        type: "command",
        config: { command: "echo {node_id} {node_name}; test {node_name} != pump-b" },
      },
    };
    const result = await forEach({
      ...input({}),
      step: { id: "each", type: "for_each_node", config },
    });
    db.close();
    const output = result.output as {
      results: { node_id: string; node_name: string; outcome: string; output: CommandOutput }[];
      passed: number;
      failed: number;
    };
    assertEquals(result.outcome, "failure", sshd.log);
    assertEquals(
      output.results.map((r) => [r.node_name, r.outcome, r.output.exit_code, r.output.stdout]),
      [
        ["pump-a", "success", 0, "n-000000000001 pump-a\n"],
        ["pump-b", "failure", 1, "n-000000000002 pump-b\n"],
        [`pump-c's "shed"`, "success", 0, `n-000000000003 pump-c's "shed"\n`],
      ],
    );
    assertEquals([output.passed, output.failed], [2, 1]);
    assertEquals(audits.map((a) => a.node_id).sort(), [
      "n-000000000001",
      "n-000000000002",
      "n-000000000003",
    ]);
  },
});
