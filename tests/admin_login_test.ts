import { GatewayClient } from "../lib/api_client.ts";
import { createLogger } from "../lib/log.ts";
import { assert, assertEquals, assertNotEquals, assertRejects } from "../lib/testing/assert.ts";
import { FakeFileSystem } from "../lib/testing/fake_fs.ts";
import { setOneTimeAdmin } from "../gateway/bootstrap/initial_admin.ts";
import { UserStore } from "../gateway/store/users.ts";
import { createHarness, type Harness } from "../gateway/testing/harness.ts";
import { loginAsAdmin } from "../lib/admin_login.ts";

const DATA = "/demo-data";

function clientOf(h: Harness): GatewayClient {
  return new GatewayClient({
    baseUrl: "http://127.0.0.1",
    http: (request) =>
      Promise.resolve(h.handler(request, { remoteAddr: { hostname: "127.0.0.1" } })),
  });
}

Deno.test("loginAsAdmin() changes the one-time password and keeps the new one", async (t) => {
  await using h = await createHarness();
  const fs = new FakeFileSystem();
  const oneTime = () =>
    setOneTimeAdmin({
      db: h.deps.db,
      fs,
      log: createLogger({ component: "test", write: () => {} }),
      varDir: DATA,
      now: () => h.clock.now(),
    }, "test");
  const initial = await oneTime();
  let kept = "";

  await t.step("the first time, it sets a new password kept in admin-password (0600)", async () => {
    const client = clientOf(h);
    const login = await loginAsAdmin(client, DATA, fs);
    assertEquals([login.username, login.file], ["admin", `${DATA}/admin-password`]);
    assertNotEquals(login.password, initial);
    assertEquals(fs.files.get(`${DATA}/admin-password`), `${login.password}\n`);
    assertEquals(fs.modes.get(`${DATA}/admin-password`), 0o600);
    assertEquals(new UserStore(h.deps.db).byUsername("admin")!.must_change_password, false);
    const token = await client.request("POST", "/v1/tokens", {
      body: { name: "demo", role: "viewer" },
    });
    assert((token as { token: string }).token, "the admin's session can do an admin's work");
    kept = login.password;
  });

  await t.step("a later run logs in with the kept password", async () => {
    const login = await loginAsAdmin(clientOf(h), DATA, fs);
    assertEquals(login.password, kept);
  });

  await t.step("after reset-admin it changes the new one-time password the same way", async () => {
    const reset = await oneTime();
    const login = await loginAsAdmin(clientOf(h), DATA, fs);
    assert(login.password !== reset && login.password !== kept, "a third password");
    assertEquals(fs.files.get(`${DATA}/admin-password`), `${login.password}\n`);
  });

  await t.step("when neither file's password works, it says how to reset it", async () => {
    const client = clientOf(h);
    const { password } = await loginAsAdmin(client, DATA, fs);
    await client.request("POST", "/v1/auth/password", {
      body: { current_password: password, new_password: "changed-in-the-portal" },
    });
    await assertRejects(() => loginAsAdmin(clientOf(h), DATA, fs), Error, "reset-admin");
  });
});
