import { assert, assertEquals, assertMatch } from "../../../lib/testing/assert.ts";
import type { UserRole } from "../../../lib/schemas/common.ts";
import {
  all,
  attributes,
  has,
  islandsOf,
  one,
  readPage,
  text,
} from "../../../tests/_helpers/html.ts";
import { loginAs, type Session } from "../../../tests/_helpers/login.ts";
import { createHarness } from "../../testing/harness.ts";

function islands(doc: Document): string[] {
  return islandsOf(doc).map((i) => i.name);
}

/** Form controls a person could change, leaving out the layout's log-out form. */
function editControls(doc: Document): string[] {
  return all(one(doc, "main#main"), "input, select, textarea, button").map((e) => e.outerHTML);
}

Deno.test("settings pages", async (t) => {
  await using h = await createHarness();
  const people: Record<UserRole, Session> = {} as never;
  for (const role of ["viewer", "operator", "admin"] as const) {
    await h.user(`${role}-1`, role, `${role}-password-1`);
    people[role] = await loginAs(h, `${role}-1`, `${role}-password-1`);
  }
  const get = async (path: string, role: UserRole) =>
    await readPage(await h.request(path, { headers: { cookie: people[role].cookie } }));
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
    const { status, doc } = await get("/settings", "admin");
    assertEquals(status, 200);
    assertEquals(islands(doc), ["settings_general"]);
    assertEquals(text(one(doc, 'label[for="setting-report_interval_s"]')), "Report interval (s)");
    const interval = one(doc, "#setting-report_interval_s");
    assertEquals([interval.getAttribute("name"), interval.getAttribute("value")], [
      "report_interval_s",
      "10",
    ]);
    assertMatch(text(doc.body), /Raw samples are kept this long \(1–365 days\)/);
    assertEquals(
      all(doc, "[style]").length,
      0,
      "no inline style attributes (the CSP forbids them)",
    );
  });

  await t.step("viewers and operators read the settings, with nothing to change", async () => {
    for (const role of ["viewer", "operator"] as const) {
      const { doc } = await get("/settings", role);
      assertEquals(islands(doc), []);
      assertEquals(all(doc, "script").length, 0, `${role}: no JavaScript`);
      assertEquals(text(one(doc, 'dd[data-setting="telemetry_raw_retention_days"]')), "7 days");
      assertMatch(text(doc.body), /Only admins change these settings/);
      assertEquals(editControls(doc), [], `${role} sees no edit controls`);
    }
  });

  await t.step("users, API and enrollment tokens are the admin's; others are told so", async () => {
    for (const path of ["/settings/users", "/settings/tokens", "/settings/enrollment"]) {
      for (const role of ["viewer", "operator"] as const) {
        const { status, doc } = await get(path, role);
        assertEquals(status, 200, `${role} ${path}`);
        assertMatch(text(doc.body), /Only admins can see/);
        assertEquals(islands(doc), []);
        assertEquals(editControls(doc), []);
      }
    }
    const { doc } = await get("/settings/users", "admin");
    assertEquals(islands(doc), ["settings_users"]);
    assert(has(doc, 'tr[data-user="viewer-1"]'), "the user is listed");
    const label = all(doc, 'label[class="settings-sr"]').find((l) =>
      text(l) === "Role of viewer-1"
    );
    assertMatch(label?.getAttribute("for") ?? "", /^role-\d+$/);
  });

  await t.step("a new API token's secret is in the answer once, never in a page", async () => {
    const res = await change("POST", "/v1/tokens", { name: "backup-script", role: "viewer" });
    assertEquals(res.status, 201);
    const created = await res.json();
    assertMatch(created.token, /^halo_api_/);
    const { html, doc } = await get("/settings/tokens", "admin");
    assert(has(doc, 'tr[data-token="backup-script"]'), "the token is listed");
    assert(
      all(doc, "code").some((c) => text(c) === `${created.prefix}…`),
      "the list shows the prefix",
    );
    // The bytes sent, not the parsed text: the secret must be nowhere, attributes included.
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
    const { html, doc } = await get("/settings/enrollment", "admin");
    assertEquals(islands(doc), ["settings_enrollment"]);
    assert(has(doc, 'tr[data-token="north-ridge"]'), "the join token is listed");
    assertMatch(text(doc.body), /0 of 5/);
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
      const { html, doc } = await get("/settings/meshes", role);
      assert(has(doc, 'tr[data-mesh="ETHRX0001-8A"]'), `${role}: the mesh is listed`);
      assert(!html.includes(psk), `${role}: the PSK is not in the page`);
      if (role === "admin") {
        assertEquals(islands(doc), ["settings_meshes"]);
        assert(has(doc, '[aria-label="Edit mesh ETHRX0001-8A"]'), "an admin can edit the mesh");
      } else {
        assertEquals(editControls(doc), [], `${role} sees no edit controls`);
        assertMatch(text(doc.body), /Only admins add or change meshes/);
      }
    }
  });

  await t.step("I2C templates say plainly that none are configured", async () => {
    const { status, doc } = await get("/settings/i2c", "viewer");
    assertEquals(status, 200);
    assertMatch(text(doc.body), /No I2C templates are configured yet\./);
    assertEquals(all(doc, "script").length, 0);
  });

  await t.step("the sub-pages link to each other and mark the current one", async () => {
    const { doc } = await get("/settings/meshes", "viewer");
    assertEquals(attributes(one(doc, "nav.settings-tabs")), {
      class: "settings-tabs",
      "aria-label": "Settings",
    });
    const current = all(doc, 'a[aria-current="page"]').map((a) => [attributes(a), text(a)]);
    assertEquals(current, [
      [{ href: "/settings", "aria-current": "page" }, "Settings"],
      [{ href: "/settings/meshes", "aria-current": "page" }, "Meshes"],
    ]);
  });
});
