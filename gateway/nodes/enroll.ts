import type { DatabaseSync } from "node:sqlite";
import type { z } from "zod";
import type { enrollRequestSchema } from "../../lib/schemas/enrollment.ts";
import { ApiError, conflict } from "../api/errors.ts";
import { generateSecret, hashSecret } from "../auth/secret_token.ts";
import type { EventHub } from "../events/event_hub.ts";
import type { AuditLog } from "../store/audit.ts";
import { AgentTokenStore } from "../store/agent_tokens.ts";
import { JoinTokenStore } from "../store/join_tokens.ts";
import { type NodeRow, NodeStore } from "../store/nodes.ts";
import { prepared } from "../db/database.ts";

type EnrollRequest = z.output<typeof enrollRequestSchema>;

/** What a node gets back from enrollment. */
export interface Enrollment {
  node: NodeRow;
  agentToken: string;
  reenrolled: boolean;
}

const JOIN_PROBLEMS = {
  unknown: "Join token is not known to this gateway: ask an admin for a current one",
  revoked: "Join token was revoked: ask an admin for a new one",
  expired: "Join token has expired: ask an admin for a new one",
  used_up: "Join token has been used as often as allowed: ask an admin for a new one",
} as const;

/**
 * Enrolls a device: finds it by hardware identity (board serial first, then
 * machine-id, then WireGuard key) so re-enrolling returns the same node and
 * revokes its previous agent token, or creates a node.
 */
export function enroll(
  deps: { db: DatabaseSync; events: EventHub; audit: AuditLog; now: () => number },
  request: EnrollRequest,
  ip: string | null,
): Enrollment {
  const joinHash = hashSecret(request.join_token);
  const agentToken = generateSecret("agent");
  const agentHash = hashSecret(agentToken);
  const nodes = new NodeStore(deps.db);
  const now = deps.now();

  return deps.events.atomically(() => {
    const used = new JoinTokenStore(deps.db).use(joinHash, now);
    if ("problem" in used) {
      throw new ApiError(401, `join_token_${used.problem}`, JOIN_PROBLEMS[used.problem]);
    }
    const existing = findByIdentity(deps.db, request);
    const gateway = nodes.gateway();
    if (request.role === "gateway" && gateway && gateway.id !== existing?.id) {
      throw conflict(
        `This HALO network already has a gateway (${gateway.name}, ${gateway.id}): ` +
          `decommission it first or enroll this device with role "node"`,
      );
    }
    let node: NodeRow;
    if (existing) {
      // The SD card (machine-id) may have moved to another board: the board serial wins.
      if (request.hardware.machine_id) {
        prepared(
          deps.db,
          "UPDATE nodes SET hw_machine_id = NULL WHERE hw_machine_id = ? AND id != ?",
        )
          .run(request.hardware.machine_id, existing.id);
      }
      if (request.wg_public_key) {
        prepared(
          deps.db,
          "UPDATE nodes SET wg_public_key = NULL WHERE wg_public_key = ? AND id != ?",
        )
          .run(request.wg_public_key, existing.id);
      }
      const revived = existing.decommissioned_at !== null;
      const name = revived && nodes.nameTaken(existing.name, existing.id)
        ? uniqueName(nodes, existing.name)
        : existing.name;
      prepared(
        deps.db,
        `UPDATE nodes SET role = ?, hostname = ?, name = ?,
           hw_serial = coalesce(?, hw_serial), hw_machine_id = coalesce(?, hw_machine_id),
           wg_public_key = coalesce(?, wg_public_key),
           status = CASE WHEN decommissioned_at IS NOT NULL THEN 'enrolled' ELSE status END,
           decommissioned_at = NULL, updated_at = ?
         WHERE id = ?`,
      ).run(
        request.role,
        request.hostname,
        name,
        request.hardware.serial ?? null,
        request.hardware.machine_id ?? null,
        request.wg_public_key ?? null,
        now,
        existing.id,
      );
      node = nodes.row(existing.id)!;
    } else {
      if (request.hardware.machine_id) {
        prepared(deps.db, "UPDATE nodes SET hw_machine_id = NULL WHERE hw_machine_id = ?")
          .run(request.hardware.machine_id);
      }
      const id = `n-${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
      prepared(
        deps.db,
        `INSERT INTO nodes (id, name, role, status, hw_serial, hw_machine_id, wg_public_key,
           hostname, enrolled_at, updated_at)
         VALUES (?, ?, ?, 'enrolled', ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        uniqueName(nodes, request.hostname),
        request.role,
        request.hardware.serial ?? null,
        request.hardware.machine_id ?? null,
        request.wg_public_key ?? null,
        request.hostname,
        now,
        now,
      );
      node = nodes.row(id)!;
    }
    new AgentTokenStore(deps.db).issue(node.id, agentHash, now);
    deps.events.record(
      "enrolled",
      node.id,
      existing ? `${node.name} re-enrolled` : `${node.name} enrolled as ${node.role}`,
      { reenrolled: existing !== null, role: node.role, join_token: used.token.name },
    );
    deps.audit.record(
      { kind: "anonymous", name: `join-token:${used.token.name}`, ip },
      existing ? "node.reenroll" : "node.enroll",
      node.id,
      { name: node.name, role: node.role, hostname: request.hostname },
    );
    return { node, agentToken, reenrolled: existing !== null };
  });
}

function findByIdentity(db: DatabaseSync, request: EnrollRequest): NodeRow | null {
  const q = (column: string, value: string | undefined) =>
    value === undefined
      ? undefined
      : prepared(db, `SELECT * FROM nodes WHERE ${column} = ?`).get(value) as NodeRow | undefined;
  const bySerial = q("hw_serial", request.hardware.serial);
  if (bySerial) return bySerial;
  const byMachine = q("hw_machine_id", request.hardware.machine_id);
  // A machine-id match on a node with another board serial is a moved SD card, not this device.
  if (byMachine && (request.hardware.serial === undefined || byMachine.hw_serial === null)) {
    return byMachine;
  }
  const byKey = q("wg_public_key", request.wg_public_key);
  if (byKey && (request.hardware.serial === undefined || byKey.hw_serial === null)) return byKey;
  return null;
}

/** A lowercase DNS-label name from a hostname, with `-2`, `-3` … if taken. */
export function uniqueName(nodes: NodeStore, hostname: string): string {
  const base = hostname.toLowerCase().split(".")[0]!.replace(/[^a-z0-9-]/g, "-")
    .replace(/^-+/, "").slice(0, 56) || "node";
  if (!nodes.nameTaken(base)) return base;
  for (let i = 2;; i++) {
    const name = `${base}-${i}`;
    if (!nodes.nameTaken(name)) return name;
  }
}
