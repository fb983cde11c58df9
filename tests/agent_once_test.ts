/**
 * System test of the real halo-agent process against the real gateway
 * process: enrollment with a join token, one cycle with `--once` on this
 * machine's real kernel, the stored credentials used from then on, a bad
 * config.yaml, agent.sock, and SIGTERM.
 */
import { parseAgentEnv } from "../lib/config/agent_env.ts";
import { agentStatusSchema } from "../lib/schemas/agent_socket.ts";
import { createdJoinTokenSchema } from "../lib/schemas/enrollment.ts";
import { nodeDetailSchema, nodeListSchema } from "../lib/schemas/nodes.ts";
import { latestSchema } from "../lib/schemas/telemetry.ts";
import { assert, assertEquals, assertStringIncludes } from "../lib/testing/assert.ts";
import { agentTempDirs, runAgentCommand, startAgentProcess } from "./_helpers/agent_process.ts";
import { loginAdmin, startGatewayProcess, tempDirs } from "./_helpers/gateway_process.ts";

async function cat(path: string): Promise<string> {
  const out = await new Deno.Command("cat", { args: [path], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("halo-agent --once enrolls and delivers a real report and telemetry", async (t) => {
  await using gatewayDirs = await tempDirs();
  await using gateway = await startGatewayProcess(gatewayDirs);
  const { client: admin } = await loginAdmin(gateway.baseUrl, gatewayDirs);
  await using dirs = await agentTempDirs();
  const agentEnvFile = `${dirs.etcDir}/agent-env`;
  const join = await admin.request("POST", "/v1/enrollment/tokens", {
    body: { name: "agent-once", max_uses: 1 },
    schema: createdJoinTokenSchema,
  });
  // What setup writes: the join token, readable by root and group halo only.
  await Deno.writeTextFile(
    agentEnvFile,
    `HALO_JOIN_TOKEN=${join.token}\nHALO_GATEWAY_URL=${gateway.baseUrl}\n`,
    { mode: 0o600 },
  );
  await Deno.writeTextFile(`${dirs.etcDir}/config.yaml`, "role: node\nlog_level: info\n");
  let nodeId = "";

  await t.step("it exits 0 with the join token replaced by credentials (0640)", async () => {
    const run = await runAgentCommand(["--once"], dirs);
    assertEquals(run.code, 0, run.stderr);
    const text = await Deno.readTextFile(agentEnvFile);
    assert(!text.includes(join.token), "the join token is gone");
    const env = parseAgentEnv(text, agentEnvFile);
    assert("HALO_AGENT_TOKEN" in env, text);
    assertEquals(env.HALO_GATEWAY_URL, gateway.baseUrl);
    assertEquals((await Deno.stat(agentEnvFile)).mode! & 0o777, 0o640);
    nodeId = env.HALO_NODE_ID;
    assertEquals(run.logs.find((l) => l.msg === "enrolled")?.node_id, nodeId);
  });

  await t.step("the gateway shows the node as this machine's kernel describes it", async () => {
    const { nodes } = await admin.request("GET", "/v1/nodes", { schema: nodeListSchema });
    assertEquals(nodes.map((n) => [n.id, n.status, n.hostname]), [
      [nodeId, "online", await cat("/proc/sys/kernel/hostname")],
    ]);
    const node = await admin.request("GET", `/v1/nodes/${nodeId}`, { schema: nodeDetailSchema });
    assertEquals(node.boot_id, await cat("/proc/sys/kernel/random/boot_id"));
    assertEquals(node.hardware.machine_id, await cat("/etc/machine-id"));
    assertEquals(node.versions.kernel, await cat("/proc/sys/kernel/osrelease"));
    assert(node.versions["halo-agent"]?.startsWith("dev"), JSON.stringify(node.versions));
    assert(node.uptime_s! > 0);
  });

  await t.step("its telemetry batch arrived", async () => {
    const { series } = await admin.request("GET", "/v1/telemetry/latest", {
      query: { node: nodeId, metric: "agent.collector.ok" },
      schema: latestSchema,
    });
    assertEquals(series.map((s) => [s.metric, s.labels, s.value]), [
      ["agent.collector.ok", { collector: "host" }, 1],
    ]);
  });

  await t.step("a second run uses the stored token and never enrolls again", async () => {
    // The join token allowed one use: enrolling again would be refused.
    const run = await runAgentCommand(["--once"], dirs);
    assertEquals(run.code, 0, run.stderr);
    assertEquals(run.logs.filter((l) => l.msg === "enrolled").length, 0);
    const { nodes } = await admin.request("GET", "/v1/nodes", { schema: nodeListSchema });
    assertEquals(nodes.map((n) => n.id), [nodeId]);
  });

  await t.step("agent.sock tells its status while it runs; SIGTERM stops it cleanly", async () => {
    const agent = await startAgentProcess(dirs);
    try {
      await agent.logged("serving agent.sock");
      await agent.logged("delivered");
      const client = Deno.createHttpClient({
        proxy: { transport: "unix", path: `${dirs.runDir}/agent.sock` },
      });
      try {
        const res = await fetch("http://agent/status", { client });
        const status = agentStatusSchema.parse(await res.json());
        assertEquals(status.node_id, nodeId);
        assertEquals(status.last_report?.ok, true);
        assertEquals(status.clock.synced, true);
        assertEquals(status.collectors.map((c) => [c.collector, c.ok]), [["host", true]]);
      } finally {
        client.close();
      }
      const exit = await agent.stop("SIGTERM");
      assertEquals(exit.code, 0);
      assertEquals(agent.logs.at(-1)?.msg, "stopped");
      const left = [];
      for await (const entry of Deno.readDir(dirs.runDir)) left.push(entry.name);
      assertEquals(left, [], "agent.sock is removed");
    } finally {
      await agent.stop("SIGKILL");
    }
  });
});

Deno.test("halo-agent refuses bad configuration, naming the file, line and field", async (t) => {
  await using dirs = await agentTempDirs();
  const join = "halo_join_" + "x".repeat(43);
  await Deno.writeTextFile(`${dirs.etcDir}/agent-env`, `HALO_JOIN_TOKEN=${join}\n`);

  await t.step("a bad config.yaml", async () => {
    await Deno.writeTextFile(`${dirs.etcDir}/config.yaml`, "role: node\nlog_level: loud\n");
    const run = await runAgentCommand(["--once"], dirs);
    assertEquals(run.code, 2);
    assertStringIncludes(run.stderr, `halo-agent: error: Cannot load ${dirs.etcDir}/config.yaml:`);
    assertStringIncludes(run.stderr, "line 2: log_level:");
  });

  await t.step("a bad agent-env", async () => {
    await Deno.writeTextFile(`${dirs.etcDir}/config.yaml`, "role: node\n");
    await Deno.writeTextFile(`${dirs.etcDir}/agent-env`, `# setup\nHALO_JOIN_TOKEN=oops\n`);
    const run = await runAgentCommand(["--once"], dirs);
    assertEquals(run.code, 2);
    assertStringIncludes(
      run.stderr,
      `Cannot load ${dirs.etcDir}/agent-env:\n  line 2: HALO_JOIN_TOKEN: expected a join token`,
    );
  });

  await t.step("no gateway URL anywhere", async () => {
    await Deno.writeTextFile(`${dirs.etcDir}/agent-env`, `HALO_JOIN_TOKEN=${join}\n`);
    const run = await runAgentCommand(["--once"], dirs);
    assertEquals(run.code, 2);
    assertStringIncludes(run.stderr, "halo-agent: error: No gateway URL: set HALO_GATEWAY_URL");
  });
});

Deno.test("halo-agent --help and --version", async () => {
  await using dirs = await agentTempDirs();
  const help = await runAgentCommand(["--help"], dirs);
  assertEquals(help.code, 0);
  assertStringIncludes(help.stdout, "halo-agent --once");
  const version = await runAgentCommand(["--version"], dirs);
  assertEquals(version.code, 0);
  assertStringIncludes(version.stdout, "halo-agent dev");
  const bad = await runAgentCommand(["--twice"], dirs);
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, "Run halo-agent --help for usage.");
});
