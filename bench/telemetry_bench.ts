/**
 * Telemetry store benchmarks of issue 4, printed as figures next to their
 * targets (no pass/fail): everything in one run, so ratios compare like
 * with like.
 *
 * - (a) bytes written to storage per stored sample and (b) gateway CPU per
 *   sample: 50 nodes × 100 metrics every 10 s against the real gateway
 *   process, in real time, over whole compaction cycles (~30 min by default);
 * - (c) peak ingest of the gateway and of VictoriaMetrics under the same
 *   closed-loop load of 50 clients, in alternating rounds (~3 min);
 * - (d) query p50/p99 over a 10-million-sample store (in-process; ~2-4 min);
 * - (e) gateway resident memory with 200 nodes at the realistic rate (11-20 min).
 *
 * Run: `deno run -A bench/telemetry_bench.ts [--only a,b,c,d,e] [--minutes N]
 * [--e-minutes N] [--peak-seconds N] [--peak-rounds N] [--queries N]`. (a) and (b) come from
 * the same run, so `--only a` or `--only b` runs both. The machine's other
 * work shows in every figure: on a shared 2-core machine they are noisy.
 */
import { parseArgs } from "node:util";
import { runMemory } from "./_telemetry_memory.ts";
import { runPeakIngest } from "./_telemetry_peak.ts";
import { runQueryLatency } from "./_telemetry_query.ts";
import { type Figure, summaryTable } from "./_telemetry_report.ts";
import { runStorageCost } from "./_telemetry_storage.ts";

/** Command-line help. */
export const TELEMETRY_BENCH_HELP = `Usage: deno run -A bench/telemetry_bench.ts [options]

Options:
  --only LIST         parts to run, e.g. c,d (default: a,b,c,d,e; a and b run together)
  --minutes N         (a, b) minutes to measure, in whole 10-minute compaction cycles,
                      after the first compaction (default 20)
  --e-minutes N       (e) minimum minutes of load (default 11)
  --peak-seconds N    (c) measured seconds per server and round (default 10)
  --peak-rounds N     (c) rounds, each measuring both servers, alternating which first (default 5)
  --queries N         (d) queries of each kind (default 1000)
  -h, --help          this help`;

const PARTS = ["a", "b", "c", "d", "e"] as const;

/** Parsed options. */
export interface BenchOptions {
  parts: Set<string>;
  minutes: number;
  eMinutes: number;
  peakSeconds: number;
  peakRounds: number;
  queries: number;
}

/**
 * Parses the command line.
 *
 * @throws {TypeError} naming the bad option.
 */
export function parseBenchArgs(args: string[]): BenchOptions | "help" {
  const { values } = parseArgs({
    args,
    options: {
      only: { type: "string" },
      minutes: { type: "string" },
      "e-minutes": { type: "string" },
      "peak-seconds": { type: "string" },
      "peak-rounds": { type: "string" },
      queries: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return "help";
  const number = (name: string, text: string | undefined, fallback: number, min: number) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isFinite(n) || n < min) {
      throw new TypeError(`Invalid --${name} "${text}": expected a number ≥ ${min}`);
    }
    return n;
  };
  const parts = new Set(values.only ? values.only.split(",").map((p) => p.trim()) : PARTS);
  for (const p of parts) {
    if (!(PARTS as readonly string[]).includes(p)) {
      throw new TypeError(`Invalid --only "${values.only}": unknown part "${p}"; use a-e`);
    }
  }
  return {
    parts,
    minutes: number("minutes", values.minutes, 20, 1),
    eMinutes: number("e-minutes", values["e-minutes"], 11, 1),
    peakSeconds: number("peak-seconds", values["peak-seconds"], 10, 1),
    peakRounds: number("peak-rounds", values["peak-rounds"], 5, 1),
    queries: number("queries", values.queries, 1000, 1),
  };
}

/** The commit the gateway code comes from, `-dirty` when the work tree has changes. */
async function sourceVersion(): Promise<string> {
  try {
    const out = await new Deno.Command("git", {
      args: ["describe", "--always", "--dirty"],
      cwd: new URL("..", import.meta.url),
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : "unknown";
  } catch {
    return "unknown (no git)";
  }
}

async function main(args: string[]): Promise<number> {
  const options = parseBenchArgs(args);
  if (options === "help") return (console.log(TELEMETRY_BENCH_HELP), 0);
  const started = new Date();
  console.log(
    `telemetry benchmarks, ${started.toISOString()}, source ${await sourceVersion()}, Deno ${Deno.version.deno}, ` +
      `${navigator.hardwareConcurrency} CPUs; parts ${[...options.parts].sort().join(",")}`,
  );
  const figures: Figure[] = [];
  const failures: string[] = [];
  const part = async (name: string, run: () => Promise<Figure[]>) => {
    // Others may change the gateway while a long run goes on: say what each part measured.
    const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
    console.log(
      `(${name}) source ${await sourceVersion()}; gateway task: ${config.tasks.gateway.command}`,
    );
    try {
      figures.push(...await run());
    } catch (error) {
      failures.push(`(${name}) ${(error as Error).stack ?? error}`);
      console.error(`(${name}) failed: ${(error as Error).stack ?? error}`);
    }
  };
  const { parts } = options;
  if (parts.has("c")) {
    await part(
      "c",
      () => runPeakIngest({ seconds: options.peakSeconds, rounds: options.peakRounds }),
    );
  }
  if (parts.has("d")) await part("d", () => runQueryLatency({ queries: options.queries }));
  if (parts.has("a") || parts.has("b")) {
    await part("a,b", () => runStorageCost({ minutes: options.minutes }));
  }
  if (parts.has("e")) await part("e", () => runMemory({ minutes: options.eMinutes }));

  console.log(
    `\nsummary (${started.toISOString()} – ${new Date().toISOString()}; ` +
      `a shared 2-core machine: figures are noisy)`,
  );
  console.log(summaryTable(figures.sort((x, y) => x.part.localeCompare(y.part))));
  if (failures.length > 0) console.log(`\n${failures.length} part(s) failed; see above`);
  return failures.length > 0 ? 1 : 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`telemetry_bench: error: ${(error as Error).message}`);
    Deno.exit(2);
  }
}
