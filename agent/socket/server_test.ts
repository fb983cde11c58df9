import { assertEquals, assertRejects } from "../../lib/testing/assert.ts";
import { createLogger } from "../../lib/log.ts";
import { agentStatusSchema, liveReadingsSchema } from "../../lib/schemas/agent_socket.ts";
import { sseEvents } from "../../lib/testing/sse.ts";
import { listening, STATUS } from "../testing/socket_fixtures.ts";
import { LiveFeed } from "./live_feed.ts";
import { AGENT_SOCKET_MODE, serveAgentSocket } from "./server.ts";

const log = createLogger({ component: "test", write: () => {} });

/** Leaves a socket file nobody serves: a process binds it and is killed before it can clean up. */
async function staleSocket(path: string): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      // Held until killed: a listener dropped early would remove its file.
      `const l = Deno.listen({ transport: "unix", path: ${JSON.stringify(path)} });` +
      `console.log("bound"); await l.accept();`,
    ],
    stdout: "piped",
  }).spawn();
  await child.stdout.pipeThrough(new TextDecoderStream()).getReader().read();
  child.kill("SIGKILL");
  await child.status;
  assertEquals((await Deno.lstat(path)).isSocket, true);
}

Deno.test("agent.sock over a real Unix socket", async () => {
  const dir = await Deno.makeTempDir({ prefix: "halo-agent-sock-" });
  const path = `${dir}/agent.sock`;
  const live = new LiveFeed();
  const client = Deno.createHttpClient({ proxy: { transport: "unix", path } });
  try {
    // A socket file left by an agent that died is replaced.
    await staleSocket(path);
    const server = await serveAgentSocket({ path, status: () => STATUS, live, log });
    assertEquals((await Deno.stat(path)).mode! & 0o777, AGENT_SOCKET_MODE);

    const status = await fetch("http://agent/status", { client });
    assertEquals(status.status, 200);
    assertEquals(agentStatusSchema.parse(await status.json()), STATUS);

    const stream = await fetch("http://agent/live", { client });
    const events = sseEvents(stream.body!);
    await listening(live);
    live.publish({ collector: "host", samples: [{ metric: "cpu.load1", value: 1, ts: 5 }] });
    const event = (await events.next()).value!;
    assertEquals(liveReadingsSchema.parse(JSON.parse(event.data!)).collector, "host");

    // A second agent on the same socket is refused while this one serves.
    await assertRejects(
      () => serveAgentSocket({ path, status: () => STATUS, live, log }),
      Error,
      `Another program serves ${path}: is halo-agent running already?`,
    );

    // Closing ends the open stream and removes the socket.
    await server.close();
    assertEquals((await events.next()).done, true);
    await assertRejects(() => Deno.stat(path), Deno.errors.NotFound);
  } finally {
    client.close();
    await Deno.remove(dir, { recursive: true });
  }
});
