/**
 * `schedule` triggers: cron expressions in a time zone (croner), evaluated by
 * the scheduler every 30 seconds.
 *
 * Semantics:
 *
 * - **Once per scheduled time.** A trigger fires for a scheduled time at the
 *   first {@linkcode ScheduleTriggers.due} call at or after it. The time it
 *   last fired for is stored in `flow_trigger_state` (key `schedule`) before
 *   `due` returns, so the same time never fires twice, not even across a
 *   restart. (A crash between `due` and the flow's execution being recorded
 *   loses that run: at most once, never twice.)
 * - **No burst after downtime.** When several scheduled times have passed
 *   since the last firing — the gateway was down, or the schedule is finer
 *   than the scheduler's tick — the trigger fires once, for the latest of
 *   them, with `coalesced: true`. A daily 09:00 report after a three-day
 *   outage runs once, not three times.
 * - **Baseline.** A trigger without stored state (new flow, re-enabled flow,
 *   edited cron expression or time zone) counts from the time it is loaded:
 *   a scheduled time between saving the flow and the next tick still fires,
 *   one before saving does not. The baseline is stored at load, so times
 *   missed while the gateway is down fire once after the restart even if the
 *   trigger had never fired.
 * - **Time zones.** The expression is evaluated in the config's IANA time
 *   zone, daylight saving included (`0 9 * * *` in Europe/Berlin is 08:00 UTC
 *   in winter and 07:00 UTC in summer); `firedAt` is the scheduled instant.
 */
import type { DatabaseSync } from "node:sqlite";
import { Cron } from "croner";
import { SCHEDULE_KEY, type StateRow, TriggerStateTable } from "./_trigger_state.ts";
import type { LoadedTrigger, ScheduleTriggerConfig } from "./types.ts";

/** A loaded `schedule` trigger step. */
export type ScheduleTrigger = LoadedTrigger<ScheduleTriggerConfig>;

/** A schedule trigger that is due. */
export interface ScheduleFiring {
  flowId: number;
  version: number;
  stepId: string;
  /** The scheduled time it fires for (epoch ms), not the time of the tick. */
  firedAt: number;
  /** Earlier scheduled times were passed over: this one firing stands for several. */
  coalesced: boolean;
}

/** The stored JSON: the schedule it applies to and the last time fired for (or the baseline). */
interface StoredSchedule {
  cron: string;
  timezone: string;
  last: number;
}

interface Entry {
  trigger: ScheduleTrigger;
  cron: Cron;
  /** The last scheduled time fired for, or the baseline. */
  last: number;
  /** The first scheduled time after `last`, or null if there is none. */
  next: number | null;
}

const entryId = (flowId: number, stepId: string) => `${flowId}\u0000${stepId}`;

function sameSchedule(stored: unknown, config: ScheduleTriggerConfig): stored is StoredSchedule {
  const s = stored as Partial<StoredSchedule> | null;
  return s !== null && typeof s === "object" && s.cron === config.cron &&
    s.timezone === config.timezone && typeof s.last === "number";
}

/**
 * Tells which `schedule` triggers are due; see the module documentation for
 * the exact semantics.
 *
 * @example
 * ```ts
 * const schedules = new ScheduleTriggers(db);
 * schedules.load([{ flowId: 2, version: 1, stepId: "every_morning", config }], clock.now());
 * for (const run of schedules.due(clock.now())) startFlow(run);
 * ```
 */
export class ScheduleTriggers {
  readonly #table: TriggerStateTable;
  #entries = new Map<string, Entry>();

  constructor(db: DatabaseSync) {
    this.#table = new TriggerStateTable(db);
  }

  /** How many triggers are loaded. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Replaces the loaded triggers with `triggers` (those of the enabled
   * flows). A trigger without stored state for its expression and time zone
   * gets the baseline `now`, stored at once.
   */
  load(triggers: readonly ScheduleTrigger[], now: number): void {
    const stored = new Map<string, unknown>();
    for (const row of this.#table.read("schedule")) {
      stored.set(entryId(row.flowId, row.stepId), row.state);
    }
    const baselines: StateRow[] = [];
    const entries = new Map<string, Entry>();
    for (const trigger of triggers) {
      const { config } = trigger;
      const id = entryId(trigger.flowId, trigger.stepId);
      const before = this.#entries.get(id);
      const cron = new Cron(config.cron, { paused: true, timezone: config.timezone });
      let last: number;
      if (
        before && before.trigger.config.cron === config.cron &&
        before.trigger.config.timezone === config.timezone
      ) {
        last = before.last;
      } else {
        const state = stored.get(id);
        if (sameSchedule(state, config)) {
          last = state.last;
        } else {
          last = now;
          baselines.push({
            flowId: trigger.flowId,
            stepId: trigger.stepId,
            key: SCHEDULE_KEY,
            state: { cron: config.cron, timezone: config.timezone, last } satisfies StoredSchedule,
          });
        }
      }
      entries.set(id, { trigger, cron, last, next: nextAfter(cron, last) });
    }
    this.#table.write(baselines, now);
    this.#entries = entries;
  }

  /**
   * The triggers due at `now`: each fires once for the latest scheduled time
   * not after `now` that it has not fired for. Stores what fired in one
   * transaction before returning.
   *
   * @throws {Error} when the state cannot be stored; nothing fired then.
   */
  due(now: number): ScheduleFiring[] {
    const fired: { entry: Entry; firing: ScheduleFiring }[] = [];
    for (const entry of this.#entries.values()) {
      if (entry.next === null || entry.next > now) continue;
      // previousRuns() is strictly before its reference; +1 ms includes a time exactly at `now`.
      const latest = entry.cron.previousRuns(1, new Date(now + 1))[0]?.getTime() ?? entry.next;
      const { flowId, version, stepId } = entry.trigger;
      fired.push({
        entry,
        firing: { flowId, version, stepId, firedAt: latest, coalesced: entry.next < latest },
      });
    }
    if (fired.length === 0) return [];
    this.#table.write(
      fired.map(({ entry, firing }) => ({
        flowId: firing.flowId,
        stepId: firing.stepId,
        key: SCHEDULE_KEY,
        state: {
          cron: entry.trigger.config.cron,
          timezone: entry.trigger.config.timezone,
          last: firing.firedAt,
        } satisfies StoredSchedule,
      })),
      now,
    );
    for (const { entry, firing } of fired) {
      entry.last = firing.firedAt;
      entry.next = nextAfter(entry.cron, firing.firedAt);
    }
    return fired.map((f) => f.firing);
  }

  /** The earliest scheduled time of any loaded trigger still to fire, or null. */
  nextDue(): number | null {
    let earliest: number | null = null;
    for (const { next } of this.#entries.values()) {
      if (next !== null && (earliest === null || next < earliest)) earliest = next;
    }
    return earliest;
  }

  /**
   * Unloads a flow's schedule trigger and deletes its state (a flow disabled
   * or deleted, or whose trigger changed type). A later
   * {@linkcode ScheduleTriggers.load} that includes the flow again counts
   * from that load: nothing missed in between fires.
   */
  forget(flowId: number): void {
    this.#table.forget("schedule", flowId);
    for (const [id, entry] of this.#entries) {
      if (entry.trigger.flowId === flowId) this.#entries.delete(id);
    }
  }
}

function nextAfter(cron: Cron, after: number): number | null {
  return cron.nextRun(new Date(after))?.getTime() ?? null;
}
