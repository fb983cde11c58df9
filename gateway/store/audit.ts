import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { z } from "zod";
import type { auditEntrySchema } from "../../lib/schemas/system.ts";
import { iso } from "./time.ts";
import { prepared } from "../../lib/db/database.ts";

export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** Who did something: a person, a token, a node's agent, or the gateway itself. */
export interface Actor {
  kind: "user" | "token" | "agent" | "system" | "anonymous";
  name: string;
  ip?: string | null;
}

/** The audit log: logins, failed logins and every change to users, tokens, nodes, meshes and settings. */
export class AuditLog {
  constructor(private readonly db: DatabaseSync, private readonly now: () => number) {}

  record(
    actor: Actor,
    action: string,
    target: string | null,
    details: Record<string, unknown> = {},
  ): void {
    prepared(
      this.db,
      "INSERT INTO audit_log (ts, actor_kind, actor, action, target, ip, details) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).run(
      this.now(),
      actor.kind,
      actor.name,
      action,
      target,
      actor.ip ?? null,
      JSON.stringify(details),
    );
  }

  query(filter: {
    actor?: string | undefined;
    action?: string | undefined;
    from?: number | undefined;
    to?: number | undefined;
    before_id?: number | undefined;
    limit: number;
  }): AuditEntry[] {
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    if (filter.actor !== undefined) (where.push("actor = ?"), args.push(filter.actor));
    if (filter.action !== undefined) {
      // "user" matches user.create, user.delete …; "user.create" matches exactly.
      where.push("(action = ? OR action LIKE ? || '.%')");
      args.push(filter.action, filter.action);
    }
    if (filter.from !== undefined) (where.push("ts >= ?"), args.push(filter.from));
    if (filter.to !== undefined) (where.push("ts <= ?"), args.push(filter.to));
    if (filter.before_id !== undefined) (where.push("id < ?"), args.push(filter.before_id));
    const sql = `SELECT * FROM audit_log ${where.length ? "WHERE " + where.join(" AND ") : ""}
      ORDER BY id DESC LIMIT ?`;
    return (prepared(this.db, sql).all(...args, filter.limit) as {
      id: number;
      ts: number;
      actor_kind: string;
      actor: string;
      action: string;
      target: string | null;
      ip: string | null;
      details: string;
    }[]).map((r) => ({
      id: r.id,
      ts: iso(r.ts),
      actor: r.actor,
      actor_kind: r.actor_kind,
      action: r.action,
      target: r.target,
      ip: r.ip,
      details: JSON.parse(r.details),
    }));
  }
}
