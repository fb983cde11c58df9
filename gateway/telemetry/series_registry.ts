import type { DatabaseSync } from "node:sqlite";
import type { Labels } from "../../lib/schemas/telemetry.ts";

/** One series: a node's metric with its labels. */
export interface Series {
  id: number;
  nodeId: string;
  metric: string;
  labels: Labels;
  /** Canonical JSON of `labels` (keys sorted), as stored. */
  labelsKey: string;
  unit: string | null;
  /** Latest sample as of the last compaction. */
  lastTs: number | null;
  lastValue: number | null;
}

/** Canonical JSON of labels: keys sorted, so the same labels always match. */
export function canonicalLabels(labels: Labels | undefined): string {
  if (!labels) return "{}";
  const entries = Object.entries(labels);
  if (entries.length <= 1) return JSON.stringify(labels);
  return JSON.stringify(Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1))));
}

/**
 * All series, held in memory (a few thousand rows). New series get ids here
 * at once but are written by the group commit that first stores their samples,
 * so a refused or failed batch leaves no series behind.
 */
export class SeriesRegistry {
  /**
   * Per node, metric and labels key: the ingest path's lookup, three map
   * gets on the strings a batch already holds (no key to build per sample).
   */
  readonly #byNode = new Map<string, Map<string, Map<string, Series>>>();
  readonly #byId = new Map<number, Series>();
  #nextId: number;
  #unsaved: Series[] = [];

  constructor(private readonly db: DatabaseSync) {
    const rows = db.prepare(
      "SELECT id, node_id, metric, labels, unit, last_ts, last_value FROM telemetry_series",
    ).all() as {
      id: number;
      node_id: string;
      metric: string;
      labels: string;
      unit: string | null;
      last_ts: number | null;
      last_value: number | null;
    }[];
    let max = 0;
    for (const r of rows) {
      this.#add({
        id: r.id,
        nodeId: r.node_id,
        metric: r.metric,
        labels: JSON.parse(r.labels),
        labelsKey: r.labels,
        unit: r.unit,
        lastTs: r.last_ts,
        lastValue: r.last_value,
      });
      max = Math.max(max, r.id);
    }
    this.#nextId = max + 1;
  }

  find(nodeId: string, metric: string, labelsKey: string): Series | undefined {
    return this.#byNode.get(nodeId)?.get(metric)?.get(labelsKey);
  }

  byId(id: number): Series | undefined {
    return this.#byId.get(id);
  }

  all(): Series[] {
    return [...this.#byId.values()];
  }

  /** The series of one node. */
  ofNode(nodeId: string): Series[] {
    const out: Series[] = [];
    for (const byLabels of this.#byNode.get(nodeId)?.values() ?? []) out.push(...byLabels.values());
    return out;
  }

  /** The series, created (unsaved) if new; `labelsKey` is {@linkcode canonicalLabels} of its labels. */
  resolve(nodeId: string, metric: string, labelsKey: string, unit: string | null): Series {
    const existing = this.find(nodeId, metric, labelsKey);
    if (existing) return existing;
    const series: Series = {
      id: this.#nextId++,
      nodeId,
      metric,
      labels: JSON.parse(labelsKey),
      labelsKey,
      unit,
      lastTs: null,
      lastValue: null,
    };
    this.#add(series);
    this.#unsaved.push(series);
    return series;
  }

  /** Writes series created since the last call; run inside the group commit's transaction. */
  saveNew(now: number): Series[] {
    const saved = this.#unsaved;
    if (saved.length === 0) return saved;
    this.#unsaved = [];
    const insert = this.db.prepare(
      "INSERT INTO telemetry_series (id, node_id, metric, labels, unit, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    for (const s of saved) insert.run(s.id, s.nodeId, s.metric, s.labelsKey, s.unit, now);
    return saved;
  }

  /** Forgets series whose saving failed or was rolled back. */
  discard(series: readonly Series[]): void {
    const gone = new Set(series);
    for (const s of gone) {
      this.#byNode.get(s.nodeId)?.get(s.metric)?.delete(s.labelsKey);
      this.#byId.delete(s.id);
    }
    this.#unsaved = this.#unsaved.filter((s) => !gone.has(s));
  }

  /** Series not yet saved (their ids must not be referenced by stored data yet). */
  unsaved(): readonly Series[] {
    return this.#unsaved;
  }

  #add(series: Series): void {
    let node = this.#byNode.get(series.nodeId);
    if (!node) this.#byNode.set(series.nodeId, node = new Map());
    let byLabels = node.get(series.metric);
    if (!byLabels) node.set(series.metric, byLabels = new Map());
    byLabels.set(series.labelsKey, series);
    this.#byId.set(series.id, series);
  }
}
