import { z } from "zod";
import type { FileSystem } from "../../lib/fs.ts";
import {
  commandErrorSchema,
  commandIdSchema,
  type CommandResultBody,
} from "../../lib/schemas/commands.ts";

/** What the agent remembers of one command. */
export type LoggedCommand =
  | { id: string; state: "started"; at: number }
  | { id: string; state: "finished"; at: number; result: CommandResultBody; posted: boolean };

/**
 * The agent's memory of the commands it ran, so that a command the gateway
 * sends again (after a reconnect, or a restart of either side) never runs a
 * second time. Each change is durable before its promise resolves.
 */
export interface CommandLog {
  /** What the log holds for command `id`; null when it never started here. */
  get(id: string): Promise<LoggedCommand | null>;
  /** Command `id` is about to run. */
  started(id: string, at: number): Promise<void>;
  /** Command `id` came to `result`, not yet taken by the gateway. */
  finished(id: string, result: CommandResultBody, at: number): Promise<void>;
  /** The gateway took command `id`'s result (or refused it for good). */
  posted(id: string): Promise<void>;
  /** Results the gateway has yet to take, oldest first. */
  unposted(): Promise<{ id: string; result: CommandResultBody }[]>;
}

/** The command log cannot be read; running commands without it could run one twice. */
export class CommandLogError extends Error {
  override name = "CommandLogError";
}

const entrySchema = z.discriminatedUnion("state", [
  z.object({ id: commandIdSchema, state: z.literal("started"), at: z.number() }),
  z.object({
    id: commandIdSchema,
    state: z.literal("finished"),
    at: z.number(),
    // Kept as posted; the gateway validates it again when it is posted.
    result: z.union([
      z.object({ outcome: z.literal("failed"), error: commandErrorSchema }),
      z.object({
        outcome: z.literal("succeeded"),
        type: z.string(),
        result: z.record(z.string(), z.unknown()),
      }),
    ]),
    posted: z.boolean(),
  }),
]);
const fileSchema = z.object({ version: z.literal(1), commands: z.array(entrySchema) });

/** Limits of a {@linkcode FileCommandLog}. */
export interface FileCommandLogOptions {
  /** Entries kept at most; the oldest posted ones go first. @default 500 */
  maxEntries?: number;
}

/**
 * A {@linkcode CommandLog} in one JSON file (`$HALO_VAR/agent-commands.json`),
 * rewritten atomically with fsync on each change. Commands are few (a
 * snapshot now and then), so a small file beats a table: it is read once and
 * each write is one rename. A file that cannot be read stops commands from
 * running, naming the file, rather than risk running one twice.
 */
export class FileCommandLog implements CommandLog {
  /** Read once; every change edits the same map. */
  #entries: Promise<Map<string, LoggedCommand>> | null = null;
  /** Writes run one after another, so an older state never lands after a newer one. */
  #writes: Promise<void> = Promise.resolve();
  readonly #maxEntries: number;

  constructor(
    private readonly fs: FileSystem,
    readonly path: string,
    options: FileCommandLogOptions = {},
  ) {
    this.#maxEntries = options.maxEntries ?? 500;
  }

  async get(id: string): Promise<LoggedCommand | null> {
    return (await this.#load()).get(id) ?? null;
  }

  async started(id: string, at: number): Promise<void> {
    await this.#change((entries) => entries.set(id, { id, state: "started", at }));
  }

  async finished(id: string, result: CommandResultBody, at: number): Promise<void> {
    await this.#change((entries) =>
      entries.set(id, { id, state: "finished", at, result, posted: false })
    );
  }

  async posted(id: string): Promise<void> {
    await this.#change((entries) => {
      const entry = entries.get(id);
      if (entry?.state === "finished") entries.set(id, { ...entry, posted: true });
    });
  }

  async unposted(): Promise<{ id: string; result: CommandResultBody }[]> {
    return [...(await this.#load()).values()]
      .filter((e) => e.state === "finished" && !e.posted)
      .map((e) => ({ id: e.id, result: (e as { result: CommandResultBody }).result }));
  }

  async #change(edit: (entries: Map<string, LoggedCommand>) => void): Promise<void> {
    const entries = await this.#load();
    edit(entries);
    for (const [id, entry] of entries) {
      if (entries.size <= this.#maxEntries) break;
      if (entry.state === "finished" && entry.posted) entries.delete(id);
    }
    const text = JSON.stringify({ version: 1, commands: [...entries.values()] }) + "\n";
    const write = this.#writes.then(() =>
      this.fs.writeTextFileAtomic(this.path, text, { mode: 0o600 })
    );
    this.#writes = write.catch(() => {});
    await write;
  }

  #load(): Promise<Map<string, LoggedCommand>> {
    this.#entries ??= this.#read();
    return this.#entries;
  }

  async #read(): Promise<Map<string, LoggedCommand>> {
    let text: string;
    try {
      text = await this.fs.readTextFile(this.path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      return new Map();
    }
    let parsed;
    try {
      parsed = fileSchema.safeParse(JSON.parse(text));
    } catch (error) {
      throw new CommandLogError(`Cannot read ${this.path}: not JSON`, { cause: error });
    }
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new CommandLogError(
        `Cannot read ${this.path}: ${issue.path.join(".") || "the file"}: ${issue.message}`,
      );
    }
    const entries = parsed.data.commands as LoggedCommand[];
    return new Map(entries.map((e) => [e.id, e]));
  }
}
