import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { z } from "zod";
import type { NodeRole } from "../../lib/schemas/common.ts";
import type {
  NODE_STATUSES,
  nodeDetailSchema,
  nodeSummarySchema,
} from "../../lib/schemas/nodes.ts";
import type { LiveNodeState } from "../nodes/live_state.ts";
import { iso, isoOrNull } from "./time.ts";
import { prepared } from "../../lib/db/database.ts";

export type NodeSummary = z.infer<typeof nodeSummarySchema>;
export type NodeDetail = z.infer<typeof nodeDetailSchema>;
export type NodeStatus = typeof NODE_STATUSES[number];

/** A node row as stored. */
export interface NodeRow {
  id: string;
  name: string;
  role: NodeRole;
  status: NodeStatus;
  mesh_id: number | null;
  hw_serial: string | null;
  hw_machine_id: string | null;
  wg_public_key: string | null;
  hostname: string | null;
  boot_id: string | null;
  uptime_s: number | null;
  versions: string;
  last_report_at: number | null;
  enrolled_at: number;
  decommissioned_at: number | null;
  updated_at: number;
}

/** Filter for {@linkcode NodeStore.list}. */
export interface NodeListFilter {
  status?: NodeStatus | undefined;
  role?: NodeRole | undefined;
  tag?: string | undefined;
  mesh?: string | undefined;
  includeDecommissioned?: boolean;
}

/** Nodes: one per physical device, with interfaces, sensors, clients and peers as children. */
export class NodeStore {
  /** @param live overlays the newest report times and uptimes not yet flushed. */
  constructor(private readonly db: DatabaseSync, private readonly live?: LiveNodeState) {}

  row(id: string): NodeRow | null {
    return (prepared(this.db, "SELECT * FROM nodes WHERE id = ?").get(id) as NodeRow | undefined) ??
      null;
  }

  /** Whether node `id` ever enrolled (a decommissioned one included). */
  exists(id: string): boolean {
    return prepared(this.db, "SELECT 1 FROM nodes WHERE id = ?").get(id) !== undefined;
  }

  /** Whether node `id` is enrolled and not decommissioned. */
  isEnrolled(id: string): boolean {
    return prepared(this.db, "SELECT 1 FROM nodes WHERE id = ? AND decommissioned_at IS NULL")
      .get(id) !== undefined;
  }

  /** Every node's name by id, decommissioned ones included: their telemetry still names them. */
  names(): Map<string, string> {
    const rows = prepared(this.db, "SELECT id, name FROM nodes").all() as {
      id: string;
      name: string;
    }[];
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** The live gateway node, if one has enrolled. */
  gateway(): NodeRow | null {
    return (prepared(
      this.db,
      "SELECT * FROM nodes WHERE role = 'gateway' AND decommissioned_at IS NULL",
    ).get() as NodeRow | undefined) ?? null;
  }

  nameTaken(name: string, exceptId = ""): boolean {
    return prepared(
      this.db,
      "SELECT 1 FROM nodes WHERE name = ? AND decommissioned_at IS NULL AND id != ?",
    ).get(name, exceptId) !== undefined;
  }

  list(filter: NodeListFilter = {}): NodeSummary[] {
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    if (!filter.includeDecommissioned && filter.status !== "decommissioned") {
      where.push("n.decommissioned_at IS NULL");
    }
    if (filter.status) (where.push("n.status = ?"), args.push(filter.status));
    if (filter.role) (where.push("n.role = ?"), args.push(filter.role));
    if (filter.tag) {
      where.push("EXISTS (SELECT 1 FROM node_tags t WHERE t.node_id = n.id AND t.tag = ?)");
      args.push(filter.tag);
    }
    if (filter.mesh) (where.push("m.ssid = ?"), args.push(filter.mesh));
    const rows = prepared(
      this.db,
      `SELECT n.*, m.ssid AS mesh_ssid FROM nodes n LEFT JOIN meshes m ON m.id = n.mesh_id
       ${where.length ? "WHERE " + where.join(" AND ") : ""}
       ORDER BY n.role = 'gateway' DESC, n.name`,
    ).all(...args) as unknown as (NodeRow & { mesh_ssid: string | null })[];
    return rows.map((r) => this.#summary(r));
  }

  summary(id: string): NodeSummary | null {
    const row = prepared(
      this.db,
      "SELECT n.*, m.ssid AS mesh_ssid FROM nodes n LEFT JOIN meshes m ON m.id = n.mesh_id WHERE n.id = ?",
    ).get(id) as (NodeRow & { mesh_ssid: string | null }) | undefined;
    return row ? this.#summary(row) : null;
  }

  detail(id: string): NodeDetail | null {
    const summary = this.summary(id);
    const row = this.row(id);
    if (!summary || !row) return null;
    const interfaces =
      (prepared(this.db, "SELECT * FROM interfaces WHERE node_id = ? ORDER BY name").all(id) as {
        name: string;
        kind: NodeDetail["interfaces"][number]["kind"];
        mac: string | null;
        addresses: string;
        up: number;
        mtu: number | null;
        updated_at: number;
      }[]).map((r) => ({
        name: r.name,
        kind: r.kind,
        mac: r.mac,
        addresses: JSON.parse(r.addresses) as string[],
        up: r.up === 1,
        mtu: r.mtu,
        updated_at: iso(r.updated_at),
      }));
    const sensors =
      (prepared(this.db, "SELECT * FROM node_sensors WHERE node_id = ? ORDER BY name").all(id) as {
        name: string;
        kind: string;
        bus: string | null;
        address: string | null;
        last_seen_at: number;
      }[]).map((r) => ({
        name: r.name,
        kind: r.kind,
        bus: r.bus,
        address: r.address,
        last_seen_at: iso(r.last_seen_at),
      }));
    const clients = (prepared(
      this.db,
      "SELECT * FROM endpoints WHERE node_id = ? ORDER BY present DESC, last_seen_at DESC",
    ).all(id) as {
      mac: string;
      ip: string | null;
      hostname: string | null;
      iface: string;
      first_seen_at: number;
      last_seen_at: number;
      present: number;
    }[]).map((r) => ({
      mac: r.mac,
      ip: r.ip,
      hostname: r.hostname,
      iface: r.iface,
      first_seen_at: iso(r.first_seen_at),
      last_seen_at: iso(r.last_seen_at),
      present: r.present === 1,
    }));
    const peers =
      (prepared(this.db, "SELECT * FROM overlay_peers WHERE node_id = ? ORDER BY public_key").all(
        id,
      ) as {
        public_key: string;
        endpoint: string | null;
        allowed_ips: string;
        latest_handshake_s: number | null;
        rx_bytes: number;
        tx_bytes: number;
      }[]).map((r) => ({
        public_key: r.public_key,
        endpoint: r.endpoint,
        allowed_ips: JSON.parse(r.allowed_ips) as string[],
        latest_handshake_s: r.latest_handshake_s,
        rx_bytes: r.rx_bytes,
        tx_bytes: r.tx_bytes,
      }));
    // Fields of the newest report that wait for the next flush.
    const live = this.live?.get(id);
    if (live && live.at > (row.last_report_at ?? 0)) {
      const seen = iso(live.at);
      for (const peer of peers) {
        const fresh = live.report.overlay_peers.find((p) => p.public_key === peer.public_key);
        if (!fresh) continue;
        peer.latest_handshake_s = fresh.latest_handshake_s ?? null;
        peer.rx_bytes = fresh.rx_bytes;
        peer.tx_bytes = fresh.tx_bytes;
      }
      for (const client of clients) if (client.present) client.last_seen_at = seen;
      const reported = new Set(live.report.sensors.map((s) => s.name));
      for (const sensor of sensors) if (reported.has(sensor.name)) sensor.last_seen_at = seen;
    }
    const components = (prepared(
      this.db,
      "SELECT neuron_id, component FROM neuron_placements WHERE node_id = ? ORDER BY neuron_id, component",
    ).all(id) as { neuron_id: string; component: string }[]).map((r) =>
      `brain-${r.component}-${r.neuron_id}`
    );
    return {
      ...summary,
      hardware: {
        serial: row.hw_serial,
        machine_id: row.hw_machine_id,
        wg_public_key: row.wg_public_key,
      },
      boot_id: row.boot_id,
      uptime_s: this.live?.get(id)?.report.uptime_s ?? row.uptime_s,
      interfaces,
      sensors,
      clients,
      overlay_peers: peers,
      neuron_components: components,
    };
  }

  rename(id: string, name: string, now: number): void {
    prepared(this.db, "UPDATE nodes SET name = ?, updated_at = ? WHERE id = ?").run(name, now, id);
  }

  setTags(id: string, tags: string[]): void {
    prepared(this.db, "DELETE FROM node_tags WHERE node_id = ?").run(id);
    const insert = prepared(
      this.db,
      "INSERT OR IGNORE INTO node_tags (node_id, tag) VALUES (?, ?)",
    );
    for (const tag of tags) insert.run(id, tag);
  }

  setMesh(id: string, meshId: number | null, now: number): void {
    prepared(this.db, "UPDATE nodes SET mesh_id = ?, updated_at = ? WHERE id = ?").run(
      meshId,
      now,
      id,
    );
  }

  /** Marks the node decommissioned and revokes its agent tokens; its history stays. */
  decommission(id: string, now: number): void {
    prepared(
      this.db,
      "UPDATE nodes SET status = 'decommissioned', decommissioned_at = ?, updated_at = ? WHERE id = ?",
    ).run(now, now, id);
    prepared(
      this.db,
      "UPDATE agent_tokens SET revoked_at = ? WHERE node_id = ? AND revoked_at IS NULL",
    ).run(now, id);
    prepared(this.db, "UPDATE endpoints SET present = 0 WHERE node_id = ?").run(id);
    prepared(this.db, "DELETE FROM mesh_links WHERE node_id = ?").run(id);
  }

  #summary(r: NodeRow & { mesh_ssid: string | null }): NodeSummary {
    const tags = (prepared(this.db, "SELECT tag FROM node_tags WHERE node_id = ? ORDER BY tag").all(
      r.id,
    ) as { tag: string }[]).map((t) => t.tag);
    const addresses =
      (prepared(this.db, "SELECT addresses FROM interfaces WHERE node_id = ? ORDER BY name").all(
        r.id,
      ) as { addresses: string }[]).flatMap((i) => JSON.parse(i.addresses) as string[]);
    const provider = r.last_report_at !== null &&
      prepared(this.db, "SELECT 1 FROM node_sensors WHERE node_id = ? AND last_seen_at >= ?").get(
          r.id,
          r.last_report_at,
        ) !== undefined;
    return {
      id: r.id,
      name: r.name,
      role: r.role,
      status: r.status,
      mesh: r.mesh_ssid,
      tags,
      hostname: r.hostname,
      addresses,
      versions: JSON.parse(r.versions) as Record<string, string>,
      data_provider: provider,
      last_seen_at: isoOrNull(
        Math.max(r.last_report_at ?? 0, this.live?.lastSeen(r.id) ?? 0) || null,
      ),
      enrolled_at: iso(r.enrolled_at),
      decommissioned_at: isoOrNull(r.decommissioned_at),
    };
  }
}
