/**
 * Backup and restore onto new hardware, with the real gateway process and
 * the real tools: a running gateway answers an age-encrypted archive that
 * holds no secret in the clear; Debian's `age` opens it and `tar` lists it;
 * `gateway-api restore` puts it into an empty $HALO_VAR, and the gateway
 * started there lets the users in, keeps the mesh PSK and the SSH key, and
 * hears its nodes on their old agent tokens. Restores that must not happen
 * fail with one clear line and change nothing.
 */
import { DatabaseSync } from "node:sqlite";
import { GatewayClient } from "../lib/api_client.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../lib/testing/assert.ts";
import { createBackup } from "../gateway/backup/create.ts";
import { ageDecrypt, ignoreWithoutAge } from "./_helpers/age_cli.ts";
import {
  type GatewayDirs,
  type GatewayProcess,
  runGatewayCommand,
  startGatewayProcess,
  tempDirs,
} from "./_helpers/gateway_process.ts";

const PASSPHRASE = "plover-tundra-quince-ember-lattice";
const ADMIN_PASSWORD = "admin password after setup";
const VIERA_PASSWORD = "viewer one-time password";
const MESH_PSK = "mesh-psk-never-in-clear";
const DEVICES = [["00000000aa000001", "relay-1"], ["00000000aa000002", "leaf-1"]] as const;
/** Guards the backup download against hanging; not a timing assertion. */
const GUARD_MS = 60_000;

/** Every file under `dir` with its mode and a digest of its content. */
async function tree(dir: string, prefix = ""): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for await (const entry of Deno.readDir(`${dir}/${prefix}`)) {
    const path = `${prefix}${entry.name}`;
    const mode = ((await Deno.stat(`${dir}/${path}`)).mode! & 0o777).toString(8);
    if (entry.isDirectory) {
      Object.assign(found, { [`${path}/`]: mode }, await tree(dir, `${path}/`));
    } else {
      const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(`${dir}/${path}`));
      found[path] = `${mode} ${btoa(String.fromCharCode(...new Uint8Array(digest))).slice(0, 12)}`;
    }
  }
  return found;
}

const restore = (file: string, dirs: GatewayDirs, passphrase: string) =>
  runGatewayCommand(["restore", file], dirs, { stdin: `${passphrase}\n` });

Deno.test("an encrypted backup brings the network back on new hardware", async (t) => {
  await using dirs = await tempDirs();
  const root = dirs.varDir.replace(/\/var$/, "");
  const started: GatewayProcess[] = [];
  const start = async (d: GatewayDirs) => {
    const p = await startGatewayProcess(d);
    started.push(p);
    return p;
  };
  await using _cleanup = {
    [Symbol.asyncDispose]: () => Promise.all(started.map((p) => p.stop("SIGKILL"))).then(() => {}),
  };
  const gw = await start(dirs);
  const admin = new GatewayClient({ baseUrl: gw.baseUrl });
  let apiToken = "";
  const nodes: { id: string; token: string }[] = [];
  let publicKey = "";
  const backupFile = `${root}/halo-backup.tar.age`;

  await t.step(
    "the admin sets up users, a mesh, two nodes and a flow that runs SSH commands",
    async () => {
      const initial = JSON.parse(await Deno.readTextFile(`${dirs.varDir}/initial-admin`));
      await admin.login("admin", initial.password);
      await admin.request("POST", "/v1/auth/password", {
        body: { current_password: initial.password, new_password: ADMIN_PASSWORD },
      });
      await admin.request("POST", "/v1/users", {
        body: { username: "viera", role: "viewer", password: VIERA_PASSWORD },
      });
      await admin.request("POST", "/v1/meshes", {
        body: { ssid: "HALO-NORTH-1", channel: 27, psk: MESH_PSK },
      });
      apiToken = (await admin.request("POST", "/v1/tokens", {
        body: { name: "backup script", role: "admin" },
      }) as { token: string }).token;
      const join = await admin.request("POST", "/v1/enrollment/tokens", {
        body: { name: "field batch", max_uses: 2 },
      }) as { token: string };
      for (const [serial, hostname] of DEVICES) {
        const enrolled = await new GatewayClient({ baseUrl: gw.baseUrl }).enroll({
          join_token: join.token,
          hardware: { serial },
          hostname,
        });
        nodes.push({ id: enrolled.node_id, token: enrolled.agent_token });
        await new GatewayClient({ baseUrl: gw.baseUrl, token: enrolled.agent_token })
          .report(enrolled.node_id, { boot_id: crypto.randomUUID(), uptime_s: 60 });
      }
      await admin.request("POST", "/v1/flows", {
        body: {
          name: "restart agent",
          steps: [
            { id: "t", type: "manual", config: {} },
            {
              id: "c",
              type: "command",
              config: { node: nodes[0]!.id, command: "systemctl restart halo-agent" },
            },
          ],
          edges: [{ from: "t", to: "c" }],
        },
      });
      // The admin reads the key to authorize it on the nodes; the gateway makes it then.
      publicKey = (await admin.request("GET", "/v1/flows/ssh/public-key") as { public_key: string })
        .public_key;
      assertMatch(publicKey, /^ssh-ed25519 /);
    },
  );

  await t.step(
    "POST /v1/system/backup answers an age file with no secret in the clear",
    async () => {
      const res = await fetch(`${gw.baseUrl}/v1/system/backup`, {
        method: "POST",
        headers: { authorization: `Bearer ${apiToken}`, "content-type": "application/json" },
        body: JSON.stringify({ passphrase: PASSPHRASE }),
        signal: AbortSignal.timeout(GUARD_MS),
      });
      const bytes = new Uint8Array(await res.arrayBuffer());
      assertEquals(res.status, 200, new TextDecoder().decode(bytes.slice(0, 300)));
      assertEquals(res.headers.get("content-type"), "application/octet-stream");
      assertMatch(
        res.headers.get("content-disposition")!,
        /filename="halo-backup-[0-9TZ-]+\.tar\.age"/,
      );
      assertEquals(Number(res.headers.get("content-length")), bytes.length);
      const text = new TextDecoder("latin1").decode(bytes);
      assertMatch(text, /^age-encryption\.org\/v1\n-> scrypt [A-Za-z0-9+/]{22} 18\n/);
      const key = await Deno.readTextFile(`${dirs.varDir}/ssh/id_ed25519`);
      for (
        const secret of [
          MESH_PSK,
          "scrypt$",
          "SQLite format 3",
          key.split("\n")[1]!,
          ...nodes.map((n) => n.token),
        ]
      ) {
        assert(!text.includes(secret), `the archive shows ${secret.slice(0, 20)}… in the clear`);
      }
      await Deno.writeFile(backupFile, bytes);
      const audit = await admin.request("GET", "/v1/audit") as {
        entries: { action: string; details: unknown }[];
      };
      assertEquals(audit.entries[0]!.action, "system.backup");
    },
  );

  await t.step({
    name:
      "Debian's age decrypts it with the passphrase, and tar lists the database and the key pair",
    ignore: await ignoreWithoutAge(),
    fn: async () => {
      const wrong = await ageDecrypt(backupFile, `${root}/wrong.tar`, "not the passphrase at all");
      assertEquals(wrong.code, 1, wrong.output);
      assertStringIncludes(wrong.output, "incorrect passphrase");
      const opened = await ageDecrypt(backupFile, `${root}/backup.tar`, PASSPHRASE);
      assertEquals(opened.code, 0, opened.output);
      const listing = await new Deno.Command("tar", {
        args: ["-tf", `${root}/backup.tar`],
        stdout: "piped",
      }).output();
      assertEquals(new TextDecoder().decode(listing.stdout).trim().split("\n"), [
        "halo-backup/manifest.json",
        "halo-backup/var/halo.db",
        "halo-backup/var/ssh/id_ed25519",
        "halo-backup/var/ssh/id_ed25519.pub",
      ]);
      await new Deno.Command("tar", { args: ["-xf", `${root}/backup.tar`, "-C", root] }).output();
      assertEquals(
        await Deno.readFile(`${root}/halo-backup/var/ssh/id_ed25519`),
        await Deno.readFile(`${dirs.varDir}/ssh/id_ed25519`),
      );
    },
  });

  await using fresh = await tempDirs();
  await t.step(
    "gateway-api restore puts it into an empty $HALO_VAR and says what it restored",
    async () => {
      await gw.stop("SIGTERM");
      const result = await restore(backupFile, fresh, PASSPHRASE);
      assertEquals(result.code, 0, result.stderr);
      assertStringIncludes(result.stdout, `Restored the backup made `);
      assertMatch(result.stdout, /halo\.db +0600 +\d+ bytes {2}database/);
      assertMatch(result.stdout, /ssh\/id_ed25519 +0600 +\d+ bytes {2}SSH private key/);
      assertEquals(
        await Deno.readFile(`${fresh.varDir}/ssh/id_ed25519`),
        await Deno.readFile(`${dirs.varDir}/ssh/id_ed25519`),
      );
      assertEquals((await Deno.stat(`${fresh.varDir}/halo.db`)).mode! & 0o777, 0o600);
    },
  );

  await t.step(
    "the restored gateway lets the users in and hears its nodes on their old tokens",
    async () => {
      const restored = await start(fresh);
      const client = new GatewayClient({ baseUrl: restored.baseUrl });
      assertEquals((await client.login("admin", ADMIN_PASSWORD)).user.role, "admin");
      const viera = await new GatewayClient({ baseUrl: restored.baseUrl }).login(
        "viera",
        VIERA_PASSWORD,
      );
      assertEquals(viera.user.role, "viewer");
      const key = await client.request("GET", "/v1/flows/ssh/public-key") as { public_key: string };
      assertEquals(key.public_key, publicKey);
      for (const node of nodes) {
        const answer = await new GatewayClient({ baseUrl: restored.baseUrl, token: node.token })
          .report(node.id, { boot_id: crypto.randomUUID(), uptime_s: 5 });
        assertEquals(answer.events, ["rebooted"]);
      }
      const db = new DatabaseSync(`${fresh.varDir}/halo.db`, { readOnly: true });
      try {
        assertEquals(db.prepare("SELECT ssid, psk FROM meshes").all().map((r) => ({ ...r })), [
          { ssid: "HALO-NORTH-1", psk: MESH_PSK },
        ]);
      } finally {
        db.close();
      }

      // The running gateway writes its database meanwhile, so only the rest is compared.
      const files = async () => {
        const all = await tree(fresh.varDir);
        return Object.entries(all).map(([path, v]) =>
          path.startsWith("halo.db") ? path : `${path} ${v}`
        ).sort();
      };
      const before = await files();
      const refused = await restore(backupFile, fresh, PASSPHRASE);
      assertEquals(refused.code, 2, refused.stderr);
      assertMatch(
        refused.stderr,
        /^gateway-api: error: .*halo\.db is in use by a running gateway: stop it first/,
      );
      assertEquals(await files(), before, "a refused restore changes nothing");
      const health = await fetch(`${restored.baseUrl}/health`);
      assertEquals([health.status, (await health.json()).status], [200, "ok"]);
      assertEquals((await restored.stop("SIGTERM")).code, 0);
    },
  );

  await t.step(
    "a wrong passphrase, a damaged, truncated or newer backup fail in one line and change nothing",
    async () => {
      const bytes = await Deno.readFile(backupFile);
      const damaged = bytes.slice();
      damaged[bytes.length >> 1]! ^= 0x01;
      await Deno.writeFile(`${root}/damaged.tar.age`, damaged);
      await Deno.writeFile(`${root}/truncated.tar.age`, bytes.slice(0, bytes.length - 4096));
      await Deno.writeFile(
        `${root}/newer.tar.age`,
        await newerBackup(`${fresh.varDir}/halo.db`, root),
      );
      const fromStdin = (file: string, passphrase: string) => () =>
        restore(file, fresh, passphrase);
      const cases = [
        [
          // The passphrase can also come from the environment, as a script would give it.
          () =>
            runGatewayCommand(["restore", backupFile], fresh, {
              env: { HALO_BACKUP_PASSPHRASE: "not the passphrase at all" },
            }),
          "Wrong passphrase",
        ],
        [fromStdin(`${root}/damaged.tar.age`, PASSPHRASE), "The backup is damaged or truncated"],
        [fromStdin(`${root}/truncated.tar.age`, PASSPHRASE), "The backup is damaged or truncated"],
        [
          fromStdin(`${root}/newer.tar.age`, PASSPHRASE),
          "The backup's database has migrations this gateway-api does not know \\(0999_from_the_future.sql\\): it was made by a newer gateway-api \\(9.0.0",
        ],
      ] as const;
      const before = await tree(fresh.varDir);
      for (const [run, message] of cases) {
        const result = await run();
        assertEquals(result.code, 2, result.stderr);
        assertMatch(result.stderr, new RegExp(`^gateway-api: error: ${message}[^\\n]*\\n$`));
        assertEquals(await tree(fresh.varDir), before, `${message}: the data directory changed`);
      }
    },
  );

  await t.step("no gateway process logged an error", () => {
    assertEquals(started.flatMap((p) => p.logs.filter((l) => l.level === "error")), []);
  });
});

/** A backup whose database has a migration this gateway does not know, as a newer one makes. */
async function newerBackup(dbPath: string, root: string): Promise<Uint8Array> {
  const dir = `${root}/newer`;
  await Deno.mkdir(dir);
  await Deno.copyFile(dbPath, `${dir}/halo.db`);
  const db = new DatabaseSync(`${dir}/halo.db`);
  try {
    db.exec("INSERT INTO schema_migrations VALUES ('0999_from_the_future.sql', 'x', 0)");
    const made = await createBackup({
      db,
      varDir: dir,
      tmpDir: `${dir}/tmp`,
      now: Date.now(),
      gateway: { version: "9.0.0", commit: null },
    }, PASSPHRASE);
    return new Uint8Array(await new Response(made.stream).arrayBuffer());
  } finally {
    db.close();
  }
}
