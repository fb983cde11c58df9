import type { DatabaseSync } from "node:sqlite";
import type { z } from "zod";
import type { joinTokenSchema } from "../../lib/schemas/enrollment.ts";
import { iso, isoOrNull } from "./time.ts";
import { prepared } from "../../lib/db/database.ts";

export type JoinToken = z.infer<typeof joinTokenSchema>;

interface Row {
  id: number;
  name: string;
  prefix: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  max_uses: number;
  uses: number;
  revoked_at: number | null;
  replaces_node: string | null;
}

const toToken = (r: Row): JoinToken => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  created_by: r.created_by,
  created_at: iso(r.created_at),
  expires_at: iso(r.expires_at),
  max_uses: r.max_uses,
  uses: r.uses,
  revoked_at: isoOrNull(r.revoked_at),
  replaces_node: r.replaces_node,
});

/** Why a join token cannot be used now. */
export type JoinTokenProblem = "unknown" | "revoked" | "expired" | "used_up";

/**
 * Join tokens: one can enroll a batch of nodes until it expires or is used up.
 * A replacement token (`replaces_node`) is an admin's approval for one
 * enrollment to take over that node's identity.
 */
export class JoinTokenStore {
  constructor(private readonly db: DatabaseSync) {}

  list(): JoinToken[] {
    return (prepared(this.db, "SELECT * FROM join_tokens ORDER BY id DESC")
      .all() as unknown as Row[])
      .map(toToken);
  }

  byId(id: number): JoinToken | null {
    const row = prepared(this.db, "SELECT * FROM join_tokens WHERE id = ?").get(id) as
      | Row
      | undefined;
    return row ? toToken(row) : null;
  }

  create(
    input: {
      name: string;
      hash: string;
      prefix: string;
      createdBy: string;
      expiresAt: number;
      maxUses: number;
      /** Makes it a replacement token for this node (the table allows it one use only). */
      replacesNode?: string;
    },
    now: number,
  ): JoinToken {
    const { lastInsertRowid } = prepared(
      this.db,
      `INSERT INTO join_tokens
         (name, token_hash, prefix, created_by, created_at, expires_at, max_uses, replaces_node)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      input.name,
      input.hash,
      input.prefix,
      input.createdBy,
      now,
      input.expiresAt,
      input.maxUses,
      input.replacesNode ?? null,
    );
    return this.byId(Number(lastInsertRowid))!;
  }

  /** The token with this hash if it can enroll a node now, or why it cannot; uses none of it. */
  check(
    hash: string,
    now: number,
  ): { token: JoinToken } | { problem: JoinTokenProblem; token?: JoinToken } {
    const row = prepared(this.db, "SELECT * FROM join_tokens WHERE token_hash = ?").get(hash) as
      | Row
      | undefined;
    if (!row) return { problem: "unknown" };
    const token = toToken(row);
    if (row.revoked_at !== null) return { problem: "revoked", token };
    if (row.expires_at <= now) return { problem: "expired", token };
    if (row.uses >= row.max_uses) return { problem: "used_up", token };
    return { token };
  }

  /** Counts one use of a token that {@linkcode JoinTokenStore.check} let through. */
  spend(id: number): void {
    prepared(this.db, "UPDATE join_tokens SET uses = uses + 1 WHERE id = ?").run(id);
  }

  /** Revokes the node's live replacement tokens, so only the newest one can replace it. */
  revokeReplacements(nodeId: string, now: number): void {
    prepared(
      this.db,
      `UPDATE join_tokens SET revoked_at = ?
       WHERE replaces_node = ? AND revoked_at IS NULL AND uses < max_uses AND expires_at > ?`,
    ).run(now, nodeId, now);
  }

  revoke(id: number, now: number): boolean {
    return prepared(
      this.db,
      "UPDATE join_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
    ).run(now, id).changes > 0;
  }
}
