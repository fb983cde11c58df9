import type { DatabaseSync } from "node:sqlite";
import { type Clock, pause } from "../../lib/clock.ts";
import type { Logger } from "../../lib/log.ts";
import {
  nodeEventTriggerSchema,
  scheduleTriggerSchema,
  sensorValueTriggerSchema,
} from "../../lib/schemas/flows.ts";
import type { HaloEvent } from "../../lib/schemas/events.ts";
import type { EventHub } from "../events/event_hub.ts";
import type { AlertStore } from "./alert_store.ts";
import type { FlowService, FlowTrigger } from "./service.ts";
import { matchNodeEvent, type NodeEventTrigger } from "./triggers/node_event.ts";
import { ScheduleTriggers } from "./triggers/schedule.ts";
import { type Firing, type SensorSample, SensorValueTriggers } from "./triggers/sensor_value.ts";
import { prepared } from "../../lib/db/database.ts";

/** How often schedules and held sensor conditions (for_s) are checked. */
export const SCHEDULER_TICK_MS = 30_000;

/** Options for {@linkcode TriggerService}. */
export interface TriggerServiceOptions {
  db: DatabaseSync;
  clock: Clock;
  log: Logger;
  events: EventHub;
  flows: FlowService;
  alerts: AlertStore;
}

/**
 * Starts flows when their trigger fires: `sensor_value` inline as telemetry
 * arrives (indexed by metric), `node_event` as events are published,
 * `schedule` and held `for_s` conditions on the 30 s scheduler tick. Also
 * resolves auto-resolving alerts when their condition clears: the metric
 * crossed back, or the offline node is online again.
 */
export class TriggerService {
  readonly #sensor: SensorValueTriggers;
  readonly #schedule: ScheduleTriggers;
  #nodeEvents: NodeEventTrigger[] = [];
  #loaded = new Set<number>();

  constructor(private readonly options: TriggerServiceOptions) {
    this.#sensor = new SensorValueTriggers(options.db);
    this.#schedule = new ScheduleTriggers(options.db);
    options.events.subscribe((e) => this.onEvent(e));
  }

  /** Loads the triggers of every enabled flow; call after any flow is saved or deleted. */
  reload(): void {
    const rows = prepared(
      this.options.db,
      `SELECT f.id, f.version, s.step_id, s.type, s.config FROM flows f
       JOIN flow_steps s ON s.flow_id = f.id AND s.kind = 'trigger' WHERE f.enabled = 1`,
    ).all() as { id: number; version: number; step_id: string; type: string; config: string }[];
    const sensor = [], schedule = [], nodeEvents: NodeEventTrigger[] = [];
    for (const r of rows) {
      const base = { flowId: r.id, version: r.version, stepId: r.step_id };
      const config = JSON.parse(r.config);
      if (r.type === "sensor_value") {
        sensor.push({ ...base, config: sensorValueTriggerSchema.parse(config) });
      } else if (r.type === "schedule") {
        schedule.push({ ...base, config: scheduleTriggerSchema.parse(config) });
      } else if (r.type === "node_event") {
        nodeEvents.push({ ...base, config: nodeEventTriggerSchema.parse(config) });
      }
    }
    // Flows no longer loaded (deleted, disabled, trigger changed) drop their trigger state.
    const active = new Set(rows.map((r) => r.id));
    for (const id of this.#loaded) {
      if (!active.has(id)) {
        this.#sensor.forget(id);
        this.#schedule.forget(id);
      }
    }
    this.#loaded = active;
    this.#sensor.load(sensor);
    this.#schedule.load(schedule, this.options.clock.now());
    this.#nodeEvents = nodeEvents;
  }

  /** Evaluates a node's newly accepted samples against the sensor_value triggers. */
  onSamples(
    nodeId: string,
    samples: readonly SensorSample[],
    seriesIds?: ArrayLike<number>,
  ): void {
    if (this.#sensor.size === 0) return;
    const { fired, cleared } = this.#sensor.evaluate(
      nodeId,
      samples,
      this.options.clock.now(),
      seriesIds,
    );
    for (const f of fired) this.#fire(f);
    for (const c of cleared) {
      if (c.remaining === 0) {
        this.options.alerts.resolveCleared(c.flowId, c.nodeId, this.options.clock.now());
      }
    }
  }

  /** Starts the flows an event triggers; an online node resolves its offline alerts. */
  onEvent(event: HaloEvent): void {
    for (const m of matchNodeEvent(this.#nodeEvents, event)) {
      this.#start(m.flowId, {
        type: "node_event",
        context: { node_id: m.nodeId, node_name: this.#nodeName(m.nodeId), event: event.type },
      });
    }
    if (event.type === "online" && event.node_id) {
      for (const t of this.#nodeEvents.filter((t) => t.config.events.includes("offline"))) {
        this.options.alerts.resolveCleared(t.flowId, event.node_id, this.options.clock.now());
      }
    }
  }

  /** One scheduler tick: due schedules and held sensor conditions. */
  tick(): void {
    const now = this.options.clock.now();
    for (const s of this.#schedule.due(now)) {
      this.#start(s.flowId, {
        type: "schedule",
        context: { fired_at: new Date(s.firedAt).toISOString() },
      });
    }
    for (const f of this.#sensor.tick(now)) this.#fire(f);
  }

  /** Runs the scheduler every 30 s until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        this.tick();
      } catch (error) {
        this.options.log.error("flow scheduler tick failed", { error });
      }
      if (!await pause(this.options.clock, SCHEDULER_TICK_MS, signal)) return;
    }
  }

  /** Starts a sensor_value flow with the crossing as its context. */
  #fire(f: Firing): void {
    this.#start(f.flowId, {
      type: "sensor_value",
      context: {
        node_id: f.nodeId,
        node_name: this.#nodeName(f.nodeId),
        metric: f.metric,
        value: f.value,
        threshold: f.threshold,
        operator: f.operator,
      },
    });
  }

  #nodeName(nodeId: string): string | null {
    return (prepared(this.options.db, "SELECT name FROM nodes WHERE id = ?").get(nodeId) as
      | { name: string }
      | undefined)?.name ?? null;
  }

  #start(flowId: number, trigger: FlowTrigger): void {
    try {
      const { done } = this.options.flows.start(flowId, trigger);
      done.catch((error) =>
        this.options.log.error("flow execution crashed", { flow_id: flowId, error })
      );
    } catch (error) {
      this.options.log.error("cannot start flow", { flow_id: flowId, error });
    }
  }
}
