import type { DatabaseSync } from "node:sqlite";
import type { z } from "zod";
import type { apiTokenSchema } from "../../lib/schemas/auth.ts";
import type { UserRole } from "../../lib/schemas/common.ts";
import { iso, isoOrNull } from "./time.ts";
import { prepared } from "../../lib/db/database.ts";

export type ApiToken = z.infer<typeof apiTokenSchema>;

interface Row {
  id: number;
  name: string;
  role: UserRole;
  prefix: string;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const toToken = (r: Row): ApiToken => ({
  id: r.id,
  name: r.name,
  role: r.role,
  prefix: r.prefix,
  created_by: r.created_by,
  created_at: iso(r.created_at),
  last_used_at: isoOrNull(r.last_used_at),
  revoked_at: isoOrNull(r.revoked_at),
});

/** Bearer API tokens for scripts and integrations. */
export class ApiTokenStore {
  constructor(private readonly db: DatabaseSync) {}

  list(): ApiToken[] {
    return (prepared(
      this.db,
      "SELECT id, name, role, prefix, created_by, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY id",
    ).all() as unknown as Row[]).map(toToken);
  }

  byId(id: number): ApiToken | null {
    const row = prepared(this.db, "SELECT * FROM api_tokens WHERE id = ?").get(id) as
      | Row
      | undefined;
    return row ? toToken(row) : null;
  }

  create(
    input: { name: string; role: UserRole; hash: string; prefix: string; createdBy: string },
    now: number,
  ): ApiToken {
    const { lastInsertRowid } = prepared(
      this.db,
      `INSERT INTO api_tokens (name, role, token_hash, prefix, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(input.name, input.role, input.hash, input.prefix, input.createdBy, now);
    return this.byId(Number(lastInsertRowid))!;
  }

  /** The live token with this hash; records its use at most once a minute. */
  authenticate(hash: string, now: number): ApiToken | null {
    const row = prepared(
      this.db,
      "SELECT * FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
    ).get(hash) as Row | undefined;
    if (!row) return null;
    if (row.last_used_at === null || now - row.last_used_at > 60_000) {
      prepared(this.db, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(now, row.id);
    }
    return toToken(row);
  }

  /** Whether the token has not been revoked. */
  isLive(id: number): boolean {
    return prepared(this.db, "SELECT 1 FROM api_tokens WHERE id = ? AND revoked_at IS NULL")
      .get(id) !== undefined;
  }

  revoke(id: number, now: number): boolean {
    return prepared(
      this.db,
      "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
    ).run(now, id).changes > 0;
  }
}
