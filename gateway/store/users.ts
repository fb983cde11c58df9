import type { DatabaseSync } from "node:sqlite";
import type { User } from "../../lib/schemas/auth.ts";
import type { UserRole } from "../../lib/schemas/common.ts";
import { iso, isoOrNull } from "./time.ts";
import { prepared } from "../../lib/db/database.ts";

/** A user row including the password hash; never sent over the API. */
export interface UserRecord extends User {
  password_hash: string;
}

interface Row {
  id: number;
  username: string;
  password_hash: string;
  role: UserRole;
  must_change_password: number;
  created_at: number;
  last_login_at: number | null;
}

const toRecord = (r: Row): UserRecord => ({
  id: r.id,
  username: r.username,
  role: r.role,
  must_change_password: r.must_change_password === 1,
  created_at: iso(r.created_at),
  last_login_at: isoOrNull(r.last_login_at),
  password_hash: r.password_hash,
});

/** Strips the password hash. */
export function publicUser(u: UserRecord): User {
  const { password_hash: _, ...rest } = u;
  return rest;
}

/** Users and their credentials. */
export class UserStore {
  constructor(private readonly db: DatabaseSync) {}

  list(): UserRecord[] {
    return (prepared(this.db, "SELECT * FROM users ORDER BY username").all() as unknown as Row[])
      .map(toRecord);
  }

  byId(id: number): UserRecord | null {
    const row = prepared(this.db, "SELECT * FROM users WHERE id = ?").get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  byUsername(username: string): UserRecord | null {
    const row = prepared(this.db, "SELECT * FROM users WHERE username = ?").get(username) as
      | Row
      | undefined;
    return row ? toRecord(row) : null;
  }

  create(
    input: { username: string; role: UserRole; passwordHash: string; mustChange: boolean },
    now: number,
  ): UserRecord {
    const { lastInsertRowid } = prepared(
      this.db,
      `INSERT INTO users (username, password_hash, role, must_change_password, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(input.username, input.passwordHash, input.role, input.mustChange ? 1 : 0, now, now);
    return this.byId(Number(lastInsertRowid))!;
  }

  setPassword(id: number, passwordHash: string, mustChange: boolean, now: number): void {
    prepared(
      this.db,
      "UPDATE users SET password_hash = ?, must_change_password = ?, updated_at = ? WHERE id = ?",
    ).run(passwordHash, mustChange ? 1 : 0, now, id);
  }

  setRole(id: number, role: UserRole, now: number): void {
    prepared(this.db, "UPDATE users SET role = ?, updated_at = ? WHERE id = ?").run(role, now, id);
  }

  recordLogin(id: number, now: number): void {
    prepared(this.db, "UPDATE users SET last_login_at = ? WHERE id = ?").run(now, id);
  }

  delete(id: number): void {
    prepared(this.db, "DELETE FROM users WHERE id = ?").run(id);
  }

  countAdmins(): number {
    return (prepared(this.db, "SELECT count(*) AS n FROM users WHERE role = 'admin'").get() as {
      n: number;
    }).n;
  }
}
