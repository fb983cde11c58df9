import type { NodeReport } from "../../lib/schemas/report.ts";

/** The latest report of one node as held in memory. */
export interface LiveEntry {
  report: NodeReport;
  /** When the gateway received it. */
  at: number;
  /** When its volatile fields were last written to the database. */
  flushedAt: number;
  /** {@linkcode structureOf} the report. */
  structure: string;
}

/**
 * The parts of a report that change its meaning: interfaces and addresses,
 * which neighbours, peers, clients and sensors exist, versions. A change here
 * is committed at once, with its events; everything else (uptime, link
 * metrics, counters, last-seen times) is volatile.
 */
export function structureOf(report: NodeReport): string {
  return JSON.stringify([
    report.hostname ?? null,
    report.versions,
    report.interfaces,
    report.links.map((l) => [l.iface, l.neighbor_mac]).sort(),
    report.overlay_peers.map((p) => [p.public_key, p.endpoint ?? null, p.allowed_ips]).sort(),
    report.clients,
    report.sensors,
  ]);
}

/**
 * Latest reports in memory. SD cards wear out by bytes written, and a report
 * written in full costs ~35 KB of WAL pages; so a report that changes nothing
 * structural only updates this map, and the volatile fields of all nodes are
 * written together once a minute (see `flushLiveState`). A crash loses at
 * most that minute of uptime and link metrics, never a structural change or
 * an event.
 */
export class LiveNodeState {
  readonly #entries = new Map<string, LiveEntry>();

  get(nodeId: string): LiveEntry | undefined {
    return this.#entries.get(nodeId);
  }

  set(nodeId: string, entry: LiveEntry): void {
    this.#entries.set(nodeId, entry);
  }

  delete(nodeId: string): void {
    this.#entries.delete(nodeId);
  }

  /** When the node last reported, if this gateway process has heard from it. */
  lastSeen(nodeId: string): number | undefined {
    return this.#entries.get(nodeId)?.at;
  }

  /** Entries received since they were last flushed. */
  dirty(): [string, LiveEntry][] {
    return [...this.#entries].filter(([, e]) => e.at > e.flushedAt);
  }
}
