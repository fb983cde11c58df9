/**
 * The command channel end to end: the real gateway process, and on the node
 * side the agent's own channel, executor and camera code (with a stand-in
 * rpicam-still that writes a small JPEG) over real HTTP. A node that is
 * offline is refused at once; a command that waits past its deadline expires
 * and never runs; a desired-state command waits for its node (that part runs
 * the gateway in-process behind a real loopback server: this version ships
 * no desired-state type, so the test brings its own).
 */
import { GatewayApiError, GatewayClient } from "../lib/api_client.ts";
import { type CommandRunner, denoCommandRunner } from "../lib/command.ts";
import { systemClock } from "../lib/clock.ts";
import { denoFileSystem } from "../lib/fs.ts";
import { createLogger } from "../lib/log.ts";
import { COMMAND_SCHEMAS, type CommandRecord, commandSchemas } from "../lib/schemas/commands.ts";
import { assert, assertEquals, assertMatch } from "../lib/testing/assert.ts";
import { FAKE_CAMERA_TOOL, TEST_COMMAND_TYPES, testJpeg } from "../lib/testing/commands.ts";
import { cameraSnapshot, snapshotFilesIn } from "../agent/commands/camera.ts";
import { CommandChannel } from "../agent/commands/channel.ts";
import { FileCommandLog } from "../agent/commands/command_log.ts";
import { CommandExecutor, type CommandHandler } from "../agent/commands/executor.ts";
import { createHarness } from "../gateway/testing/harness.ts";
import { loginAdmin, startGatewayProcess, tempDirs } from "./_helpers/gateway_process.ts";

/** A bound on waiting for the gateway or an agent; a guard against hanging, not a timing. */
const WAIT_MS = 20_000;

async function eventually<T>(what: string, probe: () => Promise<T | null> | T | null): Promise<T> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > until) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Node {
  id: string;
  client: GatewayClient;
}

/** A node's agent side: the channel and executor the agent runs, in this process. */
function startAgent(
  node: Node,
  dir: string,
  handlers: Record<string, CommandHandler>,
  schemas = COMMAND_SCHEMAS,
) {
  const logger = createLogger({ component: `agent-${node.id}`, level: "error" });
  const executor = new CommandExecutor({
    gateway: node.client,
    log: new FileCommandLog(denoFileSystem, `${dir}/${node.id}-commands.json`),
    clock: systemClock,
    logger,
    handlers,
  });
  const channel = new CommandChannel({
    gateway: node.client,
    executor,
    clock: systemClock,
    logger,
    schemas,
  });
  const stop = new AbortController();
  const running = channel.run(stop.signal);
  return {
    channel,
    async [Symbol.asyncDispose]() {
      stop.abort();
      await running;
    },
  };
}

/** A command runner that counts the camera tool's runs. */
function counting(runner: CommandRunner) {
  const counted = {
    runs: 0,
    run: (program: string, args: string[], options?: Parameters<CommandRunner["run"]>[2]) => {
      counted.runs++;
      return runner.run(program, args, options);
    },
  };
  return counted;
}

async function finished(client: GatewayClient, id: string): Promise<CommandRecord> {
  return await eventually(`command ${id} to finish`, async () => {
    const command = await client.request("GET", `/v1/commands/${id}`, {
      schema: COMMAND_SCHEMAS.record,
    });
    return ["queued", "sent", "running"].includes(command.state) ? null : command;
  });
}

Deno.test({
  name: "commands and the camera end to end with the real gateway",
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  await using dirs = await tempDirs();
  await using gateway = await startGatewayProcess(dirs);
  const { client: admin } = await loginAdmin(gateway.baseUrl, dirs);
  const { token } = await admin.request("POST", "/v1/tokens", {
    body: { name: "field operator", role: "operator" },
  }) as { token: string };
  const operator = new GatewayClient({ baseUrl: gateway.baseUrl, token });
  const join = await admin.request("POST", "/v1/enrollment/tokens", {
    body: { name: "e2e", max_uses: 5 },
  }) as { token: string };
  const enroll = async (hostname: string): Promise<Node> => {
    const anonymous = new GatewayClient({ baseUrl: gateway.baseUrl });
    const enrolled = await anonymous.enroll({
      join_token: join.token,
      hardware: { serial: hostname.replaceAll("-", "").toUpperCase() },
      hostname,
    });
    return { id: enrolled.node_id, client: anonymous.withToken(enrolled.agent_token) };
  };
  const issue = (node: Node, body: unknown) =>
    operator.request("POST", `/v1/nodes/${node.id}/commands`, {
      body,
      schema: COMMAND_SCHEMAS.record,
    });

  await t.step("a snapshot goes to the node's agent and its JPEG comes back once", async () => {
    const node = await enroll("cam-1");
    const runner = counting(denoCommandRunner);
    const camera = cameraSnapshot({
      runner,
      files: snapshotFilesIn(`${dirs.varDir}/cam-1-run/camera`),
      tools: [FAKE_CAMERA_TOOL],
    });
    await using agent = startAgent(node, dirs.varDir, { camera_snapshot: camera });
    await eventually("the command stream", () => agent.channel.connected || null);

    const issued = await issue(node, {
      type: "camera_snapshot",
      params: { width: 640, height: 480 },
    });
    assertEquals(issued.state, "queued");
    const done = await finished(operator, issued.id);
    assertEquals([done.state, done.error], ["succeeded", null]);
    assertEquals(done.result, {
      tool: "rpicam-still",
      content_type: "image/jpeg",
      size_bytes: testJpeg().length,
      width: 64,
      height: 48,
      stored: false,
      image_url: `/v1/commands/${issued.id}/image`,
    });
    assert(done.started_at !== null, "the agent said it started");
    const image = await fetch(`${gateway.baseUrl}/v1/commands/${issued.id}/image`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assertEquals(image.headers.get("content-type"), "image/jpeg");
    assertEquals(await image.bytes(), testJpeg());
    const again = await fetch(`${gateway.baseUrl}/v1/commands/${issued.id}/image`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assertEquals(again.status, 404, "the gateway held it only until it was fetched");
    await again.body?.cancel();
    assertEquals(runner.runs, 1);
    assertEquals([...Deno.readDirSync(`${dirs.varDir}/cam-1-run/camera`)], [], "no file left");
  });

  await t.step("a node whose agent is not connected is refused at once", async () => {
    const node = await enroll("cam-2");
    const refused = await issue(node, { type: "camera_snapshot" });
    assertEquals([refused.state, refused.error?.code], ["refused", "node_offline"]);
    assertMatch(refused.error!.message, /^cam-2 is offline/);
    const image = await operator.request("GET", `/v1/commands/${refused.id}/image`).catch((e) => e);
    assert(image instanceof GatewayApiError && image.status === 404, "there is no image");
  });

  await t.step("a command that waits past its deadline expires and never runs", async () => {
    const node = await enroll("cam-3");
    // The node is connected when the command is issued, but its agent takes nothing off the
    // stream (busy, or its link stalled) until the deadline has passed.
    const stalled = new AbortController();
    await node.client.openCommandStream({ signal: stalled.signal });
    const issued = await issue(node, { type: "camera_snapshot", deadline_s: 1 });
    assertEquals(issued.state, "queued");
    const expired = await finished(operator, issued.id);
    assertEquals([expired.state, expired.error?.code], ["expired", "deadline_passed"]);
    stalled.abort();

    const runner = counting(denoCommandRunner);
    const camera = cameraSnapshot({
      runner,
      files: snapshotFilesIn(`${dirs.varDir}/cam-3-run/camera`),
      tools: [FAKE_CAMERA_TOOL],
    });
    await using agent = startAgent(node, dirs.varDir, { camera_snapshot: camera });
    await eventually("the command stream", () => agent.channel.connected || null);
    // A command issued after it, on the same stream, shows the stream delivered by now.
    const later = await issue(node, { type: "camera_snapshot" });
    assertEquals((await finished(operator, later.id)).state, "succeeded");
    assertEquals(runner.runs, 1, "only the later command ran");
    const list = await operator.request("GET", `/v1/nodes/${node.id}/commands`, {
      schema: COMMAND_SCHEMAS.list,
    });
    assertEquals(list.commands.map((c) => [c.id, c.state]), [
      [later.id, "succeeded"],
      [issued.id, "expired"],
    ]);
  });

  await t.step("the gateway logged no error on the way", () => {
    assertEquals(gateway.logs.filter((l) => l.level === "error"), []);
  });
});

Deno.test({
  name: "a desired-state command waits for its node and is applied when it connects",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  await using h = await createHarness({ commandTypes: TEST_COMMAND_TYPES });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request, info) => h.handler(request, { remoteAddr: { hostname: info.remoteAddr.hostname } }),
  );
  try {
    const baseUrl = `http://127.0.0.1:${server.addr.port}`;
    const anonymous = new GatewayClient({ baseUrl });
    const enrolled = await anonymous.enroll({
      join_token: await h.joinToken(),
      hardware: { serial: "DESIRED1" },
      hostname: "leaf-desired",
    });
    const node = { id: enrolled.node_id, client: anonymous.withToken(enrolled.agent_token) };
    const admin = new GatewayClient({ baseUrl, token: await h.tokenFor("admin") });
    const schemas = commandSchemas(TEST_COMMAND_TYPES);
    const issued = await admin.request("POST", `/v1/nodes/${node.id}/commands`, {
      body: { type: "test_desired_value", params: { value: 42 } },
      schema: schemas.record,
    });
    assertEquals([issued.state, issued.desired_state], ["queued", true]);

    const applied: unknown[] = [];
    const hold: CommandHandler = (params) => {
      applied.push(params.value);
      return Promise.resolve({ applied: params.value as number });
    };
    await using agent = startAgent(node, h.dir, { test_desired_value: hold }, schemas);
    const done = await eventually("the desired value to be applied", async () => {
      const command = await admin.request("GET", `/v1/commands/${issued.id}`, {
        schema: schemas.record,
      });
      return command.state === "succeeded" ? command : null;
    });
    assertEquals([done.result, applied], [{ applied: 42 }, [42]]);
    assert(agent.channel.connected, "the agent keeps its stream open");
  } finally {
    await server.shutdown();
  }
});
