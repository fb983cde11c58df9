import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertMatch } from "../../lib/testing/assert.ts";
import { createHarness } from "../testing/harness.ts";
import { restoreBackup } from "../backup/restore.ts";

const PASSPHRASE = "correct horse battery staple";

async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "halo-restore-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

Deno.test("system routes", async (t) => {
  await using h = await createHarness();

  await t.step("GET /health needs no login and reports version, database and clock", async () => {
    const res = await h.request("/health");
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals(body.status, "ok");
    assertEquals(body.version, "test");
    assertEquals(body.commit, "0123456789ab");
    assertEquals(body.database, { ok: true });
    assertEquals(body.clock, { synchronized: true, source: "test" });
  });

  await t.step("GET /v1/system lists applied migrations", async () => {
    const body = await (await h.request("/v1/system", { token: await h.tokenFor("viewer") }))
      .json();
    assertEquals(body.migrations.map((m: { name: string }) => m.name), [
      "0001_init.sql",
      "0002_telemetry.sql",
      "0003_flows.sql",
      "0004_flows_root_cause_ssh.sql",
      "0005_replacement_tokens.sql",
      "0006_metric_catalogue.sql",
      "0007_commands.sql",
    ]);
    assert(body.database.size_bytes > 0);
  });

  await t.step("settings change over the API and are validated", async () => {
    const admin = await h.tokenFor("admin");
    const bad = await h.request("/v1/settings", {
      method: "PATCH",
      token: admin,
      json: { report_interval_s: 0 },
    });
    assertEquals((await bad.json()).error.details[0].path, "body.report_interval_s");
    const ok = await h.request("/v1/settings", {
      method: "PATCH",
      token: admin,
      json: { network_name: "Ridge" },
    });
    assertEquals((await ok.json()).network_name, "Ridge");
    assertEquals(
      (await (await h.request("/v1/settings", { token: admin })).json()).network_name,
      "Ridge",
    );
  });

  await t.step(
    "POST /v1/system/backup answers an age file that restores the database and secret files",
    async () => {
      await Deno.mkdir(`${h.dir}/ssh`, { mode: 0o700 });
      await Deno.writeTextFile(`${h.dir}/ssh/id_ed25519`, "PRIVATE KEY\n", { mode: 0o600 });
      const res = await h.request("/v1/system/backup", {
        method: "POST",
        token: await h.tokenFor("admin"),
        json: { passphrase: PASSPHRASE },
      });
      assertEquals(res.status, 200);
      assertEquals(res.headers.get("content-type"), "application/octet-stream");
      assertMatch(
        res.headers.get("content-disposition")!,
        /^attachment; filename="halo-backup-\d{4}-\d\d-\d\dT\d{6}Z\.tar\.age"$/,
      );
      const bytes = new Uint8Array(await res.arrayBuffer());
      assertEquals(Number(res.headers.get("content-length")), bytes.length);
      assertEquals(new TextDecoder().decode(bytes.slice(0, 22)), "age-encryption.org/v1\n");
      // The snapshot's temporary file is gone once the answer is made.
      assertEquals([...Deno.readDirSync(`${h.dir}/tmp`)].length, 0);
      const audit = await (await h.request("/v1/audit", { token: await h.tokenFor("admin") }))
        .json();
      assertEquals(audit.entries[0].action, "system.backup");
      assertEquals(audit.entries[0].details.files, ["halo.db", "ssh/id_ed25519"]);

      await using target = await tempDir();
      await Deno.writeFile(`${target.path}/backup.tar.age`, bytes);
      await restoreBackup({
        file: `${target.path}/backup.tar.age`,
        varDir: `${target.path}/var`,
        passphrase: PASSPHRASE,
      });
      const copy = new DatabaseSync(`${target.path}/var/halo.db`);
      const row = copy.prepare("SELECT value FROM settings WHERE key = 'network_name'").get() as {
        value: string;
      };
      assertEquals(JSON.parse(row.value), "Ridge");
      copy.close();
      assertEquals(
        await Deno.readTextFile(`${target.path}/var/ssh/id_ed25519`),
        "PRIVATE KEY\n",
      );
    },
  );

  await t.step("POST /v1/system/backup refuses a short passphrase, naming the field", async () => {
    const res = await h.request("/v1/system/backup", {
      method: "POST",
      token: await h.tokenFor("admin"),
      json: { passphrase: "too short" },
    });
    assertEquals(res.status, 400);
    const body = await res.json();
    assertEquals(body.error.details[0].path, "body.passphrase");
    assertMatch(body.error.details[0].message, /at least 12 characters/);
    const typed = await h.request("/v1/system/backup", {
      method: "POST",
      token: await h.tokenFor("admin"),
      json: { passphrase: "long enough\nbut two lines" },
    });
    assertEquals(typed.status, 400);
    assertMatch((await typed.json()).error.message, /body\.passphrase: must not contain control/);
  });

  await t.step(
    "GET /v1/system/backup, the old plaintext download, answers 405 naming POST",
    async () => {
      const res = await h.request("/v1/system/backup", { token: await h.tokenFor("admin") });
      assertEquals(res.status, 405);
      assertEquals(res.headers.get("allow"), "POST");
      assertMatch((await res.json()).error.message, /does not take GET: use POST/);
    },
  );

  await t.step("the OpenAPI document and its reference page are served", async () => {
    const doc = await (await h.request("/v1/openapi.json")).json();
    assertEquals(doc.openapi, "3.1.0");
    assert("/v1/nodes/{id}/report" in doc.paths);
    assertEquals(doc.paths["/v1/nodes/{id}/report"].post["x-halo-access"], "agent");
    const page = await h.request("/v1/docs");
    assertMatch(page.headers.get("content-security-policy")!, /default-src 'none'/);
    const html = await page.text();
    assert(html.includes("POST</span> <code>/v1/enroll</code>"));
    assert(!html.includes("<script"));
  });

  await t.step("unknown routes and unsupported bodies answer JSON errors", async () => {
    const res = await h.request("/v1/nope");
    assertEquals([res.status, (await res.json()).error.code], [404, "not_found"]);
    const form = await h.app.request("/v1/auth/login", { method: "POST", body: "username=a" });
    assertEquals(form.status, 415);
    assertEquals((await form.json()).error.code, "unsupported_media_type");
    const broken = await h.request("/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"username":',
    });
    assertEquals([broken.status, (await broken.json()).error.code], [400, "bad_request"]);
    const big = await h.request("/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "x".repeat(1_100_000), password: "p" }),
    });
    assertEquals(big.status, 413);
  });
});

Deno.test("a body with thousands of problems gets a bounded error answer", async () => {
  await using h = await createHarness();
  const versions = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`BAD KEY ${i}`, ""]));
  const res = await h.request("/v1/enroll", {
    method: "POST",
    json: { join_token: "x", hardware: {}, hostname: "", versions },
  });
  assertEquals(res.status, 400);
  const text = await res.text();
  const body = JSON.parse(text);
  assert(body.error.details.length <= 50);
  assert(text.length < 20_000, `answer is ${text.length} bytes`);
});
