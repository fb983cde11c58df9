import { DatabaseSync } from "node:sqlite";
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "../../lib/testing/assert.ts";
import { createLogger } from "../../lib/log.ts";
import { openGatewayDatabase } from "../start.ts";
import { encryptWithPassphrase } from "./age.ts";
import { MANIFEST_ENTRY, packArchive } from "./archive.ts";
import { createBackup } from "./create.ts";
import { BackupError } from "./errors.ts";
import { restoreBackup } from "./restore.ts";
import { restoreReport } from "./restore_report.ts";
import { SECRET_FILES } from "./secret_files.ts";

const PASSPHRASE = "correct horse battery staple";
const NOW = Date.parse("2026-01-31T12:00:00Z");
const quiet = createLogger({ component: "test", level: "error", write: () => {} });

/** A gateway's $HALO_VAR: a migrated database naming the network, an SSH key pair, and more. */
async function gatewayVar(dir: string, network: string): Promise<void> {
  const { db } = await openGatewayDatabase(dir, quiet);
  db.prepare("INSERT INTO settings VALUES ('network_name', ?, 0, 'test')").run(
    JSON.stringify(network),
  );
  db.close();
  await Deno.mkdir(`${dir}/ssh`, { mode: 0o700 });
  await Deno.writeTextFile(`${dir}/ssh/id_ed25519`, `${network} private key\n`, { mode: 0o600 });
  await Deno.writeTextFile(`${dir}/ssh/id_ed25519.pub`, `ssh-ed25519 ${network}\n`);
  await Deno.writeTextFile(`${dir}/ssh/known_hosts`, "node-1 ssh-ed25519 AAAA\n");
}

/** Every file under `dir`, with its mode and a digest of its content, to tell what changed. */
async function tree(dir: string, prefix = ""): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for await (const entry of Deno.readDir(`${dir}/${prefix}`)) {
    const path = `${prefix}${entry.name}`;
    const mode = ((await Deno.stat(`${dir}/${path}`)).mode! & 0o777).toString(8);
    if (entry.isDirectory) {
      found[`${path}/`] = mode;
      Object.assign(found, await tree(dir, `${path}/`));
    } else {
      const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(`${dir}/${path}`));
      found[path] = `${mode} ${btoa(String.fromCharCode(...new Uint8Array(digest))).slice(0, 12)}`;
    }
  }
  return found;
}

function networkOf(dbPath: string): string {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const row = db.prepare("SELECT value FROM settings WHERE key = 'network_name'").get() as {
      value: string;
    };
    return JSON.parse(row.value);
  } finally {
    db.close();
  }
}

Deno.test("restoreBackup()", async (t) => {
  await using tmp = await (async () => {
    const path = await Deno.makeTempDir({ prefix: "halo-restore-" });
    return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
  })();
  let n = 0;
  /** Writes `bytes` to a new archive file and returns its path. */
  const archive = async (bytes: Uint8Array) => {
    const path = `${tmp.path}/backup-${++n}.tar.age`;
    await Deno.writeFile(path, bytes);
    return path;
  };
  const backupOf = async (varDir: string, options: { secretFiles?: typeof SECRET_FILES } = {}) => {
    const { db } = await openGatewayDatabase(varDir, quiet);
    try {
      const made = await createBackup(
        {
          db,
          varDir,
          tmpDir: `${varDir}/tmp`,
          now: NOW,
          gateway: { version: "1.2.3", commit: "0123456789ab" },
          ...options,
        },
        PASSPHRASE,
        { workFactor: 10 },
      );
      return new Uint8Array(await new Response(made.stream).arrayBuffer());
    } finally {
      db.close();
    }
  };
  const source = `${tmp.path}/source`;
  await gatewayVar(source, "Ridge");
  const good = await archive(await backupOf(source));
  /** A gateway's $HALO_VAR that a failed restore must leave as it is. */
  const existing = async () => {
    const dir = `${tmp.path}/existing-${++n}`;
    await gatewayVar(dir, "Valley");
    await Deno.writeTextFile(`${dir}/initial-admin`, '{"username":"admin"}\n', { mode: 0o600 });
    return dir;
  };

  await t.step("restores the database and the SSH key pair into an empty $HALO_VAR", async () => {
    const varDir = `${tmp.path}/empty/var`;
    const report = await restoreBackup({ file: good, varDir, passphrase: PASSPHRASE });
    const modes = Object.entries(await tree(varDir)).map(([path, m]) => `${path} ${m.slice(0, 3)}`)
      .sort();
    assertEquals(modes, [
      "halo.db 600",
      "ssh/ 700",
      "ssh/id_ed25519 600",
      "ssh/id_ed25519.pub 644",
    ]);
    assertEquals(networkOf(`${varDir}/halo.db`), "Ridge");
    assertEquals(await Deno.readTextFile(`${varDir}/ssh/id_ed25519`), "Ridge private key\n");
    assertEquals(report.restored.map((f) => f.path), [
      "halo.db",
      "ssh/id_ed25519",
      "ssh/id_ed25519.pub",
    ]);
    assertEquals(report.replacedDir, null);
    const printed = restoreReport(report, varDir);
    assertStringIncludes(printed, "made 2026-01-31T12:00:00.000Z by gateway-api 1.2.3");
    assertMatch(printed, /ssh\/id_ed25519 +0600 +\d+ bytes {2}SSH private key of flow commands/);
  });

  await t.step(
    "replaces a gateway's files, moving them and a stale initial-admin aside",
    async () => {
      const varDir = await existing();
      const report = await restoreBackup({ file: good, varDir, passphrase: PASSPHRASE });
      assertEquals(networkOf(`${varDir}/halo.db`), "Ridge");
      assertEquals(await Deno.readTextFile(`${varDir}/ssh/id_ed25519`), "Ridge private key\n");
      assertMatch(report.replacedDir!, /\/replaced-2\d{3}-\d\d-\d\dT\d{6}Z-[^/]+$/);
      const aside = await tree(report.replacedDir!);
      assertEquals(Object.keys(aside).sort(), [
        "halo.db",
        "initial-admin",
        "ssh/",
        "ssh/id_ed25519",
        "ssh/id_ed25519.pub",
      ]);
      assertEquals(networkOf(`${report.replacedDir}/halo.db`), "Valley");
      // known_hosts is rebuilt from the database before each SSH command; it stays.
      assertEquals(
        await Deno.readTextFile(`${varDir}/ssh/known_hosts`),
        "node-1 ssh-ed25519 AAAA\n",
      );
      assert(!(await tree(varDir))["initial-admin"], "the old initial-admin is gone");
    },
  );

  const refused = async (file: string, expected: string, passphrase = PASSPHRASE) => {
    const varDir = await existing();
    const before = await tree(varDir);
    await assertRejects(() => restoreBackup({ file, varDir, passphrase }), BackupError, expected);
    assertEquals(await tree(varDir), before, "a refused restore changes nothing");
  };

  await t.step("a wrong passphrase changes nothing", async () => {
    await refused(good, "Wrong passphrase", "correct horse battery stapler");
  });

  await t.step("a truncated or damaged archive changes nothing", async () => {
    const bytes = await Deno.readFile(good);
    await refused(await archive(bytes.slice(0, bytes.length - 100)), "damaged or truncated");
    const damaged = bytes.slice();
    damaged[Math.floor(damaged.length / 2)]! ^= 0x40;
    await refused(await archive(damaged), "damaged or truncated");
    await refused(`${tmp.path}/no-such.tar.age`, "Cannot read the backup");
  });

  await t.step(
    "a plain database from before encrypted backups is refused with directions",
    async () => {
      const old = `${tmp.path}/halo-backup-old.db`;
      await Deno.copyFile(`${source}/halo.db`, old);
      await refused(old, "is a plain database, a backup from before backups were encrypted");
    },
  );

  await t.step("a backup of a newer schema changes nothing and names the migration", async () => {
    const newer = `${tmp.path}/newer`;
    await gatewayVar(newer, "Future");
    const db = new DatabaseSync(`${newer}/halo.db`);
    db.exec("INSERT INTO schema_migrations VALUES ('0999_future.sql', 'x', 0)");
    db.close();
    await refused(
      await archive(await backupWithoutMigrating(newer)),
      "database has migrations this gateway-api does not know (0999_future.sql): it was made by a newer gateway-api (1.2.3",
    );
  });

  await t.step("a newer archive format or an unknown secret file changes nothing", async () => {
    const manifest = new TextEncoder().encode(
      JSON.stringify({ format: "halo-backup", version: 2 }),
    );
    const tar = packArchive([
      { name: MANIFEST_ENTRY, mode: 0o644, size: manifest.length, body: manifest },
    ], new Date(NOW));
    const age = await encryptWithPassphrase(tar, PASSPHRASE, { workFactor: 10 });
    await refused(
      await archive(new Uint8Array(await new Response(age.stream).arrayBuffer())),
      "newer gateway-api (archive format 2; this one reads 1)",
    );

    const withWireGuard = `${tmp.path}/wg`;
    await gatewayVar(withWireGuard, "Hub");
    await Deno.mkdir(`${withWireGuard}/wg`);
    await Deno.writeTextFile(`${withWireGuard}/wg/private.key`, "wg key\n");
    const wg = {
      name: "WireGuard key",
      path: "wg/private.key",
      mode: 0o640,
      dirMode: 0o750,
      owner: "root:halo",
    };
    await refused(
      await archive(await backupOf(withWireGuard, { secretFiles: [...SECRET_FILES, wg] })),
      "secret files include ones this gateway-api does not know (wg/private.key)",
    );
  });

  await t.step("refuses while a gateway has the database open, changing nothing", async () => {
    const varDir = await existing();
    const gateway = new DatabaseSync(`${varDir}/halo.db`);
    try {
      gateway.exec("PRAGMA journal_mode = WAL");
      gateway.prepare("SELECT count(*) FROM settings").get();
      const before = await tree(varDir);
      await assertRejects(
        () => restoreBackup({ file: good, varDir, passphrase: PASSPHRASE }),
        BackupError,
        "is in use by a running gateway: stop it first",
      );
      assertEquals(await tree(varDir), before);
    } finally {
      gateway.close();
    }
  });
});

/** A backup of `varDir` without opening it through the migrator, which refuses newer schemas. */
async function backupWithoutMigrating(varDir: string): Promise<Uint8Array> {
  const db = new DatabaseSync(`${varDir}/halo.db`);
  try {
    const made = await createBackup(
      {
        db,
        varDir,
        tmpDir: `${varDir}/tmp`,
        now: NOW,
        gateway: { version: "1.2.3", commit: "0123456789ab" },
      },
      PASSPHRASE,
      { workFactor: 10 },
    );
    return new Uint8Array(await new Response(made.stream).arrayBuffer());
  } finally {
    db.close();
  }
}
