import type { DatabaseSync } from "node:sqlite";
import type { FileSystem } from "../../lib/fs.ts";
import type { Logger } from "../../lib/log.ts";
import { generatePassword } from "../../lib/random_password.ts";
import { hashPassword } from "../auth/password.ts";
import { AuditLog } from "../store/audit.ts";
import { SessionStore } from "../store/sessions.ts";
import { UserStore } from "../store/users.ts";
import { transaction } from "../../lib/db/database.ts";

/** Where the one-time admin password is written: `$HALO_VAR/initial-admin`, mode 0600. */
export const INITIAL_ADMIN_FILE = "initial-admin";

/** Options for {@linkcode setOneTimeAdmin}. */
export interface OneTimeAdminDeps {
  db: DatabaseSync;
  fs: FileSystem;
  log: Logger;
  varDir: string;
  now: () => number;
}

/**
 * Gives user `admin` a fresh one-time password (creating the user, or
 * restoring its admin role), ends its sessions, writes the credentials to
 * `$HALO_VAR/initial-admin` (0600) and logs them once. The portal asks for a
 * new password at the next login.
 *
 * @returns the new password.
 */
export async function setOneTimeAdmin(deps: OneTimeAdminDeps, reason: string): Promise<string> {
  const password = generatePassword();
  const hash = await hashPassword(password);
  const users = new UserStore(deps.db);
  const now = deps.now();
  transaction(deps.db, () => {
    const existing = users.byUsername("admin");
    if (existing) {
      users.setPassword(existing.id, hash, true, now);
      users.setRole(existing.id, "admin", now);
      new SessionStore(deps.db).deleteForUser(existing.id);
    } else {
      users.create({ username: "admin", role: "admin", passwordHash: hash, mustChange: true }, now);
    }
    new AuditLog(deps.db, deps.now).record(
      { kind: "system", name: "gateway-api" },
      existing ? "user.password_reset" : "user.create",
      "admin",
      { reason },
    );
  });
  const file = `${deps.varDir}/${INITIAL_ADMIN_FILE}`;
  await deps.fs.writeTextFileAtomic(file, JSON.stringify({ username: "admin", password }) + "\n", {
    mode: 0o600,
  });
  deps.log.warn("one-time admin password set; change it at first login", {
    username: "admin",
    password,
    file,
    reason,
  });
  return password;
}

/** On first run (no admin at all), creates the one-time admin. Returns true if it did. */
export async function ensureAdmin(deps: OneTimeAdminDeps): Promise<boolean> {
  if (new UserStore(deps.db).countAdmins() > 0) return false;
  await setOneTimeAdmin(deps, "first run: no admin exists");
  return true;
}
