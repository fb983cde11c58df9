import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertRejects } from "../../../lib/testing/assert.ts";
import { FakeClock } from "../../../lib/testing/fake_clock.ts";
import { FakeCommandRunner } from "../../../lib/testing/fake_command.ts";
import type { CommandResult, CommandRunner, RunOptions } from "../../../lib/command.ts";
import { migrate, readMigrations } from "../../../lib/db/migrate.ts";
import { MIGRATIONS_DIR } from "../../store/migrations.ts";
import type { StepInput } from "../engine.ts";
import type { SshIdentity } from "../ssh_identity.ts";
import {
  COMMAND_OUTPUT_LIMIT,
  type CommandAuditEntry,
  commandRunner,
  type CommandRunnerDeps,
  nodeSshAddress,
} from "./command.ts";

const NODE = "n-00000000000a";
const IDENTITY: SshIdentity = {
  key: "/var/lib/halo/ssh/id_ed25519",
  knownHosts: "/kh",
  user: "root",
};
const MARKER = `/tmp/halo-pwned-${crypto.randomUUID()}`;
const HOSTILE = `x'; touch ${MARKER} #"$(touch ${MARKER})\`touch ${MARKER}\`\\`;

function input(config: Record<string, unknown>, overrides: Partial<StepInput> = {}): StepInput {
  return {
    step: { id: "restart", type: "command", config },
    execution: { flowId: 7, flowName: "Cold room", executionId: 70, dryRun: false },
    context: { node_id: NODE, node_name: "pump-house", metric: "soc.temp" },
    prevResult: null,
    signal: new AbortController().signal,
    ...overrides,
  };
}

function setup(
  answer: CommandResult | Error = { code: 0, stdout: "ok\n", stderr: "" },
  deps: Partial<CommandRunnerDeps> = {},
) {
  const runner = new FakeCommandRunner(() => answer);
  const audits: CommandAuditEntry[] = [];
  const run = commandRunner({
    runner,
    identity: IDENTITY,
    nodeAddress: (id) => (id === NODE ? { host: "10.99.0.2", port: 22 } : null),
    audit: (entry) => audits.push(entry),
    ...deps,
  });
  return { runner, audits, run };
}

/** What the remote shell would run: the last ssh argument. */
const remoteOf = (args: string[]) => args.at(-1)!;

/** Runs a remote command line with the local sh, as sshd would with the login shell. */
async function sh(command: string): Promise<string> {
  const out = await new Deno.Command("sh", { args: ["-c", command], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout);
}

Deno.test("commandRunner()", async (t) => {
  await t.step("runs ssh in batch mode with the managed key and strict host keys", async () => {
    const { runner, run } = setup();
    const result = await run(input({ command: "uptime", connect_timeout_s: 4, timeout_s: 30 }));
    assertEquals(result, {
      outcome: "success",
      output: { exit_code: 0, stdout: "ok\n", stderr: "" },
    });
    assertEquals(runner.calls.length, 1);
    const call = runner.calls[0]!;
    assertEquals(call.program, "ssh");
    assertEquals(call.args, [
      "-F",
      "/dev/null",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      "UserKnownHostsFile=/kh",
      "-o",
      "GlobalKnownHostsFile=/dev/null",
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "IdentityAgent=none",
      "-o",
      "ConnectTimeout=4",
      "-i",
      "/var/lib/halo/ssh/id_ed25519",
      "-p",
      "22",
      "-T",
      "root@10.99.0.2",
      "--",
      "timeout 30 sh -c 'uptime'",
    ]);
    // Locally ssh gets connecting + running + 5 s of grace.
    assertEquals(call.options.timeoutMs, 40_000);
  });

  await t.step("passes a hostile value as one word of data", async () => {
    const { runner, run } = setup();
    await run(input({ command: "echo {node_name} {metric}" }, {
      context: { node_id: NODE, node_name: HOSTILE, metric: "a b" },
    }));
    const remote = remoteOf(runner.calls[0]!.args);
    assertEquals(await sh(remote), `${HOSTILE} a b\n`);
    await assertRejects(() => Deno.stat(MARKER), Deno.errors.NotFound);
  });

  await t.step("refuses a variable inside quotes, where quoting could not protect it", async () => {
    const { runner, run } = setup();
    await assertRejects(
      () => run(input({ command: `echo "{node_name}"` })),
      Error,
      "inside quotes",
    );
    assertEquals(runner.calls.length, 0);
  });

  await t.step("runs on the trigger's node, or the node the step names", async () => {
    const { runner, run } = setup(undefined, {
      nodeAddress: (id) => ({ host: id === NODE ? "10.0.0.1" : "10.0.0.2", port: 2222 }),
    });
    await run(input({ command: "true" }));
    await run(input({ command: "true", node: "n-00000000000b" }));
    assertEquals(runner.calls.map((c) => c.args.slice(-5, -2)), [
      ["2222", "-T", "root@10.0.0.1"],
      ["2222", "-T", "root@10.0.0.2"],
    ]);
    await assertRejects(
      () => run(input({ command: "true" }, { context: {} })),
      Error,
      "the trigger gives no node",
    );
  });

  await t.step("fails when the node has no known address, running nothing", async () => {
    const { runner, audits, run } = setup();
    await assertRejects(
      () => run(input({ command: "true", node: "n-0000000000ff" })),
      Error,
      "n-0000000000ff",
    );
    assertEquals([runner.calls.length, audits.length], [0, 0]);
  });

  await t.step("a non-zero exit code is a failure with the output", async () => {
    const { run } = setup({ code: 3, stdout: "", stderr: "no such unit\n" });
    assertEquals(await run(input({ command: "systemctl restart x" })), {
      outcome: "failure",
      output: { exit_code: 3, stdout: "", stderr: "no such unit\n" },
    });
  });

  await t.step("keeps at most 16 KiB of stdout and of stderr", async () => {
    const { run } = setup({ code: 0, stdout: "a".repeat(20_000), stderr: "€".repeat(9000) });
    const { output } = await run(input({ command: "dmesg" }));
    const { stdout, stderr } = output as { stdout: string; stderr: string };
    assertEquals(stdout.length, COMMAND_OUTPUT_LIMIT);
    assertEquals(stderr, "€".repeat(Math.floor(COMMAND_OUTPUT_LIMIT / 3)));
  });

  await t.step("writes every run to the audit log", async () => {
    const { audits, run } = setup({ code: 1, stdout: "", stderr: "" });
    await run(input({ command: "echo {node_name}" }));
    assertEquals(audits, [{
      flow_id: 7,
      flow_name: "Cold room",
      execution_id: 70,
      step_id: "restart",
      node_id: NODE,
      host: "10.99.0.2",
      command: "echo 'pump-house'",
      exit_code: 1,
    }]);
  });

  await t.step("audits and reports a run ssh could not start", async () => {
    const { audits, run } = setup(new Deno.errors.NotFound("ssh: not found"));
    await assertRejects(() => run(input({ command: "true" })), Error, "Cannot run ssh");
    assertEquals(audits.map((a) => [a.exit_code, a.error]), [[null, "ssh: not found"]]);
  });

  await t.step("stops ssh locally once connecting and running have had their time", async () => {
    const clock = new FakeClock();
    const hanging: CommandRunner = {
      run: (_program: string, _args: string[], options: RunOptions = {}) =>
        new Promise((resolve) => {
          options.signal?.addEventListener("abort", () => {
            resolve({ code: 143, stdout: "partial", stderr: "" });
          });
        }),
    };
    const { audits, run } = setup(undefined, { runner: hanging, clock });
    const running = run(input({ command: "sleep 1000", connect_timeout_s: 2, timeout_s: 3 }));
    await clock.tick(9_999);
    let done = false;
    running.then(() => done = true);
    await clock.tick(0);
    assert(!done, "stopped too early");
    await clock.tick(1);
    assertEquals(await running, {
      outcome: "failure",
      output: {
        exit_code: null,
        stdout: "partial",
        stderr: "",
        error: "ssh did not finish within 10 s",
      },
    });
    assertEquals(audits[0]!.exit_code, null);
  });

  await t.step("a dry run runs nothing and says what it would run", async () => {
    const { runner, audits, run } = setup();
    const result = await run(input({ command: "echo {node_name}" }, {
      execution: { flowId: 7, flowName: "f", executionId: 1, dryRun: true },
    }));
    assertEquals(result, {
      outcome: "success",
      output: { would_run: { node: NODE, command: "echo 'pump-house'" } },
    });
    assertEquals([runner.calls.length, audits.length], [0, 0]);
  });

  await t.step("asks a lazy identity only when a command really runs", async () => {
    let asked = 0;
    const { runner, run } = setup(undefined, {
      identity: () => (asked++, Promise.resolve({ ...IDENTITY, user: "halo" })),
    });
    await run(input({ command: "true" }, {
      execution: { flowId: 7, flowName: "f", executionId: 1, dryRun: true },
    }));
    assertEquals(asked, 0);
    await run(input({ command: "true" }));
    assertEquals([asked, runner.calls[0]!.args.at(-3)], [1, "halo@10.99.0.2"]);
  });
});

Deno.test("nodeSshAddress()", async (t) => {
  const db = new DatabaseSync(":memory:");
  await migrate(db, await readMigrations(MIGRATIONS_DIR));
  const node = (id: string, decommissioned = false) =>
    db.prepare(
      `INSERT INTO nodes (id, name, role, status, enrolled_at, updated_at, decommissioned_at)
       VALUES (?, ?, 'node', ?, 0, 0, ?)`,
    ).run(id, id, decommissioned ? "decommissioned" : "online", decommissioned ? 1 : null);
  const iface = (nodeId: string, name: string, kind: string, addresses: string[], up = true) =>
    db.prepare(
      "INSERT INTO interfaces (node_id, name, kind, addresses, up, updated_at) VALUES (?, ?, ?, ?, ?, 0)",
    ).run(nodeId, name, kind, JSON.stringify(addresses), up ? 1 : 0);
  const address = nodeSshAddress(db);

  await t.step("prefers the wireguard overlay, then batman, then halow, then eth", () => {
    node("n-000000000001");
    iface("n-000000000001", "eth0", "eth", ["192.168.1.20/24"]);
    iface("n-000000000001", "halow0", "halow", ["10.41.0.2/16"]);
    iface("n-000000000001", "bat0", "batman", ["fe80::1/64", "10.42.0.2/16"]);
    assertEquals(address("n-000000000001"), { host: "10.42.0.2", port: 22 });
    iface("n-000000000001", "wg0", "wireguard", ["fd00:4a4c::2/64"]);
    assertEquals(address("n-000000000001"), { host: "fd00:4a4c::2", port: 22 });
  });

  await t.step("skips interfaces that are down and link-local addresses", () => {
    node("n-000000000002");
    iface("n-000000000002", "wg0", "wireguard", ["10.99.0.3/24"], false);
    iface("n-000000000002", "bat0", "batman", ["fe80::2/64"]);
    iface("n-000000000002", "eth0", "eth", ["192.168.1.21/24"]);
    assertEquals(address("n-000000000002"), { host: "192.168.1.21", port: 22 });
  });

  await t.step("knows no address for unknown, silent or decommissioned nodes", () => {
    node("n-000000000003");
    node("n-000000000004", true);
    iface("n-000000000004", "eth0", "eth", ["192.168.1.22/24"]);
    assertEquals(
      [address("n-0000000000ff"), address("n-000000000003"), address("n-000000000004")],
      [null, null, null],
    );
  });
  db.close();
});
