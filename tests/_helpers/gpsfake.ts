/**
 * A real gpsd fed from an NMEA log by Debian's `gpsfake` (packages `gpsd` and
 * `gpsd-clients`; `.ci/run` installs them). gpsfake creates a pseudo-terminal,
 * starts `gpsd -N -S <port>` on it and writes the log into it; it needs no
 * root.
 *
 * gpsfake runs in single-step mode (`-i`): it writes the next sentence only
 * when told to, so the test decides when the log starts (after its client
 * watches). gpsd flushes the device while it sets it up after opening it, so
 * the log is preceded by `$GPTXT` lead-in sentences, written one every
 * LEAD_IN_PACE_MS until gpsd reports that it recognised the receiver; then the
 * rest follows at once and none of the log is lost. Stopping kills gpsd
 * first, which makes gpsfake exit on its own (its SIGTERM handler leaves a
 * spinning feeder thread).
 *
 * @example
 * ```ts
 * await using gpsd = await startGpsfake(new URL("./drive.nmea", import.meta.url));
 * const client = new GpsdClient({ port: gpsd.port });
 * // … wait until the client watches, then:
 * await gpsd.feed();
 * ```
 */

const HOST = "127.0.0.1";
/** Lead-in sentences at most, and the wait for gpsd after each (a pace, not an assertion). */
const LEAD_IN = 100;
const LEAD_IN_PACE_MS = 200;
const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const decoder = new TextDecoder();

/** A running gpsfake with its gpsd; `await using` stops both and removes their files. */
export interface Gpsfake extends AsyncDisposable {
  readonly port: number;
  /**
   * Writes the lead-in until gpsd has recognised the fake receiver (a client
   * must watch, or gpsd never opens it), then every sentence of the log.
   */
  feed(): Promise<void>;
  /** What gpsfake printed so far, for assertion messages. */
  readonly output: string;
  /** Stops gpsd and gpsfake; idempotent. */
  stop(): Promise<void>;
}

/** Options for {@linkcode startGpsfake}. */
export interface StartGpsfakeOptions {
  /** The port gpsd listens on. @default a free one */
  port?: number;
  /** Longest wait for gpsd to listen or open the device; a guard, not a timing assertion. @default 20000 */
  timeoutMs?: number;
}

/** Thrown by {@linkcode startGpsfake} when gpsfake or gpsd is missing. */
export class GpsfakeUnavailableError extends Error {
  override name = "GpsfakeUnavailableError";
}

/** Whether gpsfake can run here: true, or why not. */
export async function gpsfakeAvailable(): Promise<true | string> {
  for (const [program, pkg] of [["gpsfake", "gpsd-clients"], ["gpsd", "gpsd"]] as const) {
    const found = await new Deno.Command("sh", {
      args: ["-c", `command -v ${program}`],
      env: { PATH },
      stdout: "null",
      stderr: "null",
    }).output();
    if (!found.success) return `${program} is not installed (apt-get install -y ${pkg})`;
  }
  return true;
}

let ignoring: Promise<boolean> | null = null;

/**
 * For `Deno.test({ ignore })`: true when gpsfake is unavailable and this is
 * not CI, after printing why. Under `CI=true` it is false, so the test runs
 * and fails with the reason — in CI a skipped test is a failure.
 */
export function ignoreWithoutGpsfake(): Promise<boolean> {
  ignoring ??= gpsfakeAvailable().then((available) => {
    if (available === true || Deno.env.get("CI") === "true") return false;
    console.warn(`%cignoring gpsd tests: ${available}`, "color: yellow");
    return true;
  });
  return ignoring;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: HOST, port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/**
 * Starts gpsfake with `log` and resolves once its gpsd accepts connections.
 *
 * @throws {GpsfakeUnavailableError} when gpsfake or gpsd is not installed
 * @throws {Error} with gpsfake's output when gpsd does not come up in time
 */
export async function startGpsfake(
  log: string | URL,
  options: StartGpsfakeOptions = {},
): Promise<Gpsfake> {
  const available = await gpsfakeAvailable();
  if (available !== true) throw new GpsfakeUnavailableError(`Cannot start gpsfake: ${available}`);
  const sentences = (await Deno.readTextFile(log)).split(/\r?\n/)
    .filter((line) => line.startsWith("$"));
  const timeoutMs = options.timeoutMs ?? 20_000;
  for (let attempt = 1;; attempt++) {
    const fake = await GpsfakeProcess.spawn(sentences, options.port ?? freePort());
    try {
      await fake.listening(timeoutMs);
      return fake;
    } catch (error) {
      await fake.stop();
      // Another process may have taken the free port first; a fixed port gets no second try.
      if (attempt >= 3 || options.port !== undefined) throw error;
    }
  }
}

/** gpsfake's prompts in single-step mode: `gpsfake: line 12: $GPGGA,…? `. */
const PROMPT = /gpsfake: line \d+: [^\n]*?\? /g;

/** A sentence gpsd recognises as NMEA and makes no fix of. */
function leadIn(n: number): string {
  const body = `GPTXT,01,01,02,HALO gpsfake lead-in ${n}`;
  let sum = 0;
  for (const char of body) sum ^= char.charCodeAt(0);
  return `$${body}*${sum.toString(16).toUpperCase().padStart(2, "0")}`;
}

/** One gpsfake process, its output, and the sentences it asks to write. */
class GpsfakeProcess implements Gpsfake {
  #output = "";
  #prompts = 0;
  #exited = false;
  #wake: (() => void) | null = null;
  #stopping: Promise<void> | null = null;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #pumps: Promise<unknown>;
  readonly #status: Promise<unknown>;

  private constructor(
    private readonly child: Deno.ChildProcess,
    private readonly dir: string,
    private readonly lines: string[],
    readonly port: number,
  ) {
    this.#stdin = child.stdin.getWriter();
    this.#pumps = Promise.all([this.#pump(child.stdout, true), this.#pump(child.stderr, false)]);
    this.#status = child.status.then(() => {
      this.#exited = true;
      this.#wake?.();
    });
  }

  /** Writes the lead-in and `sentences` to a log in a new directory and starts gpsfake on it. */
  static async spawn(sentences: string[], port: number): Promise<GpsfakeProcess> {
    // gpsd's control socket goes to $TMPDIR; gpsd drops to its own user, so the directory is 0755.
    const dir = await Deno.makeTempDir({ prefix: "halo-gpsfake-" });
    await Deno.chmod(dir, 0o755);
    const lines = [...Array.from({ length: LEAD_IN }, (_, i) => leadIn(i + 1)), ...sentences];
    await Deno.writeTextFile(`${dir}/log.nmea`, lines.map((line) => line + "\r\n").join(""));
    const child = new Deno.Command("gpsfake", {
      args: ["-1", "-i", "-q", "-c", "0", "-P", String(port), `${dir}/log.nmea`],
      clearEnv: true,
      env: { PATH, TMPDIR: dir, LANG: "C.UTF-8" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return new GpsfakeProcess(child, dir, lines, port);
  }

  get output(): string {
    return this.#output;
  }

  /** Resolves once gpsd greets a connection on the port. */
  async listening(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!await answersAsGpsd(this.port)) {
      if (this.#exited || Date.now() > deadline) {
        throw new Error(
          `gpsd did not listen on ${HOST}:${this.port}; gpsfake said: ${this.#output}`,
        );
      }
      await this.#nextEvent(50);
    }
  }

  async feed(): Promise<void> {
    const watcher = await watchReceiver(this.port);
    try {
      let fed = 0;
      while (!watcher.recognised()) {
        if (fed === LEAD_IN) {
          throw new Error(`gpsd did not recognise the receiver after ${LEAD_IN} sentences`);
        }
        await this.#answer(fed++);
        await watcher.wait(LEAD_IN_PACE_MS);
      }
      while (fed < this.lines.length) await this.#answer(fed++);
    } finally {
      await watcher.close();
    }
  }

  stop(): Promise<void> {
    return this.#stopping ??= this.#stop();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #stop(): Promise<void> {
    const gpsd = await gpsdChild(this.child.pid, this.port);
    if (gpsd !== null) killQuietly(gpsd, "SIGTERM");
    // gpsfake waits at a prompt: end of input makes it clean up and exit.
    await this.#stdin.close().catch(() => {});
    const guard = setTimeout(() => killQuietly(this.child.pid, "SIGKILL"), 5_000);
    await this.#status;
    clearTimeout(guard);
    if (gpsd !== null && await gpsdChild(this.child.pid, this.port, gpsd) !== null) {
      killQuietly(gpsd, "SIGKILL");
    }
    await this.#pumps;
    await Deno.remove(this.dir, { recursive: true });
  }

  /** Writes sentence `index` once gpsfake asks for it. */
  async #answer(index: number): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (this.#prompts <= index) {
      if (this.#exited || Date.now() > deadline) {
        throw new Error(`gpsfake stopped asking after ${index} sentences: ${this.#output}`);
      }
      await this.#nextEvent(1000);
    }
    await this.#stdin.write(new TextEncoder().encode("\n"));
  }

  async #pump(stream: ReadableStream<Uint8Array>, prompts: boolean): Promise<void> {
    for await (const chunk of stream) {
      this.#output += decoder.decode(chunk);
      if (prompts) this.#prompts = this.#output.match(PROMPT)?.length ?? 0;
      this.#wake?.();
    }
  }

  /** Resolves at gpsfake's next output or exit, or after `ms`. */
  #nextEvent(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
    });
  }
}

/** A watch on gpsd that notices when it reports the receiver's driver (it recognised the data). */
async function watchReceiver(port: number) {
  const conn = await Deno.connect({ hostname: HOST, port });
  await conn.write(new TextEncoder().encode('?WATCH={"enable":true,"json":true}\n'));
  let recognised = false;
  const waiter: { wake?: () => void } = {};
  const reading = (async () => {
    let pending = "";
    try {
      for await (const text of conn.readable.pipeThrough(new TextDecoderStream())) {
        const lines = (pending + text).split("\n");
        pending = lines.pop()!;
        if (lines.some((line) => /"class":"DEVICE".*"driver":"/.test(line))) {
          recognised = true;
          waiter.wake?.();
        }
      }
    } catch {
      // Closed by close().
    }
  })();
  return {
    recognised: () => recognised,
    /** Resolves once gpsd recognised the receiver, or after `ms`. */
    wait: (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        waiter.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
    close: async () => {
      closeQuietly(conn);
      await reading;
    },
  };
}

/** Whether a gpsd answers on `port` (it greets every connection with its VERSION). */
async function answersAsGpsd(port: number): Promise<boolean> {
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname: HOST, port });
  } catch {
    return false;
  }
  try {
    const greeting = await readLine(conn, 5_000);
    return greeting.includes('"class":"VERSION"');
  } finally {
    closeQuietly(conn);
  }
}

/** One line from `conn`, or "" when it closes or `ms` pass first. */
async function readLine(conn: Deno.Conn, ms: number): Promise<string> {
  const timer = setTimeout(() => closeQuietly(conn), ms);
  const byte = new Uint8Array(1);
  const bytes: number[] = [];
  try {
    while (true) {
      const n = await conn.read(byte);
      if (n === null) return "";
      if (byte[0] === 0x0a) return decoder.decode(new Uint8Array(bytes));
      bytes.push(byte[0]!);
    }
  } catch {
    return "";
  } finally {
    clearTimeout(timer);
  }
}

/** The gpsd that gpsfake `parent` started on `port` (or `pid`, if still alive), else null. */
async function gpsdChild(parent: number, port: number, pid?: number): Promise<number | null> {
  const candidates = pid !== undefined ? [pid] : await childrenOf(parent);
  for (const candidate of candidates) {
    const cmdline = await Deno.readTextFile(`/proc/${candidate}/cmdline`).catch(() => "");
    const stat = await Deno.readTextFile(`/proc/${candidate}/stat`).catch(() => "");
    const zombie = / Z /.test(stat.slice(stat.lastIndexOf(")")));
    const args = cmdline.split("\0");
    if (!zombie && args[0]?.endsWith("gpsd") && args.includes(String(port))) return candidate;
  }
  return null;
}

async function childrenOf(pid: number): Promise<number[]> {
  const text = await Deno.readTextFile(`/proc/${pid}/task/${pid}/children`).catch(() => "");
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Closed already (by the read timeout).
  }
}

function killQuietly(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(pid, signal);
  } catch {
    // Gone already.
  }
}
