import { GatewayApiError } from "../../lib/api_client.ts";
import { createLogger } from "../../lib/log.ts";
import type { CommandAck, CommandDelivery, CommandResultBody } from "../../lib/schemas/commands.ts";
import { assertEquals } from "../../lib/testing/assert.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import { FakeFileSystem } from "../../lib/testing/fake_fs.ts";
import { FileCommandLog } from "./command_log.ts";
import { CommandExecutor, type CommandGateway, type CommandHandler } from "./executor.ts";

const ID = "cmd-00000000000000c1";
/** The gateway's clock when it sent the command; the node's own clock is a year behind. */
const GATEWAY_NOW = Date.UTC(2026, 10, 23, 12);
const LOCAL_NOW = GATEWAY_NOW - 365 * 86_400_000;

function delivery(deadlineInMs = 60_000, type = "echo"): CommandDelivery {
  return {
    gateway_time_ms: GATEWAY_NOW,
    command: {
      id: ID,
      type,
      params: { say: "hello" },
      desired_state: false,
      deadline: new Date(GATEWAY_NOW + deadlineInMs).toISOString(),
      issued_by: "token:ops",
      issued_role: "operator",
      created_at: new Date(GATEWAY_NOW).toISOString(),
    },
  };
}

/** A gateway that records what the agent told it; answers come from the queues, else ok. */
class FakeGateway implements CommandGateway {
  readonly started: string[] = [];
  readonly posted: CommandResultBody[] = [];
  startAnswers: (Error | null)[] = [];
  postAnswers: (Error | null)[] = [];

  commandStarted(id: string): Promise<CommandAck> {
    this.started.push(id);
    const error = this.startAnswers.shift();
    return error ? Promise.reject(error) : Promise.resolve({ id, state: "running" });
  }

  postCommandResult(id: string, body: CommandResultBody): Promise<CommandAck> {
    this.posted.push(body);
    const error = this.postAnswers.shift();
    return error ? Promise.reject(error) : Promise.resolve({ id, state: "succeeded" });
  }
}

const refusal = (status: number) =>
  new GatewayApiError(
    status,
    {
      error: { code: "command_finished", message: "Command already expired" },
    },
    "POST",
    "/v1/agent/commands/x",
  );

function world(handlers: Record<string, CommandHandler> = {}) {
  const clock = new FakeClock(LOCAL_NOW);
  const fs = new FakeFileSystem();
  const gateway = new FakeGateway();
  const runs: Record<string, unknown>[] = [];
  const echo: CommandHandler = (params) => {
    runs.push(params);
    return Promise.resolve({ said: params.say });
  };
  const log = new FileCommandLog(fs, "/var/lib/halo/agent-commands.json");
  const make = () =>
    new CommandExecutor({
      gateway,
      log: new FileCommandLog(fs, "/var/lib/halo/agent-commands.json"),
      clock,
      logger: createLogger({ component: "test", level: "error", write: () => {} }),
      handlers: { echo, ...handlers },
    });
  return { clock, gateway, runs, make, log, signal: new AbortController().signal };
}

/** Each posted result's outcome, or its error code. */
const outcomes = (posted: readonly CommandResultBody[]) =>
  posted.map((p) => p.outcome === "failed" ? p.error.code : p.outcome);

/** Runs until its signal aborts. */
const hang: CommandHandler = (_params, { signal }) =>
  new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));

const ECHOED: CommandResultBody = { outcome: "succeeded", type: "echo", result: { said: "hello" } };

Deno.test("a command the stream sends again is run once and answered once", async () => {
  const { gateway, runs, make, signal, clock } = world();
  const executor = make();
  await Promise.all([
    executor.handle(delivery(), clock.now(), signal),
    executor.handle(delivery(), clock.now(), signal),
  ]);
  await executor.handle(delivery(), clock.now(), signal);
  assertEquals(runs, [{ say: "hello" }]);
  assertEquals(gateway.started, [ID]);
  assertEquals(gateway.posted, [ECHOED]);
});

Deno.test("after a restart a finished command is not run again", async () => {
  const { gateway, runs, make, signal, clock } = world();
  gateway.postAnswers = [new TypeError("connection refused")];
  const stopping = new AbortController();
  const first = make().handle(delivery(), clock.now(), stopping.signal);
  await clock.tick(0);
  stopping.abort(); // the agent stops while its result waits to be posted
  await first;
  assertEquals(gateway.posted, [ECHOED]);

  const restarted = make();
  await restarted.postUnposted(signal);
  await restarted.handle(delivery(), clock.now(), signal);
  assertEquals(runs.length, 1);
  assertEquals(gateway.posted, [ECHOED, ECHOED]);
});

Deno.test("a command that was running when the agent died is reported interrupted", async () => {
  const { gateway, runs, make, signal, clock, log } = world();
  await log.started(ID, clock.now()); // then kill -9
  await make().handle(delivery(), clock.now(), signal);
  await make().handle(delivery(), clock.now(), signal);
  assertEquals(runs, []);
  assertEquals(gateway.posted, [{
    outcome: "failed",
    error: {
      code: "interrupted",
      message: "The agent stopped while the command ran; it is not run again",
    },
  }]);
});

Deno.test("stopping the agent mid-command reports it interrupted at the next start", async () => {
  const { gateway, make, signal, clock } = world({ hang });
  const stopping = new AbortController();
  const running = make().handle(delivery(60_000, "hang"), clock.now(), stopping.signal);
  await clock.tick(0);
  stopping.abort();
  await running;
  assertEquals(gateway.posted, []);
  await make().postUnposted(signal);
  assertEquals(outcomes(gateway.posted), ["interrupted"]);
});

Deno.test("deadlines count from the gateway's clock, not the node's", async (t) => {
  await t.step("past its deadline on arrival: not run, nothing posted", async () => {
    const { gateway, runs, make, signal, clock } = world();
    await make().handle(delivery(0), clock.now(), signal);
    assertEquals([runs, gateway.started, gateway.posted], [[], [], []]);
  });

  await t.step("a command still running at its deadline stops and says so", async () => {
    const { gateway, make, signal, clock } = world({ hang });
    const running = make().handle(delivery(30_000, "hang"), clock.now(), signal);
    await clock.tick(29_999);
    assertEquals(gateway.posted, []);
    await clock.tick(1);
    await running;
    assertEquals(gateway.posted, [{
      outcome: "failed",
      error: {
        code: "deadline_passed",
        message: "The deadline passed before the command finished",
      },
    }]);
  });
});

Deno.test("the gateway's no to a start keeps the command from running", async () => {
  for (const status of [404, 409]) {
    const { gateway, runs, make, signal, clock } = world();
    gateway.startAnswers = [refusal(status)];
    await make().handle(delivery(), clock.now(), signal);
    await make().handle(delivery(), clock.now(), signal);
    assertEquals([runs, gateway.posted], [[], []], `after ${status}`);
  }
});

Deno.test("an unreachable gateway does not stop a command; its result is retried until taken", async () => {
  const { gateway, runs, make, signal, clock } = world();
  gateway.startAnswers = [new TypeError("connection refused")];
  gateway.postAnswers = [new TypeError("connection refused"), refusal(503)];
  const handled = make().handle(delivery(), clock.now(), signal);
  for (let i = 0; i < 5; i++) await clock.tick(1000);
  await handled;
  assertEquals(runs.length, 1);
  assertEquals(gateway.posted, [ECHOED, ECHOED, ECHOED]);
});

Deno.test("a result the gateway refuses for good is not posted again", async () => {
  const { gateway, make, signal, clock } = world();
  gateway.postAnswers = [refusal(409)];
  const executor = make();
  await executor.handle(delivery(), clock.now(), signal);
  await executor.postUnposted(signal);
  assertEquals(gateway.posted, [ECHOED]);
});

Deno.test("a type the agent has no handler for is answered at once", async () => {
  const { gateway, make, signal, clock } = world();
  await make().handle(delivery(60_000, "speed_test"), clock.now(), signal);
  assertEquals(gateway.started, []);
  assertEquals(gateway.posted, [{
    outcome: "failed",
    error: { code: "unsupported_command", message: "This agent does not run speed_test commands" },
  }]);
});
