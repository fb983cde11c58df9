/**
 * A user whose password an admin set (the initial admin, a new user) may do
 * nothing with it but change it: every operation in the OpenAPI document is
 * called as such a user, and each route for people answers 403
 * `password_change_required` except reading who you are and the change itself.
 */
import { assert, assertEquals, assertMatch } from "../lib/testing/assert.ts";
import { createHarness, type Harness } from "../gateway/testing/harness.ts";
import { hashPassword } from "../gateway/auth/password.ts";
import { UserStore } from "../gateway/store/users.ts";
import { type Caller, drain, sessionCaller, VALID_REQUESTS, World } from "./_helpers/fixtures.ts";
import { fillPath, loadOperations } from "./_helpers/openapi.ts";

/** What such a user may call, as the issue states it; public routes are open to anyone. */
const ALLOWED = new Set(["GET /v1/auth/me", "POST /v1/auth/password"]);

/** The initial admin as the gateway's first start makes it: an admin with a one-time password. */
async function oneTimeAdmin(h: Harness): Promise<Caller> {
  new UserStore(h.deps.db).create({
    username: "first-admin",
    role: "admin",
    passwordHash: await hashPassword("one-time-admin-pw"),
    mustChange: true,
  }, h.clock.now());
  return sessionCaller(h, "admin", "first-admin", "one-time-admin-pw");
}

/** A viewer an admin created over the API, with the password the admin chose. */
async function newViewer(w: World): Promise<Caller> {
  const user = await w.admin("POST", "/v1/users", {
    username: "new-viewer",
    role: "viewer",
    password: "one-time-viewer-pw",
  });
  assertEquals(user.must_change_password, true);
  return sessionCaller(w.h, "viewer", "new-viewer", "one-time-viewer-pw");
}

Deno.test("a user with a one-time password may only change it", async (t) => {
  await using h = await createHarness();
  const w = await World.create(h);
  const operations = await loadOperations((path) => h.request(path));
  const callers = [await oneTimeAdmin(h), await newViewer(w)];

  for (const caller of callers) {
    await t.step(`every route for people refuses the ${caller.label}`, async () => {
      const problems: string[] = [];
      for (const op of operations.filter((op) => op.key !== "POST /v1/auth/password")) {
        const prepared = await VALID_REQUESTS[op.key]!(w, caller);
        const headers = await caller.headers(prepared.agentToken);
        if (prepared.body !== undefined) headers.set("content-type", "application/json");
        const res = await h.request(fillPath(op.path, prepared.params ?? {}, prepared.query), {
          method: op.method,
          headers,
          ...(prepared.body !== undefined ? { body: JSON.stringify(prepared.body) } : {}),
        });
        const body = await drain(res) as { error?: { code?: string; message?: string } } | null;
        prepared.after?.(res.status);
        const got = `${op.key} (${op.access}): ${res.status} ${JSON.stringify(body).slice(0, 160)}`;
        const refused = res.status === 403 && body?.error?.code === "password_change_required";
        if (op.access === "public" || ALLOWED.has(op.key)) {
          if (res.status >= 400) problems.push(`expected to be let in: ${got}`);
        } else if (op.access === "agent") {
          if (res.status !== 403) problems.push(`expected 403 (not an agent): ${got}`);
        } else if (!refused) {
          problems.push(`expected 403 password_change_required: ${got}`);
        } else {
          assertMatch(body!.error!.message!, /POST \/v1\/auth\/password/);
        }
      }
      assertEquals(problems, []);
    });
  }

  await t.step("GET /v1/auth/me tells the client a change is due", async () => {
    const res = await h.request("/v1/auth/me", { headers: await callers[0]!.headers() });
    assertEquals((await res.json()).user.must_change_password, true);
  });

  await t.step("the portal's account page, where the change is made, still opens", async () => {
    const headers = await callers[0]!.headers();
    const home = await h.request("/", { headers });
    await home.body?.cancel();
    assertEquals(home.headers.get("location"), "/account?password=required");
    const page = await h.request("/account?password=required", { headers });
    assertEquals(page.status, 200);
    assert((await page.text()).includes('data-testid="must-change"'), "the page asks for it");
  });

  await t.step("once the password is changed, everything the role allows is open", async () => {
    const admin = callers[0]!;
    const headers = await admin.headers();
    headers.set("content-type", "application/json");
    const token = () =>
      h.request("/v1/tokens", {
        method: "POST",
        headers,
        body: JSON.stringify({ name: "after the change", role: "viewer" }),
      });
    const before = await token();
    assertEquals([before.status, (await before.json()).error.code], [
      403,
      "password_change_required",
    ]);
    const changed = await h.request("/v1/auth/password", {
      method: "POST",
      headers,
      body: JSON.stringify({
        current_password: "one-time-admin-pw",
        new_password: "the-admins-own-password",
      }),
    });
    assertEquals(changed.status, 200);
    const after = await token();
    assertEquals(after.status, 201);
    await after.body?.cancel();
  });
});
