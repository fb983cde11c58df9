import type { DatabaseSync } from "node:sqlite";
import type { LiveNodeState } from "../nodes/live_state.ts";
import type { TopoLink, TopoNode } from "./compute.ts";
import { prepared } from "../../lib/db/database.ts";

/** Reads what topology needs from the database. */
export class TopologyStore {
  /** @param live supplies link metrics newer than the last flush. */
  constructor(private readonly db: DatabaseSync, private readonly live?: LiveNodeState) {}

  nodes(): TopoNode[] {
    return prepared(
      this.db,
      "SELECT id, name, role, status FROM nodes WHERE decommissioned_at IS NULL ORDER BY name",
    ).all() as unknown as TopoNode[];
  }

  /** Current links whose neighbour MAC belongs to a known node. */
  links(): TopoLink[] {
    const rows = prepared(
      this.db,
      `SELECT l.node_id AS "from", i.node_id AS "to", l.neighbor_mac, l.iface, l.tq, l.throughput_kbps, l.signal_dbm,
         l.last_seen_ms, l.updated_at
       FROM mesh_links l
       JOIN interfaces i ON i.mac = l.neighbor_mac AND i.node_id != l.node_id
       JOIN nodes n ON n.id = i.node_id AND n.decommissioned_at IS NULL
       GROUP BY l.node_id, l.neighbor_mac
       ORDER BY l.node_id, i.node_id`,
    ).all() as unknown as (TopoLink & { neighbor_mac: string })[];
    return rows.map(({ neighbor_mac, ...link }) => {
      const entry = this.live?.get(link.from);
      const fresh = entry?.report.links.find((l) => l.neighbor_mac === neighbor_mac);
      if (!entry || !fresh || entry.at <= link.updated_at) return link;
      return {
        ...link,
        tq: fresh.tq ?? null,
        throughput_kbps: fresh.throughput_kbps ?? null,
        signal_dbm: fresh.signal_dbm ?? null,
        last_seen_ms: fresh.last_seen_ms,
        updated_at: entry.at,
      };
    });
  }

  history(a: string, b: string, from: number, to: number) {
    return prepared(
      this.db,
      `SELECT from_node, to_node, ts, tq, throughput_kbps, signal_dbm FROM link_history
       WHERE ((from_node = ? AND to_node = ?) OR (from_node = ? AND to_node = ?)) AND ts BETWEEN ? AND ?
       ORDER BY ts LIMIT 20000`,
    ).all(a, b, b, a, from, to) as {
      from_node: string;
      to_node: string;
      ts: number;
      tq: number | null;
      throughput_kbps: number | null;
      signal_dbm: number | null;
    }[];
  }
}
