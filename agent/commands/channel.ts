import { z } from "zod";
import { GatewayApiError } from "../../lib/api_client.ts";
import { type Clock, pause } from "../../lib/clock.ts";
import type { Logger } from "../../lib/log.ts";
import {
  COMMAND_EVENT,
  COMMAND_SCHEMAS,
  commandIdSchema,
  type CommandSchemas,
} from "../../lib/schemas/commands.ts";
import { parseSse } from "../../lib/sse.ts";
import type { CommandExecutor } from "./executor.ts";

/** The gateway's command stream; {@linkcode GatewayClient} opens it. */
export interface CommandStreamOpener {
  /** @throws {GatewayApiError} when the gateway refuses (a revoked token: 401). */
  openCommandStream(
    options: { signal?: AbortSignal },
  ): Promise<ReadableStream<Uint8Array<ArrayBuffer>>>;
}

/** What {@linkcode CommandChannel} needs. */
export interface ChannelOptions {
  gateway: CommandStreamOpener;
  executor: Pick<CommandExecutor, "handle" | "refuse" | "postUnposted">;
  clock: Clock;
  logger: Logger;
  /** The command types this agent reads. @default COMMAND_SCHEMAS */
  schemas?: CommandSchemas;
  /** Waits before reconnecting, the next one after each failure in a row. @default [1, 2, 5, 10, 30] s */
  backoffMs?: readonly number[];
}

const envelopeSchema = z.object({
  command: z.object({ id: commandIdSchema, type: z.string() }),
});

/**
 * The agent's end of the command channel: keeps the one stream to the
 * gateway open (reconnecting with backoff when it drops), validates every
 * command with the shared schemas, and hands each to the executor, which
 * runs it at most once. A command this agent cannot read is answered as
 * failed at once, so its caller does not wait for the deadline.
 */
export class CommandChannel {
  #connected = false;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #schemas: CommandSchemas;
  readonly #backoffMs: readonly number[];

  constructor(private readonly o: ChannelOptions) {
    this.#schemas = o.schemas ?? COMMAND_SCHEMAS;
    this.#backoffMs = o.backoffMs ?? [1000, 2000, 5000, 10_000, 30_000];
  }

  /** Whether the stream is open now. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Runs until `signal` aborts; then waits for the commands under way to stop. */
  async run(signal: AbortSignal): Promise<void> {
    this.#track(this.o.executor.postUnposted(signal));
    let failures = 0;
    while (!signal.aborted) {
      try {
        const body = await this.o.gateway.openCommandStream({ signal });
        this.#connected = true;
        failures = 0;
        this.o.logger.info("command stream open");
        for await (const message of parseSse(body, signal)) {
          if (message.event === COMMAND_EVENT) this.#dispatch(message.data, signal);
        }
        if (!signal.aborted) this.o.logger.info("the gateway ended the command stream");
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        this.o.logger.warn("command stream failed", {
          error: (error as Error).message,
          ...(error instanceof GatewayApiError ? { status: error.status } : {}),
        });
      } finally {
        this.#connected = false;
      }
      const wait = this.#backoffMs[Math.min(failures, this.#backoffMs.length - 1)]!;
      if (!await pause(this.o.clock, wait, signal)) break;
    }
    await Promise.allSettled([...this.#inFlight]);
  }

  #dispatch(data: string, signal: AbortSignal): void {
    const receivedAt = this.o.clock.now();
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return this.o.logger.warn("command message is not JSON", { data: data.slice(0, 200) });
    }
    const parsed = this.#schemas.delivery.safeParse(json);
    if (parsed.success) {
      return this.#track(this.o.executor.handle(parsed.data, receivedAt, signal));
    }
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success) {
      return this.o.logger.warn("command message without a command id", {
        data: data.slice(0, 200),
      });
    }
    const { id, type } = envelope.data.command;
    const error = this.#schemas.byType.has(type)
      ? {
        code: "invalid_command",
        message: `This agent cannot read the command: ${
          parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`)
            .join("; ")
        }`,
      }
      : { code: "unsupported_command", message: `This agent does not run ${type} commands` };
    this.#track(this.o.executor.refuse(id, error, signal));
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error) => this.o.logger.error("command handling failed", { error }))
      .finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }
}
