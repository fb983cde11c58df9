import type { DatabaseSync } from "node:sqlite";
import type { CommandError, CommandState } from "../../lib/schemas/commands.ts";
import type { UserRole } from "../../lib/schemas/common.ts";
import { prepared } from "../../lib/db/database.ts";

/** A row of `commands`. */
export interface CommandRow {
  id: string;
  node_id: string;
  type: string;
  /** JSON. */
  params: string;
  desired_state: 0 | 1;
  state: CommandState;
  issued_by: string;
  issued_role: UserRole;
  created_at: number;
  deadline: number;
  sent_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  /** JSON. */
  result: string | null;
  result_digest: string | null;
  error_code: string | null;
  error_message: string | null;
}

/** A command to store. */
export interface NewCommand {
  id: string;
  nodeId: string;
  type: string;
  params: Record<string, unknown>;
  desiredState: boolean;
  state: "queued" | "refused";
  issuedBy: string;
  issuedRole: UserRole;
  createdAt: number;
  deadline: number;
  error?: CommandError;
}

/** How a command finished, as the agent said. */
export interface Finish {
  state: "succeeded" | "failed";
  result: Record<string, unknown> | null;
  digest: string;
  error: CommandError | null;
}

const OPEN = "('queued', 'sent', 'running')";

/** Commands and the images their callers asked to keep. */
export class CommandStore {
  constructor(private readonly db: DatabaseSync) {}

  insert(c: NewCommand): void {
    prepared(
      this.db,
      `INSERT INTO commands (id, node_id, type, params, desired_state, state, issued_by,
         issued_role, created_at, deadline, finished_at, error_code, error_message)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      c.id,
      c.nodeId,
      c.type,
      JSON.stringify(c.params),
      c.desiredState ? 1 : 0,
      c.state,
      c.issuedBy,
      c.issuedRole,
      c.createdAt,
      c.deadline,
      c.state === "refused" ? c.createdAt : null,
      c.error?.code ?? null,
      c.error?.message ?? null,
    );
  }

  get(id: string): CommandRow | null {
    return (prepared(this.db, "SELECT * FROM commands WHERE id = ?").get(id) as
      | CommandRow
      | undefined) ?? null;
  }

  /** A node's commands, newest first. */
  listForNode(nodeId: string, limit: number): CommandRow[] {
    return prepared(
      this.db,
      "SELECT * FROM commands WHERE node_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?",
    ).all(nodeId, limit) as unknown as CommandRow[];
  }

  /** A node's commands still to deliver or finish, oldest first. */
  openFor(nodeId: string): CommandRow[] {
    return prepared(
      this.db,
      `SELECT * FROM commands WHERE node_id = ? AND state IN ${OPEN}
       ORDER BY created_at, rowid`,
    ).all(nodeId) as unknown as CommandRow[];
  }

  /** queued → sent; false when it was in another state. */
  markSent(id: string, now: number): boolean {
    return prepared(
      this.db,
      "UPDATE commands SET state = 'sent', sent_at = ? WHERE id = ? AND state = 'queued'",
    ).run(now, id).changes > 0;
  }

  /** queued or sent → running; false when it was in another state. */
  markRunning(id: string, now: number): boolean {
    return prepared(
      this.db,
      `UPDATE commands SET state = 'running', started_at = ?, sent_at = coalesce(sent_at, ?)
       WHERE id = ? AND state IN ('queued', 'sent')`,
    ).run(now, now, id).changes > 0;
  }

  /** An open command → succeeded or failed; false when it had already finished. */
  finish(id: string, f: Finish, now: number): boolean {
    return prepared(
      this.db,
      `UPDATE commands SET state = ?, finished_at = ?, result = ?, result_digest = ?,
         error_code = ?, error_message = ?
       WHERE id = ? AND state IN ${OPEN}`,
    ).run(
      f.state,
      now,
      f.result === null ? null : JSON.stringify(f.result),
      f.digest,
      f.error?.code ?? null,
      f.error?.message ?? null,
      id,
    ).changes > 0;
  }

  /**
   * Expires open commands past their deadline; a running one gets `graceMs`
   * more for its result to arrive. @returns the ids expired.
   */
  expireDue(now: number, graceMs: number): string[] {
    const due = prepared(
      this.db,
      `SELECT id FROM commands WHERE state IN ${OPEN} AND deadline <= ?
         AND (state <> 'running' OR deadline + ? <= ?)`,
    ).all(now, graceMs, now) as { id: string }[];
    const expire = prepared(
      this.db,
      `UPDATE commands SET state = 'expired', finished_at = ?, error_code = 'deadline_passed',
         error_message = 'The deadline passed before the node ' ||
           CASE state WHEN 'running' THEN 'posted its result' ELSE 'took the command' END
       WHERE id = ?`,
    );
    for (const { id } of due) expire.run(now, id);
    return due.map((d) => d.id);
  }

  /** Queued desired-state commands of `type` for `nodeId` → superseded by `by`. @returns their ids. */
  supersede(nodeId: string, type: string, by: string, now: number): string[] {
    const queued = prepared(
      this.db,
      "SELECT id FROM commands WHERE node_id = ? AND type = ? AND state = 'queued'",
    ).all(nodeId, type) as { id: string }[];
    const mark = prepared(
      this.db,
      `UPDATE commands SET state = 'superseded', finished_at = ?, error_code = 'superseded',
         error_message = ? WHERE id = ?`,
    );
    for (const { id } of queued) {
      mark.run(now, `A newer ${type} command (${by}) replaced it before the node connected`, id);
    }
    return queued.map((q) => q.id);
  }

  /** Keeps a command's image. */
  storeImage(commandId: string, contentType: string, data: Uint8Array, now: number): void {
    prepared(
      this.db,
      "INSERT INTO command_images (command_id, content_type, data, created_at) VALUES (?, ?, ?, ?)",
    ).run(commandId, contentType, data, now);
  }

  /** Whether a command's image is kept. */
  hasImage(commandId: string): boolean {
    return prepared(this.db, "SELECT 1 FROM command_images WHERE command_id = ?")
      .get(commandId) !== undefined;
  }

  /** A kept image. */
  image(commandId: string): { contentType: string; data: Uint8Array } | null {
    const row = prepared(
      this.db,
      "SELECT content_type, data FROM command_images WHERE command_id = ?",
    ).get(commandId) as { content_type: string; data: Uint8Array } | undefined;
    return row ? { contentType: row.content_type, data: row.data } : null;
  }
}
