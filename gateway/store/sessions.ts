import type { DatabaseSync } from "node:sqlite";
import { prepared } from "../../lib/db/database.ts";

/** Browser sessions, stored by the hash of their cookie value. */
export class SessionStore {
  constructor(private readonly db: DatabaseSync) {}

  create(tokenHash: string, userId: number, now: number, ttlMs: number): number {
    const expires = now + ttlMs;
    prepared(
      this.db,
      "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    ).run(tokenHash, userId, now, expires);
    return expires;
  }

  /** The session's user id if it is live; extends it when half its life is gone. */
  touch(tokenHash: string, now: number, ttlMs: number): number | null {
    const row = prepared(this.db, "SELECT user_id, expires_at FROM sessions WHERE token_hash = ?")
      .get(tokenHash) as { user_id: number; expires_at: number } | undefined;
    if (!row || row.expires_at <= now) return null;
    // Sliding expiry, written at most once per half-life to keep writes rare.
    if (row.expires_at - now < ttlMs / 2) {
      prepared(this.db, "UPDATE sessions SET expires_at = ? WHERE token_hash = ?").run(
        now + ttlMs,
        tokenHash,
      );
    }
    return row.user_id;
  }

  /** Whether the session is live and still the user's; unlike `touch`, it writes nothing. */
  isLive(tokenHash: string, userId: number, now: number): boolean {
    return prepared(
      this.db,
      "SELECT 1 FROM sessions WHERE token_hash = ? AND user_id = ? AND expires_at > ?",
    ).get(tokenHash, userId, now) !== undefined;
  }

  delete(tokenHash: string): void {
    prepared(this.db, "DELETE FROM sessions WHERE token_hash = ?").run(tokenHash);
  }

  deleteForUser(userId: number, exceptHash?: string): void {
    prepared(this.db, "DELETE FROM sessions WHERE user_id = ? AND token_hash != ?").run(
      userId,
      exceptHash ?? "",
    );
  }

  deleteExpired(now: number): void {
    prepared(this.db, "DELETE FROM sessions WHERE expires_at <= ?").run(now);
  }
}
