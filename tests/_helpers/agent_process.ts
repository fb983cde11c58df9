/**
 * Runs the real `agent/main.ts` as a child process with the permissions of
 * the `agent` task in deno.json and its own HALO_ETC, HALO_VAR and HALO_RUN.
 */
import { denoTaskCommand } from "./deno_task.ts";
import type { CommandResult } from "./gateway_process.ts";

const ROOT = new URL("../../", import.meta.url);
const ENTRY = "agent/main.ts";

/** Where an agent keeps its files. */
export interface AgentDirs {
  /** `HALO_ETC`: config.yaml and agent-env. */
  etcDir: string;
  /** `HALO_VAR`: its buffer. */
  varDir: string;
  /** `HALO_RUN`: agent.sock. */
  runDir: string;
}

/** Fresh agent directories, removed on dispose. */
export async function agentTempDirs(): Promise<AgentDirs & AsyncDisposable> {
  const root = await Deno.makeTempDir({ prefix: "halo-agent-" });
  const dirs = { etcDir: `${root}/etc`, varDir: `${root}/var`, runDir: `${root}/run` };
  await Deno.mkdir(dirs.etcDir);
  await Deno.mkdir(dirs.varDir);
  return {
    ...dirs,
    async [Symbol.asyncDispose]() {
      await Deno.remove(root, { recursive: true });
    },
  };
}

/**
 * The agent's environment: the task's assignments and `dirs`; an empty
 * HALO_GATEWAY_URL counts as unset, so the caller's own does not leak in.
 */
function agentEnv(dirs: AgentDirs, taskEnv: Record<string, string>, more: Record<string, string>) {
  return {
    ...taskEnv,
    HALO_ETC: dirs.etcDir,
    HALO_VAR: dirs.varDir,
    HALO_RUN: dirs.runDir,
    HALO_GATEWAY_URL: "",
    HALO_LOG: "debug",
    NO_COLOR: "1",
    ...more,
  };
}

async function command(dirs: AgentDirs, args: string[], env: Record<string, string>) {
  const task = await denoTaskCommand("agent", ENTRY);
  return new Deno.Command(Deno.execPath(), {
    args: [...task.args, ...args],
    cwd: ROOT,
    env: agentEnv(dirs, task.env, env),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/** Runs `agent/main.ts args…` to completion (`--once`, `--help`, failures…). */
export async function runAgentCommand(
  args: string[],
  dirs: AgentDirs,
  env: Record<string, string> = {},
): Promise<CommandResult & { logs: Record<string, unknown>[] }> {
  const output = await (await command(dirs, args, env)).output();
  const decoder = new TextDecoder();
  const stderr = decoder.decode(output.stderr);
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr,
    logs: jsonLines(stderr),
  };
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text.split("\n").flatMap((line) => {
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });
}

/** A running agent process. */
export interface AgentProcess extends AsyncDisposable {
  pid: number;
  /** Log lines so far, parsed. */
  logs: Record<string, unknown>[];
  /** Resolves with the first log line with `msg` (already logged or to come). */
  logged(msg: string): Promise<Record<string, unknown>>;
  /** Sends `signal` and waits for the process to end; the log is fully read when it resolves. */
  stop(signal: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** Longest wait for a log line; a guard against hanging, not a timing assertion. */
const LOG_TIMEOUT_MS = 60_000;

/** Starts the agent (no `--once`): it runs until stopped. */
export async function startAgentProcess(
  dirs: AgentDirs,
  env: Record<string, string> = {},
): Promise<AgentProcess> {
  const child = (await command(dirs, [], env)).spawn();
  void child.stdout.cancel();
  const logs: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const waiters: { msg: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  const pump = (async () => {
    let buffer = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        raw.push(line);
        for (const entry of jsonLines(line)) {
          logs.push(entry);
          for (const w of waiters.filter((w) => w.msg === entry.msg)) w.resolve(entry);
        }
      }
    }
  })();
  let status: Promise<Deno.CommandStatus> | null = null;
  const stop = async (signal: Deno.Signal) => {
    if (!status) {
      try {
        child.kill(signal);
      } catch {
        // Already exited.
      }
      status = child.status;
    }
    const result = await status;
    await pump;
    return result;
  };
  const logged = async (msg: string) => {
    const seen = logs.find((l) => l.msg === msg);
    if (seen) return seen;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const line = await Promise.race([
      new Promise<Record<string, unknown>>((resolve) => waiters.push({ msg, resolve })),
      child.status.then(() => null),
      new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), LOG_TIMEOUT_MS)),
    ]);
    clearTimeout(timer);
    if (line) return line;
    await pump;
    const late = logs.find((l) => l.msg === msg);
    if (late) return late;
    throw new Error(`The agent did not log "${msg}"; its log:\n${raw.join("\n")}`);
  };
  return {
    pid: child.pid,
    logs,
    logged,
    stop,
    async [Symbol.asyncDispose]() {
      await stop("SIGKILL");
    },
  };
}
