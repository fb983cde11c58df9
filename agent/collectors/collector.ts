/**
 * The collector interface, and {@linkcode runCollectors}, which runs them
 * all in isolation: one that throws, hangs or returns what the gateway would
 * refuse is logged and reported as the health metric
 * `agent.collector.ok{collector}` = 0, and never stops the others.
 */
import { z } from "zod";
import type { Clock } from "../../lib/clock.ts";
import type { Logger } from "../../lib/log.ts";
import { type NodeReportInput, nodeReportSchema } from "../../lib/schemas/report.ts";
import { type Labels, sampleSchema, type Unit } from "../../lib/schemas/telemetry.ts";

/** A value a collector read; the agent stamps `ts` (gateway time) when it buffers it. */
export interface Reading {
  metric: string;
  value: number;
  unit?: Unit;
  labels?: Labels;
}

/** The parts of the node report a collector knows. */
export type ReportPart = Partial<
  Pick<
    NodeReportInput,
    | "hostname"
    | "uptime_s"
    | "boot_id"
    | "versions"
    | "interfaces"
    | "links"
    | "overlay_peers"
    | "clients"
    | "sensors"
  >
>;

/** What one collector read in one round. */
export interface Collection {
  readings: Reading[];
  report?: ReportPart;
}

/** One source of readings and report parts: system, network, gps, power, mesh; later sensors. */
export interface Collector {
  /** e.g. "system", "network", "gps", "power", "mesh"; later "sensors". */
  readonly name: string;
  collect(signal: AbortSignal): Promise<Collection>;
}

/** How one collector did in one round. */
export interface CollectorHealth {
  collector: string;
  ok: boolean;
  /** Why not, when not ok. */
  error?: string;
  /** Readings it gave that were kept. */
  readings: number;
  durationMs: number;
}

/** What {@linkcode runCollectors} needs. */
export interface RunCollectorsContext {
  log: Logger;
  clock: Clock;
  /** Aborts the round (shutdown): collectors still running are not waited for. */
  signal: AbortSignal;
  /** Longest a collector may take. @default 5000 */
  timeoutMs?: number;
  /** Last round's health by collector, so a failure is logged when it starts, not every round. */
  previous?: ReadonlyMap<string, CollectorHealth>;
  /** Called as each collector finishes, with its kept readings (stamping, the live feed). */
  onCollected?: (collector: string, readings: Reading[]) => void;
}

/** What a round of collection gave. */
export interface CollectorsResult {
  /** Every kept reading, in collector order, then the health metric of each collector. */
  readings: Reading[];
  /** The collectors' report parts, merged (see {@linkcode mergeReportParts}). */
  report: ReportPart;
  health: CollectorHealth[];
}

/** The health metric's name: 1 when the collector's last round went well, else 0. */
export const COLLECTOR_OK_METRIC = "agent.collector.ok";

const readingSchema = sampleSchema.omit({ ts: true });
const shape = nodeReportSchema.shape;
const reportPartSchema = z.strictObject({
  hostname: shape.hostname,
  uptime_s: shape.uptime_s.optional(),
  boot_id: shape.boot_id.optional(),
  versions: shape.versions.optional(),
  interfaces: shape.interfaces.optional(),
  links: shape.links.optional(),
  overlay_peers: shape.overlay_peers.optional(),
  clients: shape.clients.optional(),
  sensors: shape.sensors.optional(),
});

/** A collector's result, less what the gateway would refuse (one bad sample refuses a batch). */
function checked(collection: Collection): { kept: Collection; problems: string[] } {
  const problems: string[] = [];
  const readings = collection.readings.filter((reading) => {
    const result = readingSchema.safeParse(reading);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      problems.push(`reading ${reading.metric}: ${issue.path.join(".")}: ${issue.message}`);
    }
    return result.success;
  });
  if (collection.report === undefined) return { kept: { readings }, problems };
  const report = reportPartSchema.safeParse(collection.report);
  if (report.success) return { kept: { readings, report: collection.report }, problems };
  const issue = report.error.issues[0]!;
  problems.push(`report part dropped: ${issue.path.join(".")}: ${issue.message}`);
  return { kept: { readings }, problems };
}

type Outcome =
  | { kind: "done"; collection: Collection }
  | { kind: "failed"; error: unknown }
  | { kind: "timeout" }
  | { kind: "stopped" };

/** Runs one collector until it settles, times out or the round is stopped. */
async function settle(collector: Collector, ctx: RunCollectorsContext): Promise<Outcome> {
  const timeoutMs = ctx.timeoutMs ?? 5000;
  const own = new AbortController();
  const signal = AbortSignal.any([ctx.signal, own.signal]);
  let onStop = () => {};
  const stopped = new Promise<Outcome>((resolve) => {
    onStop = () => resolve({ kind: "stopped" });
    if (ctx.signal.aborted) onStop();
    // Removed below: the agent's signal lives as long as the agent, the round does not.
    ctx.signal.addEventListener("abort", onStop, { once: true });
  });
  const timedOut = ctx.clock.sleep(timeoutMs, own.signal).then(
    (): Outcome => ({ kind: "timeout" }),
    (): Outcome => ({ kind: "stopped" }),
  );
  const work = (async (): Promise<Outcome> => {
    try {
      return { kind: "done", collection: await collector.collect(signal) };
    } catch (error) {
      return { kind: "failed", error };
    }
  })();
  try {
    // A collector that finished as the round stopped still gives what it read.
    return await Promise.race([work, Promise.race([stopped, timedOut])]);
  } finally {
    ctx.signal.removeEventListener("abort", onStop);
    own.abort(new DOMException("collector timed out", "TimeoutError"));
  }
}

/** Why an unfinished collector gave nothing. */
function failure(outcome: Exclude<Outcome, { kind: "done" }>, timeoutMs: number): string {
  if (outcome.kind === "timeout") return `did not finish within ${timeoutMs} ms`;
  if (outcome.kind === "stopped") return "stopped with the agent";
  return outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
}

/** One collector's round: what it gave that is kept, and its health. */
async function round(
  collector: Collector,
  ctx: RunCollectorsContext,
): Promise<{ kept: Collection | null; health: CollectorHealth; stopped: boolean }> {
  const started = ctx.clock.now();
  const outcome = await settle(collector, ctx);
  const durationMs = ctx.clock.now() - started;
  if (outcome.kind !== "done") {
    const error = failure(outcome, ctx.timeoutMs ?? 5000);
    const health = { collector: collector.name, ok: false, error, readings: 0, durationMs };
    return { kept: null, health, stopped: outcome.kind === "stopped" };
  }
  const { kept, problems } = checked(outcome.collection);
  ctx.onCollected?.(collector.name, kept.readings);
  const health: CollectorHealth = {
    collector: collector.name,
    ok: problems.length === 0,
    readings: kept.readings.length,
    durationMs,
    ...(problems.length > 0 ? { error: problems.join("; ") } : {}),
  };
  return { kept, health, stopped: false };
}

/** Logs a collector's failure when it starts or changes, and its recovery: not every round. */
function logHealth(health: CollectorHealth, ctx: RunCollectorsContext): void {
  const before = ctx.previous?.get(health.collector);
  const log = ctx.log.with({ collector: health.collector });
  if (!health.ok && health.error !== before?.error) {
    log.warn("collector failed", { error: health.error });
  } else if (health.ok && before && !before.ok) {
    log.info("collector works again");
  }
}

/**
 * Runs every collector at once; each is isolated (see the module comment).
 * When `ctx.signal` aborts, the round ends without waiting for the
 * collectors still running; what the finished ones read is returned.
 */
export async function runCollectors(
  collectors: readonly Collector[],
  ctx: RunCollectorsContext,
): Promise<CollectorsResult> {
  const rounds = await Promise.all(collectors.map((collector) => round(collector, ctx)));
  const readings = rounds.flatMap((r) => r.kept?.readings ?? []);
  for (const { health, stopped } of rounds) {
    // A collector cut short by shutdown did not fail: no health sample, no warning.
    if (stopped) continue;
    logHealth(health, ctx);
    readings.push({
      metric: COLLECTOR_OK_METRIC,
      value: health.ok ? 1 : 0,
      labels: { collector: health.collector },
    });
  }
  const parts = rounds.flatMap((r) => r.kept?.report ? [r.kept.report] : []);
  return { readings, report: mergeReportParts(parts), health: rounds.map((r) => r.health) };
}

/**
 * Merges report parts in order: the first part to give a scalar (hostname,
 * uptime_s, boot_id) or a version key wins; lists are joined, and an
 * interface already listed by an earlier part is left out, because the
 * gateway refuses a report naming an interface twice.
 */
export function mergeReportParts(parts: readonly ReportPart[]): ReportPart {
  const merged: ReportPart = {};
  const names = new Set<string>();
  for (const part of parts) {
    if (merged.hostname === undefined && part.hostname !== undefined) {
      merged.hostname = part.hostname;
    }
    if (merged.uptime_s === undefined && part.uptime_s !== undefined) {
      merged.uptime_s = part.uptime_s;
    }
    if (merged.boot_id === undefined && part.boot_id !== undefined) merged.boot_id = part.boot_id;
    if (part.versions) merged.versions = { ...part.versions, ...merged.versions };
    for (const iface of part.interfaces ?? []) {
      if (names.has(iface.name)) continue;
      names.add(iface.name);
      (merged.interfaces ??= []).push(iface);
    }
    if (part.links) (merged.links ??= []).push(...part.links);
    if (part.overlay_peers) (merged.overlay_peers ??= []).push(...part.overlay_peers);
    if (part.clients) (merged.clients ??= []).push(...part.clients);
    if (part.sensors) (merged.sensors ??= []).push(...part.sensors);
  }
  return merged;
}
