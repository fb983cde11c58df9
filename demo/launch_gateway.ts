/**
 * Runs the real gateway (`gateway/main.ts`) as a child process for the demo,
 * as `deno task gateway` would, with its state in the demo's data directory.
 */

/**
 * The gateway's environment beyond its HALO_* paths: the `gateway` task's
 * assignments in deno.json (a test checks). `deno run` otherwise checks for a
 * newer Deno in the background, a DNS query to the outside world from every
 * test, demo and benchmark that starts a gateway; the compiled gateway-api has
 * no such check.
 */
export const GATEWAY_ENV = { DENO_NO_UPDATE_CHECK: "1" } as const;

/** The gateway's permissions and runtime flags: those of the `gateway` task in deno.json (a test checks). */
export const GATEWAY_PERMISSIONS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run=timedatectl,ssh,ssh-keygen",
  // Free space of the data disk (statfs), for the store's low-disk guard.
  "--allow-sys=statfs",
  // glibc's malloc_trim, so freed C heap goes back to the kernel (gateway/system/memory_release.ts).
  "--allow-ffi",
  // A young generation of at most 4 MB a semi-space: a quarter of the scavenges and 6 % less
  // CPU per sample than at 1 MB at bench (b)'s load; at 1 MB V8 also kept ~13 MB of freed
  // pages pooled, yet bench (e)'s peak is the same within its spread from run to run.
  // gc() for gateway/system/memory_release.ts. No V8 helper threads: at the gateway's heap
  // size handing GC and compilation to them cost more CPU than it saved (14 % per sample at
  // bench (b)'s load, the same peak ingest).
  "--v8-flags=--max-semi-space-size=4,--expose-gc,--single-threaded",
  // Functions compile when first called instead of all coming back from Deno's code cache:
  // 4 MiB less resident memory for 35 ms more start-up.
  "--no-code-cache",
] as const;

/** Options for {@linkcode launchGateway}. */
export interface LaunchOptions {
  /** `HOST:PORT` on loopback; port 0 lets the gateway pick a free one. */
  listen: string;
  /** `HALO_VAR` for the gateway: database and `initial-admin`. */
  dataDir: string;
  /** The repository root (holds deno.json and gateway/main.ts). */
  repoRoot: string;
  /** The gateway's log lines are appended here. */
  logFile: string;
  /** Give up when the gateway is not serving by then. @default 60000 */
  startTimeoutMs?: number;
}

/** A gateway running as a child process. */
export interface GatewayProcess {
  /** Base URL, e.g. `http://127.0.0.1:8080`, with the port it really listens on. */
  url: string;
  port: number;
  pid: number;
  /** Resolves once the gateway has exited, for whatever reason. */
  exited: Promise<Deno.CommandStatus>;
  /** Sends SIGTERM and waits; SIGKILL if it has not exited after `timeoutMs` (default 10000). */
  stop(timeoutMs?: number): Promise<Deno.CommandStatus>;
}

/**
 * The Deno executable to start the gateway with. `Deno.execPath()` when this
 * process may run it; else `deno` from PATH, which is what `--allow-run=deno`
 * grants (npm installs make that a symlink, so the two paths differ).
 */
export function denoExecutable(): string {
  const exec = Deno.execPath();
  const state = Deno.permissions.querySync({ name: "run", command: exec }).state;
  return state === "granted" ? exec : "deno";
}

/** The URL host for a listen host: IPv6 in brackets. */
function urlHost(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

/** Splits a byte stream's text into lines. */
function lines(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) controller.enqueue(line);
    },
    flush(controller) {
      if (rest !== "") controller.enqueue(rest);
    },
  });
}

/**
 * Starts the gateway and resolves once it answers `/health`.
 *
 * @throws {Error} when it exits or stays silent before serving, with its last log lines.
 */
export async function launchGateway(options: LaunchOptions): Promise<GatewayProcess> {
  const { repoRoot, dataDir } = options;
  const at = options.listen.lastIndexOf(":");
  const host = options.listen.slice(0, at).replace(/^\[|\]$/g, "");
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o750 });
  // 0600: the gateway logs the one-time admin password on first start.
  const log = await Deno.open(options.logFile, { create: true, append: true, mode: 0o600 });

  const child = new Deno.Command(denoExecutable(), {
    args: [
      "run",
      `--config=${repoRoot}/deno.json`,
      ...GATEWAY_PERMISSIONS,
      `${repoRoot}/gateway/main.ts`,
      "--listen",
      options.listen,
    ],
    cwd: repoRoot,
    env: {
      ...GATEWAY_ENV,
      HALO_VAR: dataDir,
      HALO_ETC: `${dataDir}/etc`,
      HALO_RUN: `${dataDir}/run`,
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    // Its own process group: Ctrl-C reaches only the demo, which stops the
    // simulated nodes first and then the gateway, in that order.
    detached: true,
  }).spawn();

  const recent: string[] = [];
  let onListening: (port: number) => void = () => {};
  const listening = new Promise<number>((resolve) => (onListening = resolve));
  const encoder = new TextEncoder();
  const logWriter = log.writable.getWriter();
  const pump = (async () => {
    for await (
      const line of child.stderr.pipeThrough(new TextDecoderStream()).pipeThrough(lines())
    ) {
      await logWriter.write(encoder.encode(line + "\n"));
      recent.push(line);
      if (recent.length > 12) recent.shift();
      try {
        const entry = JSON.parse(line);
        if (entry?.msg === "listening" && typeof entry.port === "number") onListening(entry.port);
      } catch {
        // Not every line is JSON (Deno's own warnings); they go to the log all the same.
      }
    }
  })().catch(() => {}).finally(() => logWriter.close().catch(() => {}));
  const exited = child.status;

  const stop = async (timeoutMs = 10_000): Promise<Deno.CommandStatus> => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // Exited just now.
        }
        resolve();
      }, timeoutMs);
    });
    const status = await Promise.race([exited, killed.then(() => exited)]);
    clearTimeout(timer);
    await pump;
    return status;
  };

  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const failure = (why: string) => {
    const taken = recent.some((l) => l.includes("AddrInUse"))
      ? `\nPort taken: is another demo or gateway running? --listen ${host}:0 picks a free port.`
      : "";
    return new Error(
      `The gateway ${why}. Its last log lines (all in ${options.logFile}):\n  ${
        recent.join("\n  ")
      }${taken}`,
    );
  };
  const died = exited.then(async (status): Promise<never> => {
    await pump;
    throw failure(`exited with code ${status.code} before it was listening`);
  });
  died.catch(() => {}); // Only an answer while starting; a later exit is the caller's business.
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const port = await Promise.race([
      listening,
      died,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(failure(`was not listening after ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
      }),
    ]);
    const url = `http://${urlHost(host)}:${port}`;
    await waitForHealth(url, { timeoutMs, exited });
    return { url, port, pid: child.pid, exited, stop };
  } catch (error) {
    await stop(2000);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `GET /health` until it answers 200.
 *
 * @throws {Error} when it does not within `timeoutMs`, or the process exits.
 */
export async function waitForHealth(
  url: string,
  options: { timeoutMs: number; exited?: Promise<unknown> },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let gone = false;
  options.exited?.then(() => (gone = true));
  let last = "no answer";
  while (Date.now() < deadline && !gone) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.ok) return;
      last = `status ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`The gateway at ${url} is not healthy: ${gone ? "it exited" : last}`);
}
