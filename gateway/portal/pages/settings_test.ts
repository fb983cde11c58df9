import { assert, assertEquals, assertMatch } from "../../../lib/testing/assert.ts";
import type { UserRole } from "../../../lib/schemas/common.ts";
import { createHarness, type Harness } from "../../testing/harness.ts";

/** A browser of `username`: its session cookie and the page's CSRF token. */
async function browserOf(h: Harness, username: string, password: string) {
  const res = await h.request("/v1/auth/login", { method: "POST", json: { username, password } });
  assertEquals(res.status, 200);
  const body = await res.json();
  return { cookie: res.headers.get("set-cookie")!.split(";")[0]!, csrf: body.csrf_token as string };
}

function islands(html: string): string[] {
  const m = /<script type="application\/json" id="halo-islands">(.*?)<\/script>/s.exec(html);
  return m ? JSON.parse(m[1]!).islands.map((i: { name: string }) => i.name) : [];
}

/** Form controls a person could change, leaving out the layout's log-out form. */
function editControls(html: string): string[] {
  const main = html.slice(html.indexOf('<main id="main"'));
  return [...main.matchAll(/<(input|select|textarea|button)\b[^>]*>/g)].map((m) => m[0]);
}

Deno.test("settings pages", async (t) => {
  await using h = await createHarness();
  const people: Record<UserRole, { cookie: string; csrf: string }> = {} as never;
  for (const role of ["viewer", "operator", "admin"] as const) {
    await h.user(`${role}-1`, role, `${role}-password-1`);
    people[role] = await browserOf(h, `${role}-1`, `${role}-password-1`);
  }
  const get = (path: string, role: UserRole) =>
    h.request(path, { headers: { cookie: people[role].cookie } });
  const change = (method: string, path: string, json: unknown) =>
    h.request(path, {
      method,
      json,
      headers: { cookie: people.admin.cookie, "x-csrf-token": people.admin.csrf },
    });

  await t.step("an anonymous visitor is sent to log in first", async () => {
    const res = await h.request("/settings/tokens");
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/login?next=%2Fsettings%2Ftokens");
  });

  await t.step("an admin gets the settings form with the current values", async () => {
    const res = await get("/settings", "admin");
    assertEquals(res.status, 200);
    const html = await res.text();
    assertEquals(islands(html), ["settings_general"]);
    assertMatch(html, /<label for="setting-report_interval_s">Report interval \(s\)<\/label>/);
    assertMatch(html, /id="setting-report_interval_s" name="report_interval_s" value="10"/);
    assertMatch(html, /Raw samples are kept this long \(1–365 days\)/);
    assert(!/ style="/.test(html), "no inline style attributes (the CSP forbids them)");
  });

  await t.step("viewers and operators read the settings, with nothing to change", async () => {
    for (const role of ["viewer", "operator"] as const) {
      const html = await (await get("/settings", role)).text();
      assertEquals(islands(html), []);
      assert(!html.includes("<script"), `${role}: no JavaScript`);
      assertMatch(html, /<dd data-setting="telemetry_raw_retention_days">7 days<\/dd>/);
      assertMatch(html, /Only admins change these settings/);
      assertEquals(editControls(html), [], `${role} sees no edit controls`);
    }
  });

  await t.step("users, API and enrollment tokens are the admin's; others are told so", async () => {
    for (const path of ["/settings/users", "/settings/tokens", "/settings/enrollment"]) {
      for (const role of ["viewer", "operator"] as const) {
        const res = await get(path, role);
        assertEquals(res.status, 200, `${role} ${path}`);
        const html = await res.text();
        assertMatch(html, /Only admins can see/);
        assertEquals(islands(html), []);
        assertEquals(editControls(html), []);
      }
    }
    const html = await (await get("/settings/users", "admin")).text();
    assertEquals(islands(html), ["settings_users"]);
    assertMatch(html, /<tr data-user="viewer-1">/);
    assertMatch(html, /<label class="settings-sr" for="role-\d+">Role of viewer-1<\/label>/);
  });

  await t.step("a new API token's secret is in the answer once, never in a page", async () => {
    const res = await change("POST", "/v1/tokens", { name: "backup-script", role: "viewer" });
    assertEquals(res.status, 201);
    const created = await res.json();
    assertMatch(created.token, /^halo_api_/);
    const html = await (await get("/settings/tokens", "admin")).text();
    assertMatch(html, /<tr data-token="backup-script">/);
    assert(html.includes(`<code>${created.prefix}…</code>`), "the list shows the prefix");
    assert(!html.includes(created.token), "the secret is not in the page");
    assert(!html.includes(created.token.slice(-16)), "nor any tail of it");
  });

  await t.step("a new join token's secret is in the answer once, never in a page", async () => {
    const res = await change("POST", "/v1/enrollment/tokens", {
      name: "north-ridge",
      expires_in_s: 3600,
      max_uses: 5,
    });
    assertEquals(res.status, 201);
    const created = await res.json();
    const html = await (await get("/settings/enrollment", "admin")).text();
    assertEquals(islands(html), ["settings_enrollment"]);
    assertMatch(html, /<tr data-token="north-ridge">/);
    assertMatch(html, /0 of 5/);
    assert(!html.includes(created.token), "the secret is not in the page");
  });

  await t.step("meshes: everyone reads them, the PSK never leaves the gateway", async () => {
    const psk = "very-secret-mesh-psk";
    const res = await change("POST", "/v1/meshes", {
      ssid: "ETHRX0001-8A",
      channel: 27,
      psk,
      description: "North ridge",
    });
    assertEquals(res.status, 201);
    for (const role of ["viewer", "operator", "admin"] as const) {
      const html = await (await get("/settings/meshes", role)).text();
      assertMatch(html, /<tr data-mesh="ETHRX0001-8A">/);
      assert(!html.includes(psk), `${role}: the PSK is not in the page`);
      if (role === "admin") {
        assertEquals(islands(html), ["settings_meshes"]);
        assertMatch(html, /aria-label="Edit mesh ETHRX0001-8A"/);
      } else {
        assertEquals(editControls(html), [], `${role} sees no edit controls`);
        assertMatch(html, /Only admins add or change meshes/);
      }
    }
  });

  await t.step("I2C templates say plainly that none are configured", async () => {
    const res = await get("/settings/i2c", "viewer");
    assertEquals(res.status, 200);
    const html = await res.text();
    assertMatch(html, /No I2C templates are configured yet\./);
    assert(!html.includes("<script"));
  });

  await t.step("the sub-pages link to each other and mark the current one", async () => {
    const html = await (await get("/settings/meshes", "viewer")).text();
    assertMatch(html, /<nav class="settings-tabs" aria-label="Settings">/);
    assertMatch(html, /<a href="\/settings\/meshes" aria-current="page">Meshes<\/a>/);
    assertMatch(html, /<a href="\/settings" aria-current="page">Settings<\/a>/);
  });
});
