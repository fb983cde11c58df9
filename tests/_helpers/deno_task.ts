/**
 * A deno.json task's command line, so tests start a program exactly as its
 * task does: `[NAME=value …] deno <args…> <entry>`.
 */

const ROOT = new URL("../../", import.meta.url);

/** What a task runs: its environment assignments and the `deno` arguments, entry last. */
export interface DenoTaskCommand {
  env: Record<string, string>;
  args: string[];
}

const ASSIGNMENT = /^([A-Z_][A-Z0-9_]*)=(.*)$/;

/**
 * Reads task `name` from deno.json.
 *
 * @throws {Error} when the task is not `[NAME=value …] deno … <entry>`.
 */
export async function denoTaskCommand(name: string, entry: string): Promise<DenoTaskCommand> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const task = config.tasks?.[name];
  const command: unknown = typeof task === "string" ? task : task?.command;
  if (typeof command !== "string") throw new Error(`deno.json has no task "${name}"`);
  const words = command.trim().split(/\s+/);
  const env: Record<string, string> = {};
  let match;
  while (words.length > 0 && (match = ASSIGNMENT.exec(words[0]!))) {
    env[match[1]!] = match[2]!;
    words.shift();
  }
  if (words[0] !== "deno" || words.at(-1) !== entry) {
    throw new Error(
      `Unexpected ${name} task in deno.json: ${command} (expected "[NAME=value …] deno … ${entry}")`,
    );
  }
  return { env, args: words.slice(1) };
}
