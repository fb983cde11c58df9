/**
 * `sensor_value` triggers, evaluated inline as telemetry arrives.
 *
 * Semantics, per trigger step and per *series* — a node's metric with its
 * full label set (a trigger with the label filter `{disk: "sda"}` watches
 * every series of its metric whose labels include `disk=sda`, each on its
 * own):
 *
 * - **Crossing.** The trigger fires when a series goes from not matching
 *   (`value <operator> threshold` false) to matching. It then stays
 *   *crossed* and does not fire again until it re-arms.
 * - **Re-arming and clearing.** A crossed series re-arms when a sample lies
 *   beyond the threshold by more than the hysteresis, on the other side:
 *   for `>` when `value <= threshold - h`, `>=`: `value < threshold - h`,
 *   `<`: `value >= threshold + h`, `<=`: `value > threshold + h`,
 *   `==`: `|value - threshold| > h`. With `h = 0` that is simply "no longer
 *   matching". `!=` re-arms when the value equals the threshold again;
 *   hysteresis has no meaning for it and is ignored. Re-arming is reported
 *   as a {@linkcode Clearing}, so an alert can resolve itself.
 * - **`for_s`.** With `for_s > 0` a matching sample starts a *pending* run;
 *   the trigger fires on the first sample, still matching, whose timestamp is
 *   at least `for_s` seconds after the run's first sample. A sample that does
 *   not match ends the run. {@linkcode SensorValueTriggers.tick} fires pending
 *   runs whose time has come without a new sample (the node may report
 *   rarely): it presumes the last value still holds, and compares the
 *   gateway's clock with the sample timestamps (agents set their clock from
 *   the gateway's).
 * - **A series never seen before** (new flow, new node, state forgotten,
 *   threshold or operator edited) starts armed: its first matching sample
 *   fires. A node already hot when the flow is created is alerted on, not
 *   ignored until it cools down.
 * - **Out of order.** A sample not newer than the newest one seen for the
 *   series is ignored: it cannot fire, clear or reset a pending run.
 * - **Restarts.** State is written to `flow_trigger_state` whenever it
 *   changes (crossed, re-armed, pending run started or ended), under the key
 *   node + series. A new evaluator loaded on the same database resumes from
 *   it: a series still above does not fire again, and the first sample after
 *   the restart is compared with the stored state, so one that crosses while
 *   the gateway was down fires on that sample. Agents keep unacknowledged
 *   samples and send them after the restart, so the samples of the downtime
 *   arrive in order and are evaluated as they would have been. Only changes
 *   are written, so the stored newest timestamp is that of the last change:
 *   after a restart a late sample older than the newest *evaluated* one but
 *   newer than the last change is not recognised as out of order.
 * - **Edits.** State is kept across flow versions while operator,
 *   threshold, hysteresis and `for_s` stay the same; when one of them
 *   changes, the stored state no longer applies and the series start armed.
 * - **Writes.** Only state changes are written, all of one
 *   {@linkcode SensorValueTriggers.evaluate} or `tick` call in one
 *   transaction; a sample that changes nothing writes nothing (SD cards wear
 *   by bytes written). If the write fails, the call throws and the in-memory
 *   state is left as it was, so nothing is lost or fired without being stored.
 *
 * Cost: triggers are indexed by metric and then by node, so a sample whose
 * metric no trigger watches costs one map lookup however many flows exist.
 * Ingest passes the telemetry store's series ids: a series' matching
 * triggers are then worked out once, and a sample that changes no state
 * costs one array read and two comparisons however many triggers watch its
 * series (~11 ns a sample with ten each, `bench/flow_triggers_bench.ts`).
 */
import type { DatabaseSync } from "node:sqlite";
import type { Operator } from "../../../lib/schemas/flows.ts";
import type { Labels } from "../../../lib/schemas/telemetry.ts";
import { canonicalLabels } from "../../telemetry/series_registry.ts";
import { type StateRow, TriggerStateTable } from "./_trigger_state.ts";
import type { LoadedTrigger, SensorValueTriggerConfig } from "./types.ts";

/** A loaded `sensor_value` trigger step. */
export type SensorValueTrigger = LoadedTrigger<SensorValueTriggerConfig>;

/** One telemetry sample as ingest has it. */
export interface SensorSample {
  metric: string;
  labels?: Labels | undefined;
  /** Epoch milliseconds, the agent's timestamp. */
  ts: number;
  value: number;
}

/** A trigger that fired: the context its flow runs with. */
export interface Firing {
  flowId: number;
  version: number;
  stepId: string;
  nodeId: string;
  metric: string;
  labels: Labels;
  /** The sample's value (for a {@linkcode SensorValueTriggers.tick} firing, the latest known). */
  value: number;
  /** The configured value. */
  threshold: number;
  operator: Operator;
  /** The sample's timestamp, or the tick's time for a firing by tick. */
  ts: number;
  /** The crossing state's key, node and series: see {@linkcode seriesKey}. */
  key: string;
}

/** A crossed series that re-armed: the condition cleared (an alert may resolve). */
export interface Clearing extends Firing {
  /** When it fired, if known. */
  firedTs: number | null;
  /**
   * How many other series of the same trigger and node are still crossed
   * after this call. An alert kept per flow and node (the alert action's
   * dedupe key) should resolve only when this is 0.
   */
  remaining: number;
}

/** What one {@linkcode SensorValueTriggers.evaluate} call found. */
export interface SensorValueResult {
  fired: Firing[];
  cleared: Clearing[];
}

/**
 * The key of a crossing state: node, metric and canonical labels, e.g.
 * `n-0123456789ab|disk.used|{"disk":"sda"}`. Node ids and metric names never
 * contain `|`.
 */
export function seriesKey(nodeId: string, metric: string, labels: Labels | undefined): string {
  return `${nodeId}|${metric}|${canonicalLabels(labels)}`;
}

interface Series {
  nodeId: string;
  metric: string;
  labels: Labels;
}

/** The fields of a {@linkcode SeriesState}. */
interface SeriesStateInit {
  series: Series;
  crossed: boolean;
  since: number | null;
  firedTs: number | null;
  ts: number;
  value: number;
}

/**
 * A series' crossing state. A change of the stored fields replaces the object
 * (staged until stored, so a failed write leaves memory as it was); a sample
 * that changes nothing else only moves `ts` and `value`, in place (and on the
 * by-id path, see {@linkcode SeriesMatch}, not even that).
 */
class SeriesState {
  readonly series: Series;
  /** Fired and not yet re-armed. */
  readonly crossed: boolean;
  /** First sample of the current matching run while `for_s` is pending, else null. */
  readonly since: number | null;
  readonly firedTs: number | null;
  /** Newest sample seen (in memory) or at the last change (as stored). */
  ts: number;
  value: number;

  constructor(init: SeriesStateInit) {
    this.series = init.series;
    this.crossed = init.crossed;
    this.since = init.since;
    this.firedTs = init.firedTs;
    this.ts = init.ts;
    this.value = init.value;
  }
}

/** The stored JSON. `cond` tells whether the state still applies to the trigger's config. */
interface StoredState {
  cond: string;
  crossed: boolean;
  since: number | null;
  fired_ts: number | null;
  ts: number;
  value: number;
}

interface Entry {
  trigger: SensorValueTrigger;
  cond: string;
  labelFilter: readonly (readonly [string, string])[];
  matches: (value: number) => boolean;
  rearms: (value: number) => boolean;
  /** Where an armed / a crossed state of this trigger takes the quiet path. */
  quietArmed: Range;
  quietCrossed: Range;
  forMs: number;
  states: Map<string, SeriesState>;
}

interface MetricIndex {
  anyNode: Entry[];
  byNode: Map<string, Entry[]>;
}

/**
 * What one series meets: the triggers that watch it (label filters applied),
 * its state key, and its state under each of them (`entries[i].states.get(key)`,
 * read once), so a batch reaches its states through one small array.
 *
 * The quiet range: the values for which no trigger of the series would
 * change anything but the newest sample it has seen (each armed trigger's
 * "not matching", each crossed one's "not re-arming"). Nearly every sample
 * falls in it, and then only the series' newest sample moves (`quietTs`,
 * `quietValue`) instead of every state's: one comparison however many
 * triggers watch the series, and no walk over their scattered states.
 * The states catch up (see {@linkcode SeriesMatch.settle}) before anything
 * reads them. A series with a pending `for_s` run, a state not yet created,
 * or a condition that is no interval (`==` armed, `!=` crossed) has an
 * empty range and takes the full path on every sample.
 */
class SeriesMatch {
  /** Inclusive bounds; empty when `lo > hi`. */
  lo = Infinity;
  hi = -Infinity;
  /** Newest sample taken by the quiet path since the states last caught up. */
  quietTs = -Infinity;
  quietValue = 0;

  constructor(
    readonly key: string,
    readonly entries: Entry[],
    readonly states: (SeriesState | undefined)[],
  ) {}

  /** Moves the quiet path's newest sample into every state it is newer than. */
  settle(): void {
    if (this.quietTs === -Infinity) return;
    for (const state of this.states) {
      if (state !== undefined && state.ts < this.quietTs) {
        state.ts = this.quietTs;
        state.value = this.quietValue;
      }
    }
    this.quietTs = -Infinity;
  }

  /** Reads the states again (after changes were stored) and works out the quiet range. */
  refresh(): void {
    let lo = -Infinity, hi = Infinity;
    for (let i = 0; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      const state = this.states[i] = entry.states.get(this.key);
      const quiet = state === undefined || state.since !== null
        ? EMPTY
        : state.crossed
        ? entry.quietCrossed
        : entry.quietArmed;
      lo = Math.max(lo, quiet[0]);
      hi = Math.min(hi, quiet[1]);
    }
    this.lo = lo;
    this.hi = hi;
  }
}

/** The match of every series no trigger watches. */
const NO_MATCH = new SeriesMatch("", [], []);

/** An empty range of values: [lo, hi] with lo > hi. */
const EMPTY: Range = [Infinity, -Infinity];

/** Inclusive [lo, hi]. */
type Range = readonly [number, number];

const bits = new Float64Array(1);
const bitsInt = new BigInt64Array(bits.buffer);

/** The next double towards +∞ (`x` finite). */
function nextUp(x: number): number {
  if (!Number.isFinite(x)) return x;
  if (x === 0) return Number.MIN_VALUE;
  bits[0] = x;
  bitsInt[0]! += x > 0 ? 1n : -1n;
  return bits[0]!;
}

/** The next double towards -∞ (`x` finite). */
function nextDown(x: number): number {
  return -nextUp(-x);
}

/**
 * The values for which an armed trigger does not match, as an inclusive
 * range, computed exactly as {@linkcode matcher} compares.
 */
function quietArmed(op: Operator, v: number): Range {
  switch (op) {
    case ">":
      return [-Infinity, v];
    case ">=":
      return [-Infinity, nextDown(v)];
    case "<":
      return [v, Infinity];
    case "<=":
      return [nextUp(v), Infinity];
    case "==":
      // Everything but one value: not a range.
      return EMPTY;
    case "!=":
      return [v, v];
  }
}

/**
 * The values for which a crossed trigger does not re-arm, as an inclusive
 * range, computed exactly as {@linkcode rearmer} compares.
 */
function quietCrossed(op: Operator, v: number, h: number): Range {
  switch (op) {
    case ">":
      return [nextUp(v - h), Infinity];
    case ">=":
      return [v - h, Infinity];
    case "<":
      return [-Infinity, nextDown(v + h)];
    case "<=":
      return [-Infinity, v + h];
    case "==":
    case "!=":
      // Not worked out as ranges: |x - v| <= h rounds differently from a bound on x.
      return EMPTY;
  }
}

/** State changes of one call, applied to memory only once they are stored. */
type Pending = Map<Entry, Map<string, SeriesState>>;

const entryId = (flowId: number, stepId: string) => `${flowId}\u0000${stepId}`;

/** What a state depends on: when this changes, stored state no longer applies. */
function condition(c: SensorValueTriggerConfig): string {
  return `${c.operator} ${c.value} hysteresis ${c.hysteresis} for ${c.for_s}s`;
}

function matcher(op: Operator, v: number): (x: number) => boolean {
  switch (op) {
    case ">":
      return (x) => x > v;
    case ">=":
      return (x) => x >= v;
    case "<":
      return (x) => x < v;
    case "<=":
      return (x) => x <= v;
    case "==":
      return (x) => x === v;
    case "!=":
      return (x) => x !== v;
  }
}

/** When a crossed series re-arms; always implies "not matching". */
function rearmer(op: Operator, v: number, h: number): (x: number) => boolean {
  switch (op) {
    case ">":
      return (x) => x <= v - h;
    case ">=":
      return (x) => x < v - h;
    case "<":
      return (x) => x >= v + h;
    case "<=":
      return (x) => x > v + h;
    case "==":
      return (x) => Math.abs(x - v) > h;
    case "!=":
      // Nothing is "further from unequal" than equal: hysteresis cannot apply.
      return (x) => x === v;
  }
}

function parseKey(key: string): Series | null {
  const a = key.indexOf("|");
  const b = key.indexOf("|", a + 1);
  if (a <= 0 || b <= a + 1) return null;
  try {
    const labels = JSON.parse(key.slice(b + 1)) as unknown;
    if (labels === null || typeof labels !== "object" || Array.isArray(labels)) return null;
    return { nodeId: key.slice(0, a), metric: key.slice(a + 1, b), labels: labels as Labels };
  } catch {
    return null;
  }
}

function fromStored(key: string, raw: unknown, cond: string): SeriesState | null {
  const s = raw as Partial<StoredState> | null;
  if (s === null || typeof s !== "object" || s.cond !== cond) return null;
  if (typeof s.crossed !== "boolean" || typeof s.ts !== "number") return null;
  const series = parseKey(key);
  if (!series) return null;
  return new SeriesState({
    series,
    crossed: s.crossed,
    since: typeof s.since === "number" ? s.since : null,
    firedTs: typeof s.fired_ts === "number" ? s.fired_ts : null,
    ts: s.ts,
    value: typeof s.value === "number" ? s.value : Number.NaN,
  });
}

function toStored(state: SeriesState, cond: string): StoredState {
  return {
    cond,
    crossed: state.crossed,
    since: state.since,
    fired_ts: state.firedTs,
    ts: state.ts,
    value: state.value,
  };
}

/**
 * Evaluates the `sensor_value` triggers of the enabled flows against incoming
 * samples; see the module documentation for the exact semantics.
 *
 * @example
 * ```ts
 * const triggers = new SensorValueTriggers(db);
 * triggers.load([{ flowId: 1, version: 3, stepId: "hot", config }]);
 * const { fired, cleared } = triggers.evaluate("n-0123456789ab", batch.samples, clock.now());
 * ```
 */
export class SensorValueTriggers {
  readonly #table: TriggerStateTable;
  #entries = new Map<string, Entry>();
  #index = new Map<string, MetricIndex>();
  /**
   * By the telemetry store's series id: which triggers a series meets, worked
   * out on its first sample, so later samples cost one integer lookup rather
   * than string hashing and label checks per trigger (series ids are never
   * reused: the registry keeps every series). Ids are dense and a node's
   * series mostly adjacent, so a plain array beats a Map here: a batch's
   * lookups touch neighbouring slots, and most hold the shared `NO_MATCH`.
   * Cleared on reindex.
   */
  #bySeries: (SeriesMatch | undefined)[] = [];

  constructor(db: DatabaseSync) {
    this.#table = new TriggerStateTable(db);
  }

  /** How many triggers are loaded. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Replaces the loaded triggers with `triggers` (those of the enabled flows)
   * and rebuilds the index. Triggers loaded before with the same condition
   * keep their in-memory state; the others take theirs from the database.
   */
  load(triggers: readonly SensorValueTrigger[]): void {
    let stored: Map<string, StateRow[]> | undefined;
    const storedFor = (id: string): StateRow[] => {
      if (!stored) {
        stored = new Map();
        for (const row of this.#table.read("sensor_value")) {
          const rowId = entryId(row.flowId, row.stepId);
          (stored.get(rowId) ?? stored.set(rowId, []).get(rowId)!).push(row);
        }
      }
      return stored.get(id) ?? [];
    };

    const entries = new Map<string, Entry>();
    for (const trigger of triggers) {
      const { config } = trigger;
      const id = entryId(trigger.flowId, trigger.stepId);
      const cond = condition(config);
      const before = this.#entries.get(id);
      let states: Map<string, SeriesState>;
      if (before && before.cond === cond) {
        states = before.states;
      } else {
        states = new Map();
        for (const row of storedFor(id)) {
          const state = fromStored(row.key, row.state, cond);
          if (state) states.set(row.key, state);
        }
      }
      entries.set(id, {
        trigger,
        cond,
        labelFilter: Object.entries(config.labels ?? {}),
        matches: matcher(config.operator, config.value),
        rearms: rearmer(config.operator, config.value, config.hysteresis),
        quietArmed: quietArmed(config.operator, config.value),
        quietCrossed: quietCrossed(config.operator, config.value, config.hysteresis),
        forMs: config.for_s * 1000,
        states,
      });
    }
    this.#entries = entries;
    this.#reindex();
  }

  /** Indexes the loaded triggers by metric, then by node. */
  #reindex(): void {
    const index = new Map<string, MetricIndex>();
    for (const entry of this.#entries.values()) {
      const { metric, nodes } = entry.trigger.config;
      const byMetric = index.get(metric) ??
        index.set(metric, { anyNode: [], byNode: new Map() }).get(metric)!;
      if (nodes === "all") {
        byMetric.anyNode.push(entry);
      } else {
        for (const node of new Set(nodes)) {
          (byMetric.byNode.get(node) ?? byMetric.byNode.set(node, []).get(node)!).push(entry);
        }
      }
    }
    this.#index = index;
    this.#dropSeriesCache();
  }

  /** Forgets the per-series matches, once their states have caught up. */
  #dropSeriesCache(): void {
    for (const match of this.#bySeries) match?.settle();
    this.#bySeries = [];
  }

  /**
   * Evaluates one node's samples (in the order given) against the loaded
   * triggers; stores the state changes in one transaction.
   *
   * @param now The gateway's time, stored as the rows' `updated_at`.
   * @throws {Error} when the state cannot be stored; nothing has changed then.
   */
  evaluate(
    nodeId: string,
    samples: readonly SensorSample[],
    now: number,
    seriesIds?: ArrayLike<number>,
  ): SensorValueResult {
    const result: SensorValueResult = { fired: [], cleared: [] };
    if (this.#index.size === 0) return result;
    const pending: Pending = new Map();
    if (seriesIds !== undefined) {
      /** Matches that took the full path: their states and quiet range are read again after. */
      let touched: SeriesMatch[] | undefined;
      for (let i = 0; i < samples.length; i++) {
        const sample = samples[i]!;
        const match = this.#seriesMatch(seriesIds[i]!, nodeId, sample);
        if (match.entries.length === 0) continue;
        // Not newer than a sample the quiet path took: every state has seen newer.
        if (sample.ts <= match.quietTs) continue;
        const value = sample.value;
        if (value >= match.lo && value <= match.hi) {
          match.quietTs = sample.ts;
          match.quietValue = value;
          continue;
        }
        match.settle();
        this.#apply(match.entries, match.key, nodeId, sample, pending, result, match.states);
        if (!Number.isNaN(match.lo)) {
          // No quiet path until refreshed: a later sample of this call must see staged changes.
          match.lo = Number.NaN;
          (touched ??= []).push(match);
        }
      }
      if (pending.size > 0) this.#commit(pending, now);
      if (touched !== undefined) { for (const match of touched) match.refresh(); }
      if (result.cleared.length > 0) this.#countRemaining(result.cleared);
      return result;
    }
    // The states are read directly here: bring them up to date first.
    this.#dropSeriesCache();
    for (const sample of samples) {
      const byMetric = this.#index.get(sample.metric);
      if (byMetric === undefined) continue;
      if (byMetric.anyNode.length > 0) {
        this.#sample(byMetric.anyNode, nodeId, sample, pending, result);
      }
      const forNode = byMetric.byNode.get(nodeId);
      if (forNode !== undefined) this.#sample(forNode, nodeId, sample, pending, result);
    }
    if (pending.size > 0) this.#commit(pending, now);
    if (result.cleared.length > 0) this.#countRemaining(result.cleared);
    return result;
  }

  /**
   * Fires the pending `for_s` runs whose time has come by `now` without a
   * new sample (the scheduler calls this every 30 seconds).
   */
  tick(now: number): Firing[] {
    const fired: Firing[] = [];
    const pending: Pending = new Map();
    for (const entry of this.#entries.values()) {
      if (entry.forMs === 0) continue;
      for (const [key, state] of entry.states) {
        if (state.crossed || state.since === null || state.since + entry.forMs > now) continue;
        const next = new SeriesState({
          series: state.series,
          crossed: true,
          since: null,
          firedTs: now,
          ts: state.ts,
          value: state.value,
        });
        (pending.get(entry) ?? pending.set(entry, new Map()).get(entry)!).set(key, next);
        fired.push(this.#firing(entry, key, next, next.value, now));
      }
    }
    if (pending.size > 0) {
      this.#commit(pending, now);
      // Replaced states: the per-series copies are stale.
      this.#dropSeriesCache();
    }
    return fired;
  }

  /**
   * Unloads a flow's sensor_value triggers and deletes their crossing state
   * (a flow disabled or deleted, or whose trigger changed type). A later
   * {@linkcode SensorValueTriggers.load} that includes the flow again starts
   * its series armed.
   */
  forget(flowId: number): void {
    this.#table.forget("sensor_value", flowId);
    let unloaded = false;
    for (const [id, entry] of this.#entries) {
      if (entry.trigger.flowId !== flowId) continue;
      this.#entries.delete(id);
      unloaded = true;
    }
    if (unloaded) this.#reindex();
  }

  #seriesMatch(id: number, nodeId: string, sample: SensorSample): SeriesMatch {
    const cache = this.#bySeries;
    let match = cache[id];
    if (match === undefined) {
      const byMetric = this.#index.get(sample.metric);
      const entries = byMetric === undefined
        ? []
        : [...byMetric.anyNode, ...(byMetric.byNode.get(nodeId) ?? [])].filter((e) =>
          e.labelFilter.length === 0 || labelsMatch(e.labelFilter, sample.labels)
        );
      match = entries.length === 0
        ? NO_MATCH
        : new SeriesMatch(seriesKey(nodeId, sample.metric, sample.labels), entries, []);
      // Grow one slot at a time so the array stays packed, never a sparse dictionary.
      while (cache.length < id) cache.push(undefined);
      cache[id] = match;
    }
    return match;
  }

  #sample(
    entries: readonly Entry[],
    nodeId: string,
    sample: SensorSample,
    pending: Pending,
    result: SensorValueResult,
  ): void {
    const matching = entries.filter((e) =>
      e.labelFilter.length === 0 || labelsMatch(e.labelFilter, sample.labels)
    );
    if (matching.length === 0) return;
    this.#apply(
      matching,
      seriesKey(nodeId, sample.metric, sample.labels),
      nodeId,
      sample,
      pending,
      result,
    );
  }

  /**
   * One sample of one series against the triggers it meets; `cached` is the
   * series' states beside `entries`, kept current here (new states) and
   * dropped with the whole cache when a commit replaces states.
   */
  #apply(
    entries: readonly Entry[],
    key: string,
    nodeId: string,
    sample: SensorSample,
    pending: Pending,
    result: SensorValueResult,
    cached?: (SeriesState | undefined)[],
  ): void {
    /** One copy for the states this call creates: every trigger of the series shares it. */
    let series: Series | undefined;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      // Nearly always nothing is staged: skip the lookup then.
      const staged = pending.size === 0 ? undefined : pending.get(entry)?.get(key);
      const current = staged ??
        (cached ? (cached[i] ??= entry.states.get(key)) : entry.states.get(key));
      if (current !== undefined && sample.ts <= current.ts) continue;
      const change = advance(entry, current, sample);
      if (change === null) {
        // Nothing to store: note the newest sample and move on, without allocating.
        if (current !== undefined) {
          current.ts = sample.ts;
          current.value = sample.value;
        } else {
          const fresh = new SeriesState({
            series: series ??= { nodeId, metric: sample.metric, labels: sample.labels ?? {} },
            crossed: false,
            since: null,
            firedTs: null,
            ts: sample.ts,
            value: sample.value,
          });
          entry.states.set(key, fresh);
          if (cached) cached[i] = fresh;
        }
        continue;
      }
      const state = new SeriesState({
        series: current?.series ??
          (series ??= { nodeId, metric: sample.metric, labels: sample.labels ?? {} }),
        ...change.state,
        ts: sample.ts,
        value: sample.value,
      });
      (pending.get(entry) ?? pending.set(entry, new Map()).get(entry)!).set(key, state);
      if (change.event === "fire") {
        result.fired.push(this.#firing(entry, key, state, sample.value, sample.ts));
      } else if (change.event === "clear") {
        result.cleared.push({
          ...this.#firing(entry, key, state, sample.value, sample.ts),
          firedTs: current?.firedTs ?? null,
          remaining: 0,
        });
      }
    }
  }

  #firing(entry: Entry, key: string, state: SeriesState, value: number, ts: number): Firing {
    const { flowId, version, stepId, config } = entry.trigger;
    return {
      flowId,
      version,
      stepId,
      nodeId: state.series.nodeId,
      metric: state.series.metric,
      labels: state.series.labels,
      value,
      threshold: config.value,
      operator: config.operator,
      ts,
      key,
    };
  }

  /** Stores the staged changes in one transaction, then applies them to memory. */
  #commit(pending: Pending, now: number): void {
    const rows: StateRow[] = [];
    for (const [entry, changes] of pending) {
      const { flowId, stepId } = entry.trigger;
      for (const [key, state] of changes) {
        rows.push({ flowId, stepId, key, state: toStored(state, entry.cond) });
      }
    }
    this.#table.write(rows, now);
    for (const [entry, changes] of pending) {
      for (const [key, state] of changes) entry.states.set(key, state);
    }
  }

  #countRemaining(cleared: Clearing[]): void {
    for (const c of cleared) {
      const entry = this.#entries.get(entryId(c.flowId, c.stepId));
      if (!entry) continue;
      let remaining = 0;
      for (const state of entry.states.values()) {
        if (state.crossed && state.series.nodeId === c.nodeId) remaining++;
      }
      c.remaining = remaining;
    }
  }
}

function labelsMatch(
  filter: readonly (readonly [string, string])[],
  labels: Labels | undefined,
): boolean {
  for (const [name, value] of filter) {
    if (labels?.[name] !== value) return false;
  }
  return true;
}

/** The stored fields of a state after a change, and what the change means. */
interface Change {
  state: Pick<SeriesState, "crossed" | "since" | "firedTs">;
  event: "fire" | "clear" | null;
}

/**
 * One sample's effect on a series' state, the pure core of the evaluator:
 * null when nothing but the newest sample changes (nothing to store).
 */
function advance(
  entry: Entry,
  current: SeriesState | undefined,
  sample: SensorSample,
): Change | null {
  const { ts, value } = sample;
  if (current?.crossed) {
    if (!entry.rearms(value)) return null;
    return { state: { crossed: false, since: null, firedTs: current.firedTs }, event: "clear" };
  }
  const pendingSince = current?.since ?? null;
  if (!entry.matches(value)) {
    // Ends a pending for_s run, if there was one.
    if (pendingSince === null) return null;
    return {
      state: { crossed: false, since: null, firedTs: current?.firedTs ?? null },
      event: null,
    };
  }
  const since = pendingSince ?? ts;
  if (ts - since >= entry.forMs) {
    return { state: { crossed: true, since: null, firedTs: ts }, event: "fire" };
  }
  if (pendingSince !== null) return null;
  return { state: { crossed: false, since, firedTs: current?.firedTs ?? null }, event: null };
}
