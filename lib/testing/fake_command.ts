import type { CommandResult, CommandRunner, RunOptions } from "../command.ts";

/** One recorded call to a {@linkcode FakeCommandRunner}. */
export interface RecordedCommand {
  program: string;
  args: string[];
  options: RunOptions;
}

/** Answers commands from a table; records every call. */
export class FakeCommandRunner implements CommandRunner {
  readonly calls: RecordedCommand[] = [];
  constructor(
    private readonly answer: (program: string, args: string[]) => CommandResult | Error,
  ) {}

  run(program: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
    this.calls.push({ program, args, options });
    const result = this.answer(program, args);
    return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
  }
}
