import type { DatabaseSync } from "node:sqlite";
import type { Labels } from "../../lib/schemas/telemetry.ts";
import { prepared } from "../../lib/db/database.ts";

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
   * Per node and metric: the series, or, once a metric has several label
   * sets, a map of them by labels key. The ingest path's lookup: two or three
   * map gets on the strings a batch already holds (no key to build per
   * sample). Most metrics have one series per node, and a map for each cost
   * ~400 bytes: 4 MB of the heap at 200 nodes.
   */
  readonly #byNode = new Map<string, Map<string, Series | Map<string, Series>>>();
  readonly #byId = new Map<number, Series>();
  /**
   * One copy of each node id, metric name and labels key, and one labels
   * object per key: nodes report the same few names, and 20,000 series each
   * holding their own request's copies cost ~3 MB of heap.
   */
  readonly #texts = new Map<string, string>();
  readonly #labels = new Map<string, Labels>();
  #nextId: number;
  #unsaved: Series[] = [];

  constructor(private readonly db: DatabaseSync) {
    const rows = prepared(
      db,
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
        nodeId: this.#share(r.node_id),
        metric: this.#share(r.metric),
        labels: this.#labelsOf(r.labels),
        labelsKey: this.#share(r.labels),
        unit: r.unit,
        lastTs: r.last_ts,
        lastValue: r.last_value,
      });
      max = Math.max(max, r.id);
    }
    this.#nextId = max + 1;
  }

  find(nodeId: string, metric: string, labelsKey: string): Series | undefined {
    const found = this.#byNode.get(nodeId)?.get(metric);
    if (found instanceof Map) return found.get(labelsKey);
    return found?.labelsKey === labelsKey ? found : undefined;
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
    for (const found of this.#byNode.get(nodeId)?.values() ?? []) {
      if (found instanceof Map) out.push(...found.values());
      else out.push(found);
    }
    return out;
  }

  /** The series, created (unsaved) if new; `labelsKey` is {@linkcode canonicalLabels} of its labels. */
  resolve(nodeId: string, metric: string, labelsKey: string, unit: string | null): Series {
    const existing = this.find(nodeId, metric, labelsKey);
    if (existing) return existing;
    const series: Series = {
      id: this.#nextId++,
      nodeId: this.#share(nodeId),
      metric: this.#share(metric),
      labels: this.#labelsOf(labelsKey),
      labelsKey: this.#share(labelsKey),
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
    const insert = prepared(
      this.db,
      "INSERT INTO telemetry_series (id, node_id, metric, labels, unit, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    for (const s of saved) insert.run(s.id, s.nodeId, s.metric, s.labelsKey, s.unit, now);
    return saved;
  }

  /** Forgets series whose saving failed or was rolled back. */
  discard(series: readonly Series[]): void {
    const gone = new Set(series);
    for (const s of gone) {
      const node = this.#byNode.get(s.nodeId);
      const found = node?.get(s.metric);
      if (found instanceof Map) found.delete(s.labelsKey);
      else if (found === s) node!.delete(s.metric);
      this.#byId.delete(s.id);
    }
    this.#unsaved = this.#unsaved.filter((s) => !gone.has(s));
  }

  /** Series not yet saved (their ids must not be referenced by stored data yet). */
  unsaved(): readonly Series[] {
    return this.#unsaved;
  }

  #share(text: string): string {
    const shared = this.#texts.get(text);
    if (shared !== undefined) return shared;
    this.#texts.set(text, text);
    return text;
  }

  /** The labels of a key, parsed once and frozen: series share them. */
  #labelsOf(labelsKey: string): Labels {
    const known = this.#labels.get(labelsKey);
    if (known) return known;
    const labels: Labels = Object.freeze(JSON.parse(labelsKey));
    this.#labels.set(labelsKey, labels);
    return labels;
  }

  #add(series: Series): void {
    let node = this.#byNode.get(series.nodeId);
    if (!node) this.#byNode.set(series.nodeId, node = new Map());
    const found = node.get(series.metric);
    if (found === undefined) node.set(series.metric, series);
    else if (found instanceof Map) found.set(series.labelsKey, series);
    else node.set(series.metric, new Map([[found.labelsKey, found], [series.labelsKey, series]]));
    this.#byId.set(series.id, series);
  }
}
