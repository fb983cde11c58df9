/** Result of a finished process. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@linkcode CommandRunner.run}. */
export interface RunOptions {
  /** Kill the process after this many milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Text written to the process's standard input. */
  stdin?: string;
  signal?: AbortSignal;
}

/** Runs external programs; injected so logic is testable without them. */
export interface CommandRunner {
  /** Runs `program` with `args`; rejects with `Deno.errors.NotFound` when it is not installed. */
  run(program: string, args: string[], options?: RunOptions): Promise<CommandResult>;
}

/** Runs real processes with `Deno.Command`. */
export const denoCommandRunner: CommandRunner = {
  async run(program, args, options = {}) {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const child = new Deno.Command(program, {
      args,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
      signal,
    }).spawn();
    if (options.stdin !== undefined) {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(options.stdin));
      await writer.close();
    }
    const out = await child.output();
    const decoder = new TextDecoder();
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  },
};
