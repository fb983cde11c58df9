import type { DatabaseSync } from "node:sqlite";
import type { NodeReport } from "../../lib/schemas/report.ts";
import type { EventHub } from "../events/event_hub.ts";
import type { NodeRow } from "../store/nodes.ts";
import { type LiveNodeState, structureOf } from "./live_state.ts";
import { prepared } from "../../lib/db/database.ts";

/** Link history keeps at most one point per link per this interval. */
export const LINK_HISTORY_INTERVAL_MS = 60_000;

/** Addresses that identify where a node is reachable (link-local ones change freely). */
function routableAddresses(db: DatabaseSync, nodeId: string): string[] {
  const rows = prepared(db, "SELECT addresses FROM interfaces WHERE node_id = ?").all(nodeId) as {
    addresses: string;
  }[];
  return rows.flatMap((r) => JSON.parse(r.addresses) as string[]).filter(isRoutable).sort();
}

function isRoutable(cidr: string): boolean {
  const addr = cidr.split("/")[0]!.toLowerCase();
  return !addr.startsWith("fe80:") && !addr.startsWith("169.254.") && addr !== "::1" &&
    !addr.startsWith("127.");
}

/**
 * Applies a node's status report. When nothing structural changed (see
 * `structureOf`) and the node is online with the same boot, only the
 * in-memory live state is updated; otherwise the node and its children
 * (interfaces, links, overlay peers, clients, sensors) are written in one
 * transaction with the lifecycle events the report implies.
 *
 * @returns the event types recorded.
 */
export function applyReport(
  deps: { db: DatabaseSync; events: EventHub; live: LiveNodeState },
  node: NodeRow,
  report: NodeReport,
  now: number,
): string[] {
  const { db, events, live } = deps;
  const structure = structureOf(report);
  const previous = live.get(node.id);
  if (
    previous && previous.structure === structure && node.status === "online" &&
    node.boot_id === report.boot_id
  ) {
    live.set(node.id, { ...previous, report, at: now });
    return [];
  }
  const recorded = events.atomically(() => {
    const recorded: string[] = [];
    const before = routableAddresses(db, node.id);
    prepared(
      db,
      `UPDATE nodes SET status = 'online', boot_id = ?, uptime_s = ?, hostname = coalesce(?, hostname),
         versions = ?, last_report_at = ?, updated_at = ? WHERE id = ?`,
    ).run(
      report.boot_id,
      report.uptime_s,
      report.hostname ?? null,
      JSON.stringify(report.versions),
      now,
      now,
      node.id,
    );

    replaceInterfaces(db, node.id, report, now);
    replaceLinks(db, node.id, report, now);
    replacePeers(db, node.id, report, now);
    upsertClients(db, node.id, report, now);
    upsertSensors(db, node.id, report, now);

    if (node.status !== "online") {
      events.record("online", node.id, `${node.name} is online`, { previous: node.status });
      recorded.push("online");
    }
    if (node.boot_id !== null && node.boot_id !== report.boot_id) {
      events.record("rebooted", node.id, `${node.name} rebooted`, {
        previous_boot_id: node.boot_id,
        boot_id: report.boot_id,
        uptime_s: report.uptime_s,
      });
      recorded.push("rebooted");
    }
    const after = routableAddresses(db, node.id);
    if (node.last_report_at !== null && before.join() !== after.join()) {
      const added = after.filter((a) => !before.includes(a));
      const removed = before.filter((a) => !after.includes(a));
      events.record("address_changed", node.id, `${node.name} addresses changed`, {
        added,
        removed,
      });
      recorded.push("address_changed");
    }
    return recorded;
  });
  live.set(node.id, { report, at: now, flushedAt: now, structure });
  return recorded;
}

/**
 * Writes the volatile fields of every node that reported since the last
 * flush (uptime, last report time, link metrics and history, peer counters,
 * client and sensor last-seen) in one transaction.
 *
 * @returns how many nodes were flushed.
 */
export function flushLiveState(
  deps: { db: DatabaseSync; events: EventHub; live: LiveNodeState },
): number {
  const { db, live } = deps;
  const dirty = live.dirty();
  if (dirty.length === 0) return 0;
  const node = prepared(
    db,
    "UPDATE nodes SET uptime_s = ?, last_report_at = ? WHERE id = ? AND decommissioned_at IS NULL",
  );
  const link = prepared(
    db,
    `UPDATE mesh_links SET tq = ?, throughput_kbps = ?, signal_dbm = ?, last_seen_ms = ?, updated_at = ?
     WHERE node_id = ? AND neighbor_mac = ?`,
  );
  const peer = prepared(
    db,
    `UPDATE overlay_peers SET latest_handshake_s = ?, rx_bytes = ?, tx_bytes = ?, updated_at = ?
     WHERE node_id = ? AND public_key = ?`,
  );
  const clients = prepared(
    db,
    "UPDATE endpoints SET last_seen_at = ? WHERE node_id = ? AND present = 1",
  );
  const sensors = prepared(
    db,
    "UPDATE node_sensors SET last_seen_at = ? WHERE node_id = ? AND name IN (SELECT value FROM json_each(?))",
  );
  deps.events.atomically(() => {
    for (const [id, e] of dirty) {
      if (node.run(e.report.uptime_s, e.at, id).changes === 0) continue;
      for (const l of e.report.links) {
        link.run(
          l.tq ?? null,
          l.throughput_kbps ?? null,
          l.signal_dbm ?? null,
          l.last_seen_ms,
          e.at,
          id,
          l.neighbor_mac,
        );
      }
      recordLinkHistory(db, id, e.report, e.at);
      for (const p of e.report.overlay_peers) {
        peer.run(p.latest_handshake_s ?? null, p.rx_bytes, p.tx_bytes, e.at, id, p.public_key);
      }
      clients.run(e.at, id);
      sensors.run(e.at, id, JSON.stringify(e.report.sensors.map((s) => s.name)));
    }
  });
  for (const [id, e] of dirty) live.set(id, { ...e, flushedAt: e.at });
  return dirty.length;
}

function replaceInterfaces(db: DatabaseSync, nodeId: string, report: NodeReport, now: number) {
  const names = report.interfaces.map((i) => i.name);
  prepared(
    db,
    `DELETE FROM interfaces WHERE node_id = ? AND name NOT IN (SELECT value FROM json_each(?))`,
  ).run(nodeId, JSON.stringify(names));
  const upsert = prepared(
    db,
    `INSERT INTO interfaces (node_id, name, kind, mac, addresses, up, mtu, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (node_id, name) DO UPDATE SET kind = excluded.kind, mac = excluded.mac,
       addresses = excluded.addresses, up = excluded.up, mtu = excluded.mtu,
       updated_at = excluded.updated_at`,
  );
  for (const i of report.interfaces) {
    upsert.run(
      nodeId,
      i.name,
      i.kind,
      i.mac ?? null,
      JSON.stringify(i.addresses),
      i.up ? 1 : 0,
      i.mtu ?? null,
      now,
    );
  }
}

function replaceLinks(db: DatabaseSync, nodeId: string, report: NodeReport, now: number) {
  prepared(db, "DELETE FROM mesh_links WHERE node_id = ?").run(nodeId);
  const insert = prepared(
    db,
    `INSERT OR REPLACE INTO mesh_links (node_id, neighbor_mac, iface, tq, throughput_kbps, signal_dbm,
       last_seen_ms, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const l of report.links) {
    insert.run(
      nodeId,
      l.neighbor_mac,
      l.iface,
      l.tq ?? null,
      l.throughput_kbps ?? null,
      l.signal_dbm ?? null,
      l.last_seen_ms,
      now,
    );
  }
  recordLinkHistory(db, nodeId, report, now);
}

/** Appends a link-quality point per link, at most one per link per minute. */
function recordLinkHistory(db: DatabaseSync, nodeId: string, report: NodeReport, now: number) {
  const neighbor = prepared(
    db,
    "SELECT node_id FROM interfaces WHERE mac = ? AND node_id != ? LIMIT 1",
  );
  const lastPoint = prepared(
    db,
    "SELECT max(ts) AS ts FROM link_history WHERE from_node = ? AND to_node = ?",
  );
  const history = prepared(
    db,
    `INSERT OR IGNORE INTO link_history (from_node, to_node, ts, tq, throughput_kbps, signal_dbm)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  for (const l of report.links) {
    const to = (neighbor.get(l.neighbor_mac, nodeId) as { node_id: string } | undefined)?.node_id;
    if (!to) continue;
    const last = (lastPoint.get(nodeId, to) as { ts: number | null }).ts;
    if (last === null || now - last >= LINK_HISTORY_INTERVAL_MS) {
      history.run(nodeId, to, now, l.tq ?? null, l.throughput_kbps ?? null, l.signal_dbm ?? null);
    }
  }
}

function replacePeers(db: DatabaseSync, nodeId: string, report: NodeReport, now: number) {
  prepared(db, "DELETE FROM overlay_peers WHERE node_id = ?").run(nodeId);
  const insert = prepared(
    db,
    `INSERT OR REPLACE INTO overlay_peers (node_id, public_key, endpoint, allowed_ips,
       latest_handshake_s, rx_bytes, tx_bytes, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const p of report.overlay_peers) {
    insert.run(
      nodeId,
      p.public_key,
      p.endpoint ?? null,
      JSON.stringify(p.allowed_ips),
      p.latest_handshake_s ?? null,
      p.rx_bytes,
      p.tx_bytes,
      now,
    );
  }
}

function upsertClients(db: DatabaseSync, nodeId: string, report: NodeReport, now: number) {
  prepared(db, "UPDATE endpoints SET present = 0 WHERE node_id = ?").run(nodeId);
  const upsert = prepared(
    db,
    `INSERT INTO endpoints (node_id, mac, ip, hostname, iface, first_seen_at, last_seen_at, present)
     VALUES (?, ?, ?, ?, ?, ?, ?, 1)
     ON CONFLICT (node_id, mac) DO UPDATE SET ip = coalesce(excluded.ip, ip),
       hostname = coalesce(excluded.hostname, hostname), iface = excluded.iface,
       last_seen_at = excluded.last_seen_at, present = 1`,
  );
  for (const c of report.clients) {
    upsert.run(nodeId, c.mac, c.ip ?? null, c.hostname ?? null, c.iface, now, now);
  }
}

function upsertSensors(db: DatabaseSync, nodeId: string, report: NodeReport, now: number) {
  const upsert = prepared(
    db,
    `INSERT INTO node_sensors (node_id, name, kind, bus, address, last_seen_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (node_id, name) DO UPDATE SET kind = excluded.kind, bus = excluded.bus,
       address = excluded.address, last_seen_at = excluded.last_seen_at`,
  );
  for (const s of report.sensors) {
    upsert.run(nodeId, s.name, s.kind, s.bus ?? null, s.address ?? null, now);
  }
}
