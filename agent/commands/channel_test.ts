import { GatewayApiError } from "../../lib/api_client.ts";
import { createLogger } from "../../lib/log.ts";
import type { CommandDelivery, CommandError } from "../../lib/schemas/commands.ts";
import { assertEquals } from "../../lib/testing/assert.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import { CommandChannel, type CommandStreamOpener } from "./channel.ts";

const GATEWAY_NOW = Date.UTC(2026, 10, 23, 12);

function message(id: string, command: Record<string, unknown> = {}): string {
  const data = {
    gateway_time_ms: GATEWAY_NOW,
    command: {
      id,
      type: "camera_snapshot",
      params: { width: 640, height: 480, quality: 80, store: false },
      desired_state: false,
      deadline: new Date(GATEWAY_NOW + 60_000).toISOString(),
      issued_by: "token:ops",
      issued_role: "operator",
      created_at: new Date(GATEWAY_NOW).toISOString(),
      ...command,
    },
  };
  return `event: command\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Answers each open with the next script entry: SSE text (then the stream ends) or an error. */
class ScriptedGateway implements CommandStreamOpener {
  opened = 0;
  constructor(private readonly script: (string | Error)[]) {}

  openCommandStream({ signal }: { signal?: AbortSignal }) {
    this.opened++;
    const next = this.script.shift();
    if (next instanceof Error) return Promise.reject(next);
    return Promise.resolve(
      new ReadableStream<Uint8Array<ArrayBuffer>>({
        start(controller) {
          if (next === undefined) { // the last stream stays open until the agent stops
            signal?.addEventListener("abort", () => controller.close());
            return;
          }
          controller.enqueue(new TextEncoder().encode(`retry: 3000\n\n: keepalive\n\n${next}`));
          controller.close();
        },
      }),
    );
  }
}

/** Lets the event loop run until `done()` holds (a bound against hanging, not a timing). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 0));
}

function channelWith(script: (string | Error)[]) {
  const clock = new FakeClock(GATEWAY_NOW - 3600_000);
  const handled: { id: string; receivedAt: number }[] = [];
  const refused: { id: string; error: CommandError }[] = [];
  const gateway = new ScriptedGateway(script);
  const channel = new CommandChannel({
    gateway,
    clock,
    logger: createLogger({ component: "test", level: "error", write: () => {} }),
    executor: {
      handle: (delivery: CommandDelivery, receivedAt: number) =>
        Promise.resolve(void handled.push({ id: delivery.command.id, receivedAt })),
      refuse: (id: string, error: CommandError) =>
        Promise.resolve(void refused.push({ id, error })),
      postUnposted: () => Promise.resolve(),
    },
  });
  return { clock, gateway, channel, handled, refused };
}

Deno.test("the channel reopens the stream when it ends or is refused, backing off", async () => {
  const unauthorized = new GatewayApiError(401, null, "GET", "/v1/agent/commands/stream");
  const { clock, gateway, channel, handled } = channelWith([
    message("cmd-0000000000000001"),
    unauthorized,
    new TypeError("connection refused"),
    message("cmd-0000000000000002"),
  ]);
  const stop = new AbortController();
  const running = channel.run(stop.signal);
  await until(() => handled.length === 1);
  assertEquals([gateway.opened, handled.map((h) => h.id)], [1, ["cmd-0000000000000001"]]);
  await clock.tick(1000); // after a stream that ended: 1 s
  await until(() => gateway.opened === 2);
  assertEquals(gateway.opened, 2);
  await clock.tick(2000); // after one failure: 2 s
  await until(() => gateway.opened === 3);
  assertEquals(gateway.opened, 3);
  await clock.tick(4999); // after two in a row: 5 s
  assertEquals(gateway.opened, 3);
  await clock.tick(1);
  await until(() => handled.length === 2);
  assertEquals(handled.map((h) => h.id), ["cmd-0000000000000001", "cmd-0000000000000002"]);
  assertEquals(handled[1]!.receivedAt, clock.now());
  await clock.tick(1000);
  await until(() => channel.connected);
  assertEquals([gateway.opened, channel.connected], [5, true]);
  stop.abort();
  await running;
  assertEquals(channel.connected, false);
});

Deno.test("a command the agent cannot read is answered at once, naming what is wrong", async () => {
  const { channel, handled, refused } = channelWith([
    message("cmd-0000000000000003", { params: { width: "wide" } }) +
    message("cmd-0000000000000004", { type: "speed_test", params: {} }) +
    `event: command\ndata: {"command":{"type":"camera_snapshot"}}\n\n` +
    `event: command\ndata: not json\n\n`,
  ]);
  const stop = new AbortController();
  const running = channel.run(stop.signal);
  await until(() => refused.length === 2);
  stop.abort();
  await running;
  assertEquals(handled, []);
  assertEquals(refused, [
    {
      id: "cmd-0000000000000003",
      error: {
        code: "invalid_command",
        message: "This agent cannot read the command: " +
          "command.params.width: Invalid input: expected number, received string",
      },
    },
    {
      id: "cmd-0000000000000004",
      error: {
        code: "unsupported_command",
        message: "This agent does not run speed_test commands",
      },
    },
  ]);
});
