/**
 * (e) gateway resident memory with 200 nodes at the realistic rate (100
 * metrics every 10 s each, plus their status reports), in real time,
 * through a compaction of a full window: the head (samples since the last
 * compaction) is largest just before it, and compaction briefly holds the
 * drained head and its chunks at once.
 */
import { realisticRate, startAgents } from "./_telemetry_agents.ts";
import { sleep, startBenchGateway, waitForCompaction } from "./_telemetry_gateway.ts";
import { runtimeFloor } from "./_telemetry_floor.ts";
import { memoryMiB } from "./_telemetry_proc.ts";
import { detail, type Figure, fmt } from "./_telemetry_report.ts";

const NODES = 200;
/**
 * A compaction this long after the load began compacts a head holding at
 * least 90 % of a full window (the load starts just after a compaction when
 * (e) follows (a), so insisting on 10 full minutes would double the run).
 */
const NEAR_FULL_WINDOW_MS = 540_000;

/** Options for {@linkcode runMemory}. */
export interface MemoryOptions {
  /** Minimum minutes of load. */
  minutes: number;
}

/** Runs (e); returns its figures. */
export async function runMemory(options: MemoryOptions): Promise<Figure[]> {
  const part = "e";
  const floor = await runtimeFloor();
  const resident = (r: { rss: number; anon: number; file: number }) =>
    `${fmt(r.rss, 1)} MiB (${fmt(r.anon, 1)} anonymous, ${fmt(r.file, 1)} mapped files)`;
  detail(
    part,
    `for scale, \`deno run\` with the gateway task's flags, nothing started: the runtime alone ` +
      `${resident(floor.runtime)}; with the gateway's modules imported ${resident(floor.code)}`,
  );
  await using gw = await startBenchGateway(NODES);
  const afterEnroll = memoryMiB(gw.pid);
  detail(
    part,
    `gateway pid ${gw.pid}, ${NODES} nodes enrolled: RSS ${fmt(afterEnroll.rss, 1)} MiB ` +
      `(${fmt(afterEnroll.anon, 1)} anonymous, ${fmt(afterEnroll.file, 1)} mapped files), ` +
      `VmHWM ${fmt(afterEnroll.hwm, 1)} MiB before any telemetry (start-up, the first admin's ` +
      `scrypt hash and the bench's login, 32 MiB each); ` +
      `${NODES} agents × 100 metrics every 10 s (${realisticRate(NODES)} samples/s) + reports; ` +
      `running ≥ ${options.minutes} min and through a compaction ≥ 9 min after the load began`,
  );
  // VmHWM from here on: the peak with 200 nodes reporting, not start-up's (the first
  // admin's scrypt hash and the bench's login take 32 MiB each for a moment).
  Deno.writeTextFileSync(`/proc/${gw.pid}/clear_refs`, "5");
  const maxMinutes = Math.max(options.minutes, 21) + 2;
  const agents = startAgents(gw.baseUrl, gw.agents, { reports: true, maxMinutes });
  const bound = new AbortController();
  const boundTimer = setTimeout(() => bound.abort(), maxMinutes * 60_000);
  const began = Date.now();
  let lastRss = 0;
  /** The sample with the largest RSS, for its anonymous / mapped-file split. */
  let largest = { rss: 0, hwm: 0, anon: 0, file: 0 };
  let maxHead = 0;
  const sampler = (async () => {
    while (!bound.signal.aborted) {
      const now = memoryMiB(gw.pid);
      lastRss = now.rss;
      if (now.rss > largest.rss) largest = now;
      await sleep(2000, bound.signal);
    }
  })();
  let compactions = 0;
  try {
    let fullWindowCompacted = false;
    while (!fullWindowCompacted && !bound.signal.aborted) {
      const seen = await waitForCompaction(gw, bound.signal);
      if (seen === null) throw new Error("No compaction seen within two window cycles");
      compactions++;
      maxHead = Math.max(maxHead, seen.headBefore);
      fullWindowCompacted = seen.at - began >= NEAR_FULL_WINDOW_MS;
      detail(
        part,
        `compaction ${compactions} seen ${fmt((seen.at - began) / 60_000, 1)} min into the load ` +
          `(head of ${fmt(seen.headBefore)} samples); ` +
          `RSS ${fmt(lastRss, 1)} MiB, max so far ${fmt(largest.rss, 1)} MiB`,
      );
    }
    // One more minute after it, and at least the asked-for length.
    await sleep(Math.max(60_000, began + options.minutes * 60_000 - Date.now()), bound.signal);
    const mem = memoryMiB(gw.pid);
    const c = agents.counters;
    detail(
      part,
      `${fmt((Date.now() - began) / 60_000, 1)} min, ${compactions} compaction(s), ` +
        `${fmt(c.samplesAcked)} samples and ${fmt(c.reportsSent)} reports acknowledged ` +
        `(${c.failedSends} failed sends, ${c.failedReports} failed reports, slowest ack ${
          fmt(c.maxAckMs)
        } ms); largest head compacted ${fmt(maxHead)} samples`,
    );
    const mb = (mib: number) => (mib * 1024 * 1024) / 1e6;
    detail(
      part,
      `VmHWM since the load began ${fmt(mem.hwm, 1)} MiB (${fmt(mb(mem.hwm), 1)} MB), final VmRSS ${
        fmt(mem.rss, 1)
      } MiB (${fmt(mb(mem.rss), 1)} MB: ${fmt(mem.anon, 1)} MiB anonymous, ${
        fmt(mem.file, 1)
      } MiB mapped files), largest VmRSS sampled every 2 s under load ${fmt(largest.rss, 1)} MiB (${
        fmt(mb(largest.rss), 1)
      } MB: ${fmt(largest.anon, 1)} MiB anonymous, ${fmt(largest.file, 1)} MiB mapped files)`,
    );
    return [
      {
        part: "e",
        name: `gateway peak RSS (VmHWM since the load began), ${NODES} nodes, ` +
          `through ${compactions} compaction(s)`,
        value: `${fmt(mb(mem.hwm), 1)} MB (final ${fmt(mb(mem.rss), 1)} MB)`,
        target: "< 120 MB",
      },
      {
        part: "e",
        name: "largest VmRSS under load (sampled every 2 s)",
        value: `${fmt(mb(largest.rss), 1)} MB`,
        target: "< 120 MB",
      },
    ];
  } finally {
    bound.abort();
    clearTimeout(boundTimer);
    await sampler;
    await agents.stop();
    await gw.stop();
  }
}
