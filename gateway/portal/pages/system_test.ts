import { assert, assertEquals, assertMatch } from "../../../lib/testing/assert.ts";
import { createHarness, type Harness } from "../../testing/harness.ts";

async function cookieOf(h: Harness, username: string, password: string): Promise<string> {
  const res = await h.request("/v1/auth/login", { method: "POST", json: { username, password } });
  assertEquals(res.status, 200);
  await res.body?.cancel();
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

Deno.test("system page", async (t) => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");
  await h.user("ada", "admin", "ada-password-12");
  const viewer = await cookieOf(h, "vera", "vera-password-1");
  const admin = await cookieOf(h, "ada", "ada-password-12");

  await t.step("shows version, database, migrations and health, with no JavaScript", async () => {
    await h.clock.tick(3 * 3600_000 + 5 * 60_000);
    const res = await h.request("/system", { headers: { cookie: viewer } });
    assertEquals(res.status, 200);
    const html = await res.text();
    assert(!html.includes("<script"), "the system page ships no JavaScript");
    assertMatch(html, /<dt>Version<\/dt><dd>test<\/dd>/);
    assertMatch(html, /<code>0123456789ab<\/code>/);
    assertMatch(html, /<dt>Uptime<\/dt><dd>3 h 5 min<\/dd>/);
    assertMatch(html, new RegExp(`<code>${h.deps.dbPath}</code>`));
    assertMatch(html, /<dt>Synchronised<\/dt><dd><span class="badge ok">yes<\/span><\/dd>/);
    assertMatch(html, /<dt>Source<\/dt><dd>test<\/dd>/);
    assertMatch(html, /<dt>Raw samples<\/dt><dd><span class="badge ok">stored<\/span>/);
    assertMatch(html, /<dt>Free disk<\/dt><dd>(unknown|\d+\.\d %)<\/dd>/);
    for (const name of ["0001_init.sql", "0002_telemetry.sql", "0003_flows.sql"]) {
      assert(html.includes(`<code>${name}</code>`), `migration ${name} is listed`);
    }
  });

  await t.step(
    "only admins get the backup form, and it downloads the encrypted archive",
    async () => {
      const viewerHtml = await (await h.request("/system", { headers: { cookie: viewer } })).text();
      assert(!viewerHtml.includes('action="/system/backup"'), "a viewer has no backup form");
      const adminHtml = await (await h.request("/system", { headers: { cookie: admin } })).text();
      assertMatch(adminHtml, /<form class="stack" method="post" action="\/system\/backup"/);
      assertMatch(
        adminHtml,
        /<input name="passphrase" type="password" autocomplete="new-password" required minLength="12"/i,
      );
      const csrf = /name="_csrf" value="([^"]+)"/.exec(adminHtml)![1]!;
      const backup = await postForm(h, admin, {
        _csrf: csrf,
        passphrase: "correct horse battery staple",
      });
      assertEquals(backup.status, 200);
      assertMatch(
        backup.headers.get("content-disposition")!,
        /^attachment; filename="halo-backup-.*\.tar\.age"$/,
      );
      const head = new TextDecoder().decode((await backup.bytes()).slice(0, 22));
      assertEquals(head, "age-encryption.org/v1\n");
    },
  );

  await t.step("a short passphrase shows the page again with what is wrong", async () => {
    const html = await (await h.request("/system", { headers: { cookie: admin } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const res = await postForm(h, admin, { _csrf: csrf, passphrase: "short" });
    assertEquals(res.status, 400);
    assertMatch(await res.text(), /role="alert">Passphrase: use at least 12 characters/);
    const forged = await postForm(h, admin, {
      _csrf: "forged",
      passphrase: "long enough passphrase",
    });
    assertEquals(forged.status, 403);
    await forged.body?.cancel();
  });
});

function postForm(h: Harness, cookie: string, fields: Record<string, string>) {
  return h.request("/system/backup", {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

Deno.test("account page", async (t) => {
  await using h = await createHarness();
  await h.user("otto", "operator", "otto-password-1");
  const cookie = await cookieOf(h, "otto", "otto-password-1");

  await t.step("says who you are and what your role may do", async () => {
    const res = await h.request("/account", { headers: { cookie } });
    assertEquals(res.status, 200);
    const html = await res.text();
    assertMatch(html, /<h1>Your account<\/h1>/);
    assertMatch(html, /<dt>Username<\/dt><dd>otto<\/dd>/);
    assertMatch(html, /<span class="badge info">operator<\/span>/);
    assertMatch(html, /edit and run flows/);
    assertMatch(html, /logs you out of every other browser and device/);
    assertMatch(html, /<label for="account-current_password">Current password<\/label>/);
    const data = /id="halo-islands">(.*?)<\/script>/s.exec(html)![1]!;
    assertEquals(JSON.parse(data).islands, [{
      name: "account_password",
      props: { required: false },
    }]);
  });

  await t.step("a password set by an admin is asked to be changed first", async () => {
    const token = await h.tokenFor("admin");
    const created = await h.request("/v1/users", {
      method: "POST",
      token,
      json: { username: "newbie", role: "viewer", password: "one-time-pass-1" },
    });
    assertEquals(created.status, 201);
    const newbie = await cookieOf(h, "newbie", "one-time-pass-1");
    const html = await (await h.request("/account", { headers: { cookie: newbie } })).text();
    assertMatch(html, /An admin set your password: change it now/);
    assertMatch(html, /"props":\{"required":true\}/);
  });
});

Deno.test("external systems page says none are configured, with no JavaScript", async () => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");
  const cookie = await cookieOf(h, "vera", "vera-password-1");
  const res = await h.request("/external", { headers: { cookie } });
  assertEquals(res.status, 200);
  const html = await res.text();
  assertMatch(html, /<h1>External systems<\/h1>/);
  assertMatch(html, /No external systems are configured yet\./);
  assertMatch(html, /<a href="\/external" aria-current="page">External systems<\/a>/);
  assert(!html.includes("<script"));
});
