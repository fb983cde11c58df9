/**
 * Runs the real `gateway/main.ts` as a child process, with the permissions of
 * the `gateway` task in deno.json, its data in temp directories and its port
 * chosen by the system.
 */

import { GatewayClient } from "../../lib/api_client.ts";
import { loginAsAdmin } from "../../lib/admin_login.ts";
import { denoTaskCommand } from "./deno_task.ts";

const ROOT = new URL("../../", import.meta.url);
const ENTRY = "gateway/main.ts";

/** Where a gateway keeps its files. */
export interface GatewayDirs {
  /** `HALO_VAR`: the database, initial-admin and the admin-password set by `loginAdmin`. */
  varDir: string;
  /** `HALO_ETC`: config.yaml. */
  etcDir: string;
}

/**
 * Environment for a gateway using `dirs`, isolated from the caller's HALO_*
 * variables, with the `gateway` task's own assignments.
 */
function gatewayEnv(dirs: GatewayDirs, taskEnv: Record<string, string>): Record<string, string> {
  return {
    ...taskEnv,
    HALO_VAR: dirs.varDir,
    HALO_ETC: dirs.etcDir,
    HALO_RUN: `${dirs.varDir}/run`,
    HALO_LOG: "info",
    NO_COLOR: "1",
  };
}

/** What a finished gateway command printed. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@linkcode runGatewayCommand}. */
export interface RunOptions {
  /** Sent on standard input, which is then closed. @default nothing */
  stdin?: string;
  /** More environment variables. */
  env?: Record<string, string>;
}

/** Runs `gateway/main.ts args…` to completion (`--help`, `restore`, failures…). */
export async function runGatewayCommand(
  args: string[],
  dirs: GatewayDirs,
  options: RunOptions = {},
): Promise<CommandResult> {
  const task = await denoTaskCommand("gateway", ENTRY);
  const child = new Deno.Command(Deno.execPath(), {
    args: [...task.args, ...args],
    cwd: ROOT,
    env: { ...gatewayEnv(dirs, task.env), ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** A gateway process serving on loopback. */
export interface GatewayProcess extends AsyncDisposable {
  /** e.g. `http://127.0.0.1:41234` */
  baseUrl: string;
  port: number;
  pid: number;
  /** Log lines so far, parsed. */
  logs: Record<string, unknown>[];
  /** Sends `signal` and waits for the process to end; the log is fully read when it resolves. */
  stop(signal: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** Longest wait for the "listening" line; a guard against hanging, not a timing assertion. */
const START_TIMEOUT_MS = 60_000;

/**
 * Starts the gateway on `127.0.0.1:0` and resolves once it logs `listening`.
 *
 * @throws {Error} with the process's log when it exits or does not listen in time.
 */
export async function startGatewayProcess(dirs: GatewayDirs): Promise<GatewayProcess> {
  const task = await denoTaskCommand("gateway", ENTRY);
  const child = new Deno.Command(Deno.execPath(), {
    args: [...task.args, "--listen", "127.0.0.1:0"],
    cwd: ROOT,
    env: gatewayEnv(dirs, task.env),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();

  const logs: Record<string, unknown>[] = [];
  const raw: string[] = [];
  let listening: (port: number) => void = () => {};
  const port = new Promise<number>((resolve) => listening = resolve);
  // Read the log to the end so the child never blocks on a full pipe.
  const pump = (async () => {
    let buffer = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        raw.push(line);
        try {
          const entry = JSON.parse(line);
          logs.push(entry);
          if (entry.msg === "listening") listening(entry.port);
        } catch {
          // Not JSON (a crash's stack trace): kept in `raw` for the error message.
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

  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    port.then((p) => ({ port: p })),
    child.status.then((s) => ({ exited: s })),
    new Promise<{ timeout: true }>((resolve) => {
      timer = setTimeout(() => resolve({ timeout: true }), START_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  if (!("port" in outcome)) {
    await stop("SIGKILL");
    throw new Error(
      `The gateway did not start (${JSON.stringify(outcome)}); its log:\n${raw.join("\n")}`,
    );
  }
  return {
    baseUrl: `http://127.0.0.1:${outcome.port}`,
    port: outcome.port,
    pid: child.pid,
    logs,
    stop,
    async [Symbol.asyncDispose]() {
      await stop("SIGKILL");
    },
  };
}

/**
 * A client logged in as the gateway's admin, and the admin's password. The
 * one-time password allows nothing but changing it, so the first call changes
 * it, as the demo does, and keeps the new one in `<varDir>/admin-password`.
 */
export async function loginAdmin(
  baseUrl: string,
  dirs: GatewayDirs,
): Promise<{ client: GatewayClient; password: string }> {
  const client = new GatewayClient({ baseUrl });
  const { password } = await loginAsAdmin(client, dirs.varDir);
  return { client, password };
}

/** Fresh HALO_VAR and HALO_ETC directories, removed on dispose. */
export async function tempDirs(): Promise<GatewayDirs & AsyncDisposable> {
  const root = await Deno.makeTempDir({ prefix: "halo-system-" });
  const dirs = { varDir: `${root}/var`, etcDir: `${root}/etc` };
  await Deno.mkdir(dirs.varDir);
  await Deno.mkdir(dirs.etcDir);
  return {
    ...dirs,
    async [Symbol.asyncDispose]() {
      await Deno.remove(root, { recursive: true });
    },
  };
}
