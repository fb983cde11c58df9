/**
 * A real OpenSSH server for tests of SSH commands: `/usr/sbin/sshd` on a free
 * loopback port, with its config, a generated ed25519 host key, a generated
 * client key and the authorized keys in a temporary directory.
 *
 * The login user is the user running the tests: sshd started by an ordinary
 * user can only log that user in, and as root it logs in root with the key
 * (`PermitRootLogin prohibit-password`). That needs no account to be created,
 * so nothing outside the temporary directory changes except `/run/sshd`,
 * which sshd insists on as root.
 *
 * @example
 * ```ts
 * await using sshd = await startSshd();
 * const { code, stdout } = await sshd.run("echo hello");
 * ```
 */

const SSHD = "/usr/sbin/sshd";
/** sshd's privilege separation directory; it refuses to start as root without it. */
const PRIVSEP_DIR = "/run/sshd";
const HOST = "127.0.0.1";

/** What a command run over SSH printed, and how it ended. */
export interface SshResult {
  /** The remote command's exit code; 255 when ssh itself failed (connection, host key, login). */
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@linkcode Sshd.run}. */
export interface SshRunOptions {
  /** known_hosts to check the host key against. @default the sshd's own `knownHostsPath` */
  knownHostsPath?: string;
  /** A guard against hanging, not a timing assertion. @default 30_000 */
  timeoutMs?: number;
}

/** A running sshd; `await using` stops it and removes its directory. */
export interface Sshd extends AsyncDisposable {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** The login user: the user running the tests (`root` in CI). */
  readonly user: string;
  /** A private key the server accepts for `user` (no passphrase). */
  readonly clientKeyPath: string;
  /** A known_hosts file with one line, `[127.0.0.1]:port ssh-ed25519 …`. */
  readonly knownHostsPath: string;
  /** The host key as it appears in known_hosts: `ssh-ed25519 AAAA…`. */
  readonly hostPublicKey: string;
  /** What sshd has logged so far (`-e`), for assertion messages. */
  readonly log: string;
  /** Lets `publicKey` (an authorized_keys line) log in as `user` too. */
  authorize(publicKey: string): Promise<void>;
  /**
   * Runs `command` with the real `ssh` client in batch mode, checking the host
   * key strictly.
   *
   * @throws {Error} when ssh does not finish within `timeoutMs`.
   */
  run(command: string, options?: SshRunOptions): Promise<SshResult>;
  /** Stops sshd and removes its files; idempotent. */
  close(): Promise<void>;
}

/** Thrown by {@linkcode startSshd} when this machine cannot run sshd; tests outside CI catch it to skip. */
export class SshdUnavailableError extends Error {
  constructor(reason: string) {
    super(`Cannot start sshd: ${reason}`);
    this.name = "SshdUnavailableError";
  }
}

/** Options for {@linkcode startSshd}. */
export interface StartSshdOptions {
  /** Longest wait for sshd to accept a login; a guard, not a timing assertion. @default 20_000 */
  timeoutMs?: number;
}

const decoder = new TextDecoder();

/** Runs a program to completion; null when it is not installed. */
async function probe(program: string, args: string[]): Promise<SshResult | null> {
  try {
    const output = await new Deno.Command(program, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** Like {@linkcode probe}, but a missing program or a non-zero exit is an error. */
async function must(program: string, args: string[]): Promise<string> {
  const result = await probe(program, args);
  if (!result) throw new Error(`Cannot run ${program}: not installed`);
  if (result.code !== 0) {
    throw new Error(
      `${program} ${args.join(" ")} failed with exit code ${result.code}: ${result.stderr}`,
    );
  }
  return result.stdout;
}

/**
 * Whether {@linkcode startSshd} can work here: `true`, or why not.
 *
 * @example
 * ```ts
 * const available = await sshdAvailable();
 * if (available !== true) console.warn(`skipping: ${available}`);
 * ```
 */
export async function sshdAvailable(): Promise<true | string> {
  if (Deno.build.os === "windows") return "sshd tests need a Unix machine";
  try {
    await Deno.stat(SSHD);
  } catch {
    return `${SSHD} is missing (apt-get install openssh-server)`;
  }
  for (const program of ["ssh", "ssh-keygen"]) {
    if (!await probe(program, ["-V"])) {
      return `${program} is not on PATH (apt-get install openssh-client)`;
    }
  }
  if (Deno.uid() === 0) {
    // With UsePAM no, sshd refuses a locked account ("!" in /etc/shadow),
    // even for key logins. Debian's container images leave root as "*", which is fine.
    const shadow = await Deno.readTextFile("/etc/shadow").catch(() => "");
    const root = shadow.split("\n").find((line) => line.startsWith("root:"));
    if (root?.split(":")[1]?.startsWith("!")) {
      return "the root account is locked ('!' in /etc/shadow), so sshd refuses key logins " +
        "as root; unlock it without a password with `usermod -p '*' root`";
    }
  }
  return true;
}

/** One answer per test module, so the reason is printed once. */
let ignoring: Promise<boolean> | null = null;

/**
 * For `Deno.test({ ignore })`: true when sshd is unavailable and this is not
 * CI, after printing why. Under `CI=true` it is false, so the test runs and
 * fails with the reason — in CI a skipped test is a failure.
 */
export function ignoreWithoutSshd(): Promise<boolean> {
  ignoring ??= sshdAvailable().then((available) => {
    if (available === true || Deno.env.get("CI") === "true") return false;
    console.warn(`%cignoring sshd tests: ${available}`, "color: yellow");
    return true;
  });
  return ignoring;
}

/** A port that was free a moment ago; sshd binding it may still race, so callers retry. */
function freePort(): number {
  const listener = Deno.listen({ hostname: HOST, port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** Major and minor version of the installed sshd, e.g. [9, 2]. */
async function sshdVersion(): Promise<[number, number]> {
  const result = await probe(SSHD, ["-V"]);
  const match = /OpenSSH_(\d+)\.(\d+)/.exec(`${result?.stderr}${result?.stdout}`);
  return match ? [Number(match[1]), Number(match[2])] : [0, 0];
}

function sshdConfig(dir: string, port: number, version: [number, number]): string {
  const lines = [
    `Port ${port}`,
    `ListenAddress ${HOST}`,
    `HostKey ${dir}/host_ed25519`,
    `PidFile ${dir}/sshd.pid`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    // PAM's session modules (loginuid, motd, limits) fail in containers; keys need no PAM.
    "UsePAM no",
    // The temporary directory and its parents are not root-owned 0755 all the way.
    "StrictModes no",
    "PermitRootLogin prohibit-password",
    "UseDNS no",
    "PrintMotd no",
    "PrintLastLog no",
    "X11Forwarding no",
    // for_each_node tests open many connections at once; the default 10 drops some.
    "MaxStartups 100",
  ];
  const [major, minor] = version;
  if (major > 9 || (major === 9 && minor >= 8)) {
    // OpenSSH 9.8 penalises addresses whose connections fail or never log in;
    // a host-key test would then lock 127.0.0.1 out of the next test.
    lines.push("PerSourcePenalties no");
  }
  return lines.join("\n") + "\n";
}

/** The `ssh` arguments for one command; every option that matters is explicit. */
function sshArgs(
  port: number,
  user: string,
  clientKeyPath: string,
  knownHostsPath: string,
  command: string,
): string[] {
  return [
    // Ignore ~/.ssh/config and /etc/ssh/ssh_config, so the machine's settings do not leak in.
    "-F",
    "/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    `UserKnownHostsFile=${knownHostsPath}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "IdentityAgent=none",
    "-o",
    "PreferredAuthentications=publickey",
    "-o",
    "ConnectTimeout=10",
    "-o",
    "LogLevel=ERROR",
    "-i",
    clientKeyPath,
    "-p",
    String(port),
    "-T",
    `${user}@${HOST}`,
    "--",
    command,
  ];
}

async function runSsh(args: string[], timeoutMs: number): Promise<SshResult> {
  const child = new Deno.Command("ssh", {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const output = await child.output();
  clearTimeout(timer);
  const result = {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
  if (timedOut) {
    throw new Error(
      `ssh ${args.at(-1)} did not finish within ${timeoutMs} ms; stdout: ${
        JSON.stringify(result.stdout)
      }, stderr: ${JSON.stringify(result.stderr)}`,
    );
  }
  return result;
}

/** One sshd process and the reader of its log. */
interface SshdProcess {
  child: Deno.ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

function spawnSshd(configPath: string): SshdProcess {
  const child = new Deno.Command(SSHD, {
    // -D: stay in the foreground; -e: log to stderr, which we keep.
    args: ["-D", "-e", "-f", configPath],
    clearEnv: true,
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  const pump = (async () => {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      text += value;
    }
  })();
  let stopped: Promise<void> | null = null;
  return {
    child,
    log: () => text,
    stop() {
      stopped ??= (async () => {
        try {
          child.kill("SIGTERM");
        } catch {
          // Already exited.
        }
        const timer = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch {
            // Exited meanwhile.
          }
        }, 5_000);
        await child.status;
        clearTimeout(timer);
        // Per-connection sshd processes call setsid and inherit the log pipe,
        // so a session that outlives the listener would keep it open: read
        // what is left for a moment, then stop reading.
        let grace: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([pump, new Promise((resolve) => grace = setTimeout(resolve, 1_000))]);
        clearTimeout(grace);
        await reader.cancel();
        await pump;
      })();
      return stopped;
    },
  };
}

/**
 * Starts sshd on a free port of 127.0.0.1 and resolves once `ssh … true`
 * logs in.
 *
 * @throws {SshdUnavailableError} when sshd or ssh is not installed (see {@linkcode sshdAvailable}).
 * @throws {Error} with sshd's log when it does not start or accept the key in time.
 */
export async function startSshd(options: StartSshdOptions = {}): Promise<Sshd> {
  const { timeoutMs = 20_000 } = options;
  const available = await sshdAvailable();
  if (available !== true) {
    const ci = Deno.env.get("CI") === "true" ? " (CI=true: a skipped SSH test would fail CI)" : "";
    throw new SshdUnavailableError(available + ci);
  }
  if (Deno.uid() === 0) await Deno.mkdir(PRIVSEP_DIR, { recursive: true, mode: 0o755 });

  const dir = await Deno.makeTempDir({ prefix: "halo-sshd-" });
  try {
    const user = (await must("id", ["-un"])).trim();
    const hostKey = `${dir}/host_ed25519`;
    const clientKeyPath = `${dir}/client_ed25519`;
    const keygen = (path: string, comment: string) =>
      must("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path]);
    await Promise.all([keygen(hostKey, "halo-test-host"), keygen(clientKeyPath, "halo-test")]);
    await Deno.copyFile(`${clientKeyPath}.pub`, `${dir}/authorized_keys`);
    const hostPublicKey = (await Deno.readTextFile(`${hostKey}.pub`)).split(" ").slice(0, 2)
      .join(" ");
    const knownHostsPath = `${dir}/known_hosts`;
    const configPath = `${dir}/sshd_config`;
    const version = await sshdVersion();

    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1;; attempt++) {
      const port = freePort();
      await Deno.writeTextFile(configPath, sshdConfig(dir, port, version));
      await Deno.writeTextFile(knownHostsPath, `[${HOST}]:${port} ${hostPublicKey}\n`);
      const sshd = spawnSshd(configPath);
      const outcome = await waitUntilReady(
        sshd,
        (command) => runSsh(sshArgs(port, user, clientKeyPath, knownHostsPath, command), 10_000),
        deadline,
      ).catch((error: Error) => `ssh failed: ${error.message}`);
      if (outcome === "ready") {
        return handle({ port, user, clientKeyPath, knownHostsPath, hostPublicKey, dir, sshd });
      }
      await sshd.stop();
      // Another process took the port between freePort() and sshd's bind.
      if (outcome === "exited" && /Address already in use/.test(sshd.log()) && attempt < 5) {
        continue;
      }
      throw new Error(
        `sshd on ${HOST}:${port} did not accept a login (${outcome}); its log:\n${sshd.log()}`,
      );
    }
  } catch (error) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
}

/**
 * Logs in with `ssh … true` until it works, retrying only while the port
 * refuses connections (sshd not listening yet). Resolves with "ready",
 * "exited", "timeout" or why ssh failed.
 */
async function waitUntilReady(
  sshd: SshdProcess,
  ssh: (command: string) => Promise<SshResult>,
  deadline: number,
): Promise<string> {
  let exited = false;
  sshd.child.status.then(() => exited = true);
  let pause = 10;
  while (Date.now() < deadline) {
    if (exited) return "exited";
    const result = await ssh("true");
    if (result.code === 0) return "ready";
    if (exited) return "exited";
    if (!/Connection refused/.test(result.stderr)) {
      return `ssh exited with ${result.code}: ${result.stderr.trim()}`;
    }
    // Bounded back-off between connection attempts, not a guess at start-up time.
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 200);
  }
  return "timeout";
}

function handle(parts: {
  port: number;
  user: string;
  clientKeyPath: string;
  knownHostsPath: string;
  hostPublicKey: string;
  dir: string;
  sshd: SshdProcess;
}): Sshd {
  const { port, user, clientKeyPath, knownHostsPath, hostPublicKey, dir, sshd } = parts;
  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= (async () => {
      await sshd.stop();
      await Deno.remove(dir, { recursive: true });
    })();
    return closed;
  };
  return {
    host: HOST,
    port,
    user,
    clientKeyPath,
    knownHostsPath,
    hostPublicKey,
    get log() {
      return sshd.log();
    },
    authorize(publicKey) {
      return Deno.writeTextFile(`${dir}/authorized_keys`, `${publicKey.trim()}\n`, {
        append: true,
      });
    },
    run(command, options = {}) {
      const { knownHostsPath: knownHosts = knownHostsPath, timeoutMs = 30_000 } = options;
      return runSsh(sshArgs(port, user, clientKeyPath, knownHosts, command), timeoutMs);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
