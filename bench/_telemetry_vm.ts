/**
 * VictoriaMetrics (Debian package `victoria-metrics`) as the peer in the
 * peak-ingest comparison: started on a free loopback port with its data in
 * a temp directory, both removed on dispose whatever happened.
 */
import { sleep } from "./_telemetry_gateway.ts";

/** A running VictoriaMetrics single-node server. */
export interface VictoriaMetrics extends AsyncDisposable {
  baseUrl: string;
  pid: number;
  /** Makes everything received so far searchable (`/internal/force_flush`). */
  flush(): Promise<void>;
  /** Series and samples stored between `from` and `to` (ms), counted by VictoriaMetrics. */
  count(from: number, to: number): Promise<{ series: number; samples: number }>;
}

const BINARY = "victoria-metrics";
/** Longest wait for `/health`; a guard against hanging. */
const START_TIMEOUT_MS = 30_000;

/** A loopback port nothing listens on right now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * Starts VictoriaMetrics and resolves once `/health` answers.
 *
 * @throws {Error} when the binary is missing (install it with
 *   `apt-get install victoria-metrics`) or the server does not come up.
 */
export async function startVictoriaMetrics(): Promise<VictoriaMetrics> {
  const dir = await Deno.makeTempDir({ prefix: "halo-bench-vm-" });
  const port = freePort();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(BINARY, {
      args: [
        `-storageDataPath=${dir}`,
        `-httpListenAddr=127.0.0.1:${port}`,
        "-retentionPeriod=1y",
        "-loggerLevel=ERROR",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot run ${BINARY}: install it with apt-get install victoria-metrics`);
    }
    throw error;
  }
  const stderr = new Response(child.stderr).text();
  let exited = false;
  const status = child.status.then((s) => (exited = true, s));
  const dispose = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => !exited && child.kill("SIGKILL"), 10_000);
      await status;
      clearTimeout(timer);
    }
    await stderr;
    await Deno.remove(dir, { recursive: true });
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (true) {
    try {
      const res = await fetch(`${baseUrl}/health`);
      await res.body?.cancel();
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (exited || Date.now() > deadline) {
      await dispose();
      throw new Error(`${BINARY} did not start; its log:\n${await stderr}`);
    }
    await sleep(100);
  }
  const query = async (q: string, time: number) => {
    const url = `${baseUrl}/api/v1/query?query=${encodeURIComponent(q)}&time=${time / 1000}`;
    const res = await fetch(url);
    const body = await res.json() as { data?: { result?: { value: [number, string] }[] } };
    return Number(body.data?.result?.[0]?.value[1] ?? 0);
  };
  return {
    baseUrl,
    pid: child.pid,
    async flush() {
      const res = await fetch(`${baseUrl}/internal/force_flush`);
      await res.body?.cancel();
      // Searchable parts appear shortly after the flush.
      await sleep(2000);
    },
    async count(from, to) {
      const span = `${Math.ceil((to - from) / 1000) + 1}s`;
      return {
        series: await query(`count(last_over_time({__name__=~".+"}[${span}]))`, to),
        samples: await query(`sum(count_over_time({__name__=~".+"}[${span}]))`, to),
      };
    },
    [Symbol.asyncDispose]: dispose,
  };
}
