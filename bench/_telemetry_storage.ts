/**
 * (a) bytes written to storage per stored sample and (b) CPU time per
 * sample, end to end, for 50 nodes × 100 metrics every 10 s against the
 * real gateway process, in real time.
 *
 * The measurement spans whole compaction cycles: it starts just after one
 * compaction and ends just after a later one, so it holds every group
 * commit of the samples acknowledged in between, their compaction into
 * chunks and rollups, retention, the disk and live-state loops, and the
 * WAL checkpoints. SQLite checkpoints when the WAL passes 1,000 pages, so
 * at any moment up to ~4 MB of written pages still wait for theirs: both
 * ends of the interval are checkpointed (PASSIVE, from this process, which
 * is charged for it and adds it to the total), so no checkpoint falls
 * outside the interval by chance.
 */
import { realisticRate, startAgents } from "./_telemetry_agents.ts";
import { startBenchGateway, waitForCompaction } from "./_telemetry_gateway.ts";
import { clockTicksPerSecond, memoryMiB, snapshot } from "./_telemetry_proc.ts";
import { detail, type Figure, fmt } from "./_telemetry_report.ts";

const NODES = 50;
/** Bytes written per sample by a row per sample and a commit per request (storage-writes.md). */
const NAIVE_BYTES_PER_SAMPLE = 1762;

/** Options for {@linkcode runStorageCost}. */
export interface StorageCostOptions {
  /** Minimum measured minutes; the measurement ends at the first compaction after it. */
  minutes: number;
}

/** Runs (a) and (b); returns their figures. */
export async function runStorageCost(options: StorageCostOptions): Promise<Figure[]> {
  const part = "a,b";
  const tps = await clockTicksPerSecond();
  await using gw = await startBenchGateway(NODES);
  detail(
    part,
    `gateway pid ${gw.pid}, ${NODES} nodes enrolled; ${NODES} agents × 100 metrics every 10 s ` +
      `(${
        realisticRate(NODES)
      } samples/s); measuring from the first compaction over ≥ ${options.minutes} min`,
  );
  const bound = new AbortController();
  // Worst case: up to 10.5 min to the first compaction, the measured span, one missed slot.
  const maxMinutes = options.minutes + 25;
  const agents = startAgents(gw.baseUrl, gw.agents, { reports: false, maxMinutes });
  const boundTimer = setTimeout(() => bound.abort(), maxMinutes * 60_000);
  const loadStart = snapshot(gw.pid, tps);
  let compactions = 0;
  try {
    const firstSeen = await waitForCompaction(gw, bound.signal);
    if (firstSeen === null) throw new Error("No compaction seen within two window cycles");
    const first = firstSeen.at;
    compactions++;
    const cp0 = gw.checkpoint();
    const start = snapshot(gw.pid, tps);
    const acked0 = agents.counters.samplesAcked;
    const failed0 = agents.counters.failedSends;
    detail(
      part,
      `compaction 1 seen at ${new Date(first).toISOString()}; measurement starts ` +
        `(checkpointed ${cp0.checkpointed}/${cp0.walFrames} WAL frames first)`,
    );
    let last = first;
    while (last - first < options.minutes * 60_000 - 60_000) {
      const seen = await waitForCompaction(gw, bound.signal);
      if (seen === null) throw new Error("A scheduled compaction was not seen");
      compactions++;
      last = seen.at;
      detail(
        part,
        `compaction ${compactions} seen at ${new Date(last).toISOString()} (${
          fmt((last - first) / 60_000, 1)
        } min measured; it compacted a head of ${fmt(seen.headBefore)} samples; RSS ${
          fmt(memoryMiB(gw.pid).rss, 1)
        } MiB)`,
      );
    }
    const end = snapshot(gw.pid, tps);
    const acked = agents.counters.samplesAcked - acked0;
    const cp1 = gw.checkpoint();
    const failed = agents.counters.failedSends - failed0;
    const written = end.writeBytes - start.writeBytes;
    const perSample = (written + cp1.writtenBytes) / acked;
    const cpuUs = ((end.cpu - start.cpu) * 1e6) / acked;
    const seconds = (end.at - start.at) / 1000;
    const mem = memoryMiB(gw.pid);
    let dbBytes = 0;
    for (const suffix of ["", "-wal"]) {
      dbBytes += (await Deno.stat(gw.dbPath + suffix).catch(() => ({ size: 0 }))).size;
    }
    detail(
      part,
      `${fmt(seconds / 60, 1)} min measured, ${compactions - 1} full compaction cycle(s), ` +
        `${fmt(acked)} samples acknowledged (${
          fmt(acked / seconds)
        } /s), ${failed} failed sends, ` +
        `slowest ack ${fmt(agents.counters.maxAckMs)} ms`,
    );
    detail(
      part,
      `written: gateway ${fmt(written)} B + closing checkpoint ${fmt(cp1.writtenBytes)} B ` +
        `(${cp1.checkpointed}/${cp1.walFrames} frames) = ${fmt(perSample, 1)} B/sample ` +
        `(${fmt((perSample * realisticRate(NODES) * 86_400) / 1e9, 2)} GB/day); ` +
        `naive row-per-sample layout: ~${fmt(NAIVE_BYTES_PER_SAMPLE)} B/sample ` +
        `(${fmt(NAIVE_BYTES_PER_SAMPLE / perSample, 0)}× more)`,
    );
    detail(
      part,
      `whole run incl. warm-up: ${
        fmt((end.writeBytes - loadStart.writeBytes) / agents.counters.samplesAcked, 1)
      } B/sample, ${
        fmt(((end.cpu - loadStart.cpu) * 1e6) / agents.counters.samplesAcked, 2)
      } µs/sample (no closing checkpoint); database + WAL now ${fmt(dbBytes / 1e6, 1)} MB`,
    );
    detail(
      part,
      `CPU: ${fmt(end.cpu - start.cpu, 2)} s of gateway CPU over ${fmt(seconds, 0)} s = ${
        fmt(cpuUs, 2)
      } µs/sample (${fmt((100 * (end.cpu - start.cpu)) / seconds, 2)} % of one core); ` +
        `RSS ${fmt(mem.rss, 1)} MiB, peak ${fmt(mem.hwm, 1)} MiB`,
    );
    return [
      {
        part: "a",
        name: `bytes written per sample (${NODES} nodes, ${compactions - 1} compaction cycles)`,
        value: `${fmt(perSample, 1)} B/sample`,
        target: `≤ 64 B/sample (naive ~${fmt(NAIVE_BYTES_PER_SAMPLE)})`,
      },
      {
        part: "b",
        name: "gateway CPU per sample, end to end",
        value: `${fmt(cpuUs, 2)} µs/sample`,
        target: "≤ 10 µs/sample",
      },
    ];
  } finally {
    clearTimeout(boundTimer);
    await agents.stop();
    await gw.stop();
  }
}
