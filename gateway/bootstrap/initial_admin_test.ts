import { createLogger } from "../../lib/log.ts";
import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { FakeFileSystem } from "../../lib/testing/fake_fs.ts";
import { verifyPassword } from "../auth/password.ts";
import { openDatabase } from "../../lib/db/database.ts";
import { migrate, readMigrations } from "../../lib/db/migrate.ts";
import { MIGRATIONS_DIR } from "../store/migrations.ts";
import { UserStore } from "../store/users.ts";
import { ensureAdmin, setOneTimeAdmin } from "./initial_admin.ts";

Deno.test("first-run admin", async (t) => {
  const db = openDatabase(":memory:");
  await migrate(db, await readMigrations(MIGRATIONS_DIR));
  const fs = new FakeFileSystem();
  const lines: string[] = [];
  const deps = {
    db,
    fs,
    log: createLogger({ component: "test", write: (l) => lines.push(l) }),
    varDir: "/var/lib/halo",
    now: () => 1_000,
  };

  await t.step("creates admin with a one-time password written 0600 and logged once", async () => {
    assertEquals(await ensureAdmin(deps), true);
    const file = JSON.parse(fs.files.get("/var/lib/halo/initial-admin")!);
    assertEquals(file.username, "admin");
    assertEquals(fs.modes.get("/var/lib/halo/initial-admin"), 0o600);
    const user = new UserStore(db).byUsername("admin")!;
    assertEquals([user.role, user.must_change_password], ["admin", true]);
    assert(await verifyPassword(file.password, user.password_hash));
    assertEquals(lines.filter((l) => l.includes(file.password)).length, 1);
  });

  await t.step("does nothing once an admin exists", async () => {
    assertEquals(await ensureAdmin(deps), false);
  });

  await t.step("reset-admin sets a new password and restores the admin role", async () => {
    const users = new UserStore(db);
    const admin = users.byUsername("admin")!;
    users.setRole(admin.id, "viewer", 2_000);
    const password = await setOneTimeAdmin(deps, "gateway-api reset-admin");
    const after = users.byUsername("admin")!;
    assertEquals([after.role, after.must_change_password], ["admin", true]);
    assert(await verifyPassword(password, after.password_hash));
    assertEquals(JSON.parse(fs.files.get("/var/lib/halo/initial-admin")!).password, password);
  });
  db.close();
});
