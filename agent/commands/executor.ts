import { GatewayApiError } from "../../lib/api_client.ts";
import { type Clock, pause } from "../../lib/clock.ts";
import type { Logger } from "../../lib/log.ts";
import type {
  CommandAck,
  CommandDelivery,
  CommandError,
  CommandResultBody,
} from "../../lib/schemas/commands.ts";
import type { CommandLog } from "./command_log.ts";

/** A command that did not succeed, with the code and sentence the gateway shows. */
export class CommandFailure extends Error {
  override name = "CommandFailure";
  constructor(readonly code: string, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Runs one command type: its params in, its result out. @throws {CommandFailure} */
export type CommandHandler = (
  params: Record<string, unknown>,
  context: { signal: AbortSignal },
) => Promise<Record<string, unknown>>;

/** The gateway as the executor uses it; {@linkcode GatewayClient} is one. */
export interface CommandGateway {
  /** @throws {GatewayApiError} 409 when the command must not run. */
  commandStarted(id: string): Promise<CommandAck>;
  postCommandResult(id: string, body: CommandResultBody): Promise<CommandAck>;
}

/** What {@linkcode CommandExecutor} needs. */
export interface ExecutorOptions {
  gateway: CommandGateway;
  log: CommandLog;
  clock: Clock;
  logger: Logger;
  /** A handler per command type; another type is answered `unsupported_command`. */
  handlers: Readonly<Record<string, CommandHandler>>;
  /** Waits between posts of a result the gateway did not take. @default [1, 2, 5, 10, 30] s */
  retryMs?: readonly number[];
}

/** Statuses after which posting the same result again cannot help. */
const FINAL_REFUSALS = new Set([400, 401, 403, 404, 409, 413, 415]);

/**
 * Runs each command at most once and posts its result back until the
 * gateway takes it. The {@linkcode CommandLog} holds what ran, so a command
 * the stream sends again is not run again: a finished one has its result
 * posted if the gateway has yet to take it, and one that was running when
 * the agent died is reported `interrupted`, never rerun.
 */
export class CommandExecutor {
  readonly #running = new Set<string>();
  readonly #retryMs: readonly number[];

  constructor(private readonly o: ExecutorOptions) {
    this.#retryMs = o.retryMs ?? [1000, 2000, 5000, 10_000, 30_000];
  }

  /**
   * Handles one delivered command, received at local time `receivedAt`; its
   * deadline is measured from the gateway's clock in the delivery, so a node
   * whose clock is off still stops in time.
   */
  async handle(delivery: CommandDelivery, receivedAt: number, signal: AbortSignal): Promise<void> {
    const { command } = delivery;
    if (this.#running.has(command.id)) return;
    this.#running.add(command.id);
    try {
      const logged = await this.o.log.get(command.id);
      if (logged?.state === "finished") {
        return logged.posted ? undefined : await this.#post(command.id, logged.result, signal);
      }
      if (logged?.state === "started") {
        return await this.#finish(command.id, failed("interrupted", INTERRUPTED), signal);
      }
      const left = Date.parse(command.deadline) - delivery.gateway_time_ms;
      if (left <= 0) {
        return this.o.logger.info("command past its deadline, not run", { command: command.id });
      }
      const handler = this.o.handlers[command.type];
      if (!handler) {
        return await this.#finish(
          command.id,
          failed("unsupported_command", `This agent does not run ${command.type} commands`),
          signal,
        );
      }
      await this.o.log.started(command.id, receivedAt);
      if (!await this.#mayStart(command.id)) return;
      const deadline = receivedAt + left;
      const body = await this.#run(command, handler, deadline, signal);
      await this.#finish(command.id, body, signal);
    } finally {
      this.#running.delete(command.id);
    }
  }

  /** Reports a command the agent could not read, so it does not wait for its deadline. */
  async refuse(id: string, error: CommandError, signal: AbortSignal): Promise<void> {
    if (this.#running.has(id) || await this.o.log.get(id)) return;
    await this.#finish(id, failed(error.code, error.message), signal);
  }

  /** Posts the results an earlier run of the agent left unposted. */
  async postUnposted(signal: AbortSignal): Promise<void> {
    for (const { id, result } of await this.o.log.unposted()) await this.#post(id, result, signal);
  }

  async #run(
    command: CommandDelivery["command"],
    handler: CommandHandler,
    deadline: number,
    signal: AbortSignal,
  ): Promise<CommandResultBody> {
    const timeout = new AbortController();
    const done = new AbortController();
    this.o.clock.sleep(Math.max(0, deadline - this.o.clock.now()), done.signal).then(
      () => timeout.abort(new CommandFailure("deadline_passed", DEADLINE)),
      () => {},
    );
    const both = AbortSignal.any([signal, timeout.signal]);
    try {
      const result = await raceAbort(handler(command.params, { signal: both }), both);
      return { outcome: "succeeded", type: command.type, result };
    } catch (error) {
      if (error instanceof CommandFailure) return failed(error.code, error.message);
      if (signal.aborted) return failed("interrupted", INTERRUPTED);
      this.o.logger.error("command failed", { command: command.id, error });
      return failed("agent_error", `The agent failed: ${(error as Error).message ?? error}`);
    } finally {
      done.abort();
    }
  }

  /** Asks the gateway whether to start; only its "no" (409, 404) stops the command. */
  async #mayStart(id: string): Promise<boolean> {
    try {
      await this.o.gateway.commandStarted(id);
      return true;
    } catch (error) {
      if (!(error instanceof GatewayApiError) || ![404, 409].includes(error.status)) return true;
      this.o.logger.info("the gateway says not to run the command", {
        command: id,
        reason: error.message,
      });
      await this.o.log.finished(id, failed("not_run", error.message), this.o.clock.now());
      await this.o.log.posted(id);
      return false;
    }
  }

  async #finish(id: string, body: CommandResultBody, signal: AbortSignal): Promise<void> {
    await this.o.log.finished(id, body, this.o.clock.now());
    await this.#post(id, body, signal);
  }

  /** Posts until the gateway takes the result, refuses it for good, or `signal` aborts. */
  async #post(id: string, body: CommandResultBody, signal: AbortSignal): Promise<void> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        await this.o.gateway.postCommandResult(id, body);
        return await this.o.log.posted(id);
      } catch (error) {
        if (error instanceof GatewayApiError && FINAL_REFUSALS.has(error.status)) {
          this.o.logger.warn("the gateway refused a command result", {
            command: id,
            reason: error.message,
          });
          return await this.o.log.posted(id);
        }
        const wait = this.#retryMs[Math.min(attempt, this.#retryMs.length - 1)]!;
        this.o.logger.info("command result not delivered; retrying", {
          command: id,
          retry_in_ms: wait,
          error: (error as Error).message,
        });
        if (!await pause(this.o.clock, wait, signal)) return;
      }
    }
  }
}

const INTERRUPTED = "The agent stopped while the command ran; it is not run again";
const DEADLINE = "The deadline passed before the command finished";

/** A failure as the gateway takes it: one line of at most 1000 characters. */
function failed(code: string, message: string): CommandResultBody {
  // deno-lint-ignore no-control-regex -- control characters are what is removed
  const line = message.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").trim();
  return { outcome: "failed", error: { code, message: (line || code).slice(0, 1000) } };
}

/** Settles with `work`, or rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
