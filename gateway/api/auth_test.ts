import { assert, assertEquals, assertMatch } from "../../lib/testing/assert.ts";
import { GatewayClient } from "../../lib/api_client.ts";
import { createHarness, type Harness } from "../testing/harness.ts";

function login(
  h: Harness,
  username: string,
  password: string,
  headers: Record<string, string> = {},
) {
  return h.request("/v1/auth/login", { method: "POST", json: { username, password }, headers });
}

function cookieOf(res: Response): string {
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

/** The cookie and CSRF token a browser page would send with a change. */
async function sessionOf(res: Response): Promise<{ cookie: string; "x-csrf-token": string }> {
  return { cookie: cookieOf(res), "x-csrf-token": (await res.json()).csrf_token };
}

Deno.test("login and sessions", async (t) => {
  await using h = await createHarness();
  await h.user("olive", "operator", "olive-password-1");

  await t.step("a right password sets an HttpOnly, SameSite=Strict session cookie", async () => {
    const res = await login(h, "olive", "olive-password-1");
    assertEquals(res.status, 200);
    const cookie = res.headers.get("set-cookie")!;
    assertMatch(cookie, /^halo_session=halo_session_[A-Za-z0-9_-]{43}; /);
    assertMatch(cookie, /HttpOnly/);
    assertMatch(cookie, /SameSite=Strict/);
    assertEquals(/Secure/.test(cookie), false);
    const body = await res.json();
    assertEquals([body.user.username, body.user.role], ["olive", "operator"]);
  });

  await t.step("the cookie identifies the user", async () => {
    const res = await login(h, "olive", "olive-password-1");
    const me = await h.request("/v1/auth/me", { headers: { cookie: cookieOf(res) } });
    assertEquals((await me.json()).name, "olive");
  });

  await t.step("behind TLS on loopback (nginx) the cookie is Secure", async () => {
    const res = await login(h, "olive", "olive-password-1", { "x-forwarded-proto": "https" });
    assertMatch(res.headers.get("set-cookie")!, /Secure/);
  });

  await t.step("X-Forwarded-Proto from a remote address is ignored", async () => {
    const res = await h.app.request("/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-proto": "https" },
      body: JSON.stringify({ username: "olive", password: "olive-password-1" }),
    }, { remoteAddr: { hostname: "198.18.0.50" } });
    assertEquals(res.status, 200);
    assertEquals(/Secure/.test(res.headers.get("set-cookie")!), false);
  });

  await t.step("a wrong password is 401 and audited as a failed login", async () => {
    const res = await login(h, "olive", "nope");
    assertEquals(res.status, 401);
    assertEquals((await res.json()).error.code, "invalid_credentials");
    const row = h.deps.db.prepare("SELECT actor, action FROM audit_log ORDER BY id DESC LIMIT 1")
      .get();
    assertEquals({ ...row }, { actor: "olive", action: "login.failed" });
  });

  await t.step(
    "repeated failures are rate-limited with Retry-After, even with the right password",
    async () => {
      for (let i = 0; i < 4; i++) await login(h, "olive", "nope");
      const res = await login(h, "olive", "olive-password-1");
      assertEquals(res.status, 429);
      assert(Number(res.headers.get("retry-after")) > 0);
      await h.clock.tick(15 * 60_000 + 1);
      assertEquals((await login(h, "olive", "olive-password-1")).status, 200);
    },
  );

  await t.step("logout ends the session", async () => {
    const session = await sessionOf(await login(h, "olive", "olive-password-1"));
    assertEquals(
      (await h.request("/v1/auth/logout", { method: "POST", headers: session })).status,
      200,
    );
    assertEquals((await h.request("/v1/auth/me", { headers: session })).status, 401);
  });

  await t.step("sessions expire", async () => {
    const cookie = cookieOf(await login(h, "olive", "olive-password-1"));
    await h.clock.tick(13 * 3600_000);
    assertEquals((await h.request("/v1/auth/me", { headers: { cookie } })).status, 401);
  });

  await t.step("changing the password needs the current one and ends other sessions", async () => {
    const other = cookieOf(await login(h, "olive", "olive-password-1"));
    const mine = await sessionOf(await login(h, "olive", "olive-password-1"));
    const wrong = await h.request("/v1/auth/password", {
      method: "POST",
      headers: mine,
      json: { current_password: "bad", new_password: "a-much-better-password" },
    });
    assertEquals(wrong.status, 400);
    const short = await h.request("/v1/auth/password", {
      method: "POST",
      headers: mine,
      json: { current_password: "olive-password-1", new_password: "short" },
    });
    assertEquals((await short.json()).error.details[0].path, "body.new_password");
    const ok = await h.request("/v1/auth/password", {
      method: "POST",
      headers: mine,
      json: { current_password: "olive-password-1", new_password: "a-much-better-password" },
    });
    assertEquals(ok.status, 200);
    assertEquals((await h.request("/v1/auth/me", { headers: { cookie: other } })).status, 401);
    assertEquals((await h.request("/v1/auth/me", { headers: mine })).status, 200);
    assertEquals((await login(h, "olive", "a-much-better-password")).status, 200);
  });

  await t.step("a change made with the cookie needs the session's CSRF token", async () => {
    const session = await sessionOf(await login(h, "olive", "a-much-better-password"));
    const me = await (await h.request("/v1/auth/me", { headers: session })).json();
    assertEquals(me.csrf_token, session["x-csrf-token"]);
    const change = { current_password: "x", new_password: "y-long-enough-password" };
    for (const csrf of [undefined, "forged", session["x-csrf-token"].slice(1)]) {
      const headers: Record<string, string> = { cookie: session.cookie };
      if (csrf !== undefined) headers["x-csrf-token"] = csrf;
      const res = await h.request("/v1/auth/password", { method: "POST", headers, json: change });
      assertEquals(res.status, 403);
      assertMatch((await res.json()).error.message, /x-csrf-token/);
    }
    const other = await sessionOf(await login(h, "olive", "a-much-better-password"));
    const crossed = await h.request("/v1/auth/logout", {
      method: "POST",
      headers: { cookie: session.cookie, "x-csrf-token": other["x-csrf-token"] },
    });
    assertEquals(crossed.status, 403, "another session's token does not fit");
  });

  await t.step("a request from another site's page is refused, even a login", async () => {
    const res = await login(h, "olive", "a-much-better-password", {
      origin: "http://evil.example",
    });
    assertEquals(res.status, 403);
    assertMatch((await res.json()).error.message, /Cross-site/);
    const same = await login(h, "olive", "a-much-better-password", { origin: "http://localhost" });
    assertEquals(same.status, 200);
  });

  await t.step("an unknown or malformed bearer token is 401, not anonymous", async () => {
    const res = await h.request("/health", { headers: { authorization: "Bearer halo_api_nope" } });
    assertEquals(res.status, 401);
    const bad = await h.request("/v1/nodes", { headers: { authorization: "Basic abc" } });
    assertEquals(bad.status, 401);
  });
});

Deno.test("API tokens", async (t) => {
  await using h = await createHarness();
  const admin = await h.tokenFor("admin");

  let created: { id: number; token: string };
  await t.step("are shown once, listed without secrets, and carry their role", async () => {
    const res = await h.request("/v1/tokens", {
      method: "POST",
      token: admin,
      json: { name: "grafana", role: "viewer" },
    });
    assertEquals(res.status, 201);
    created = await res.json();
    assertMatch(created.token, /^halo_api_[A-Za-z0-9_-]{43}$/);
    const list = await (await h.request("/v1/tokens", { token: admin })).json();
    assert(!JSON.stringify(list).includes(created.token));
    assertEquals(
      list.tokens.find((t: { name: string }) => t.name === "grafana").prefix,
      created.token.slice(0, 13),
    );
    assertEquals((await h.request("/v1/nodes", { token: created.token })).status, 200);
    assertEquals((await h.request("/v1/users", { token: created.token })).status, 403);
    const stored = h.deps.db.prepare("SELECT token_hash FROM api_tokens WHERE name = 'grafana'")
      .get() as {
        token_hash: string;
      };
    assert(!stored.token_hash.includes(created.token));
  });

  await t.step("stop working when revoked", async () => {
    assertEquals(
      (await h.request(`/v1/tokens/${created.id}`, { method: "DELETE", token: admin })).status,
      200,
    );
    assertEquals((await h.request("/v1/nodes", { token: created.token })).status, 401);
    assertEquals(
      (await h.request(`/v1/tokens/${created.id}`, { method: "DELETE", token: admin })).status,
      404,
    );
  });
});

Deno.test("users", async (t) => {
  await using h = await createHarness();
  const admin = await h.tokenFor("admin");
  await h.user("root", "admin");

  await t.step("an admin creates a user who must change the password", async () => {
    const res = await h.request("/v1/users", {
      method: "POST",
      token: admin,
      json: { username: "vera", role: "viewer", password: "initial-password" },
    });
    assertEquals(res.status, 201);
    const user = await res.json();
    assertEquals([user.username, user.role, user.must_change_password], ["vera", "viewer", true]);
    assertEquals(
      (await h.request("/v1/users", {
        method: "POST",
        token: admin,
        json: { username: "vera", role: "viewer", password: "initial-password" },
      })).status,
      409,
    );
  });

  await t.step("the last admin cannot be demoted or deleted", async () => {
    const users = (await (await h.request("/v1/users", { token: admin })).json()).users;
    const root = users.find((u: { username: string }) => u.username === "root");
    const demote = await h.request(`/v1/users/${root.id}`, {
      method: "PATCH",
      token: admin,
      json: { role: "viewer" },
    });
    assertEquals(demote.status, 409);
    assertEquals(
      (await h.request(`/v1/users/${root.id}`, { method: "DELETE", token: admin })).status,
      409,
    );
  });

  await t.step("every change is in the audit log, readable by admins only", async () => {
    const audit = await (await h.request("/v1/audit?action=user", { token: admin })).json();
    assertEquals(audit.entries.map((e: { action: string }) => e.action), ["user.create"]);
    assertEquals(
      (await h.request("/v1/audit", { token: await h.tokenFor("operator") })).status,
      403,
    );
  });
});

Deno.test("GatewayClient logged in with a password makes changes with its session's CSRF token", async () => {
  await using h = await createHarness();
  await h.user("ada", "admin", "ada-password-12");
  const client = new GatewayClient({
    baseUrl: "http://127.0.0.1",
    http: (request) =>
      Promise.resolve(h.app.fetch(request, { remoteAddr: { hostname: "127.0.0.1" } })),
  });
  await client.login("ada", "ada-password-12");
  const created = await client.request("POST", "/v1/meshes", {
    body: { ssid: "halo-lab", psk: "a-long-mesh-passphrase", channel: 36 },
  });
  assertEquals((created as { ssid: string }).ssid, "halo-lab");
});
