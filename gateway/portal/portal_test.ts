import { assert, assertEquals, assertMatch } from "../../lib/testing/assert.ts";
import { createHarness, type Harness } from "../testing/harness.ts";
import { PAGE_CSP } from "../../ui/framework/security_headers.ts";

/** Logs in through the portal's form; the session cookie. */
async function formLogin(h: Harness, username: string, password: string): Promise<Response> {
  return await h.request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost" },
    body: new URLSearchParams({ username, password, next: "/nodes?sort=name" }),
  });
}

function islandData(html: string): { islands: { name: string }[]; urls: Record<string, string> } {
  const m = /<script type="application\/json" id="halo-islands">(.*?)<\/script>/s.exec(html);
  assert(m, "the page carries island data");
  return JSON.parse(m[1]!);
}

Deno.test("portal pages and login", async (t) => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");

  await t.step("an anonymous visitor is sent to the login, and back after it", async () => {
    const res = await h.request("/");
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/login?next=%2F");
    const login = await h.request("/login?next=%2F");
    assertEquals(login.status, 200);
    const html = await login.text();
    assertMatch(html, /<form class="stack" method="post" action="\/login">/);
    assert(!html.includes("<script"), "the login page ships no JavaScript");
    assertEquals(login.headers.get("content-security-policy"), PAGE_CSP);
  });

  let cookie = "";
  await t.step("a wrong password shows the form again with the reason", async () => {
    const res = await formLogin(h, "vera", "wrong");
    assertEquals(res.status, 401);
    assertMatch(await res.text(), /Wrong username or password/);
  });

  await t.step("the right one sets the session and goes where the visitor wanted", async () => {
    const res = await formLogin(h, "vera", "vera-password-1");
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/nodes?sort=name");
    cookie = res.headers.get("set-cookie")!.split(";")[0]!;
    assertMatch(cookie, /^halo_session=/);
  });

  await t.step("a login form posted from another site is refused", async () => {
    const res = await h.request("/login", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "http://evil.example",
      },
      body: new URLSearchParams({ username: "vera", password: "vera-password-1" }),
    });
    assertEquals(res.status, 403);
  });

  await t.step("the overview renders with its live island and the CSRF token", async () => {
    const res = await h.request("/", { headers: { cookie } });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-security-policy"), PAGE_CSP);
    const html = await res.text();
    assertMatch(html, /<h1>Overview<\/h1>/);
    assertMatch(html, /<meta name="csrf-token" content="[A-Za-z0-9_-]{43}">/);
    assertMatch(html, /<halo-island data-i="0">/);
    const data = islandData(html);
    assertEquals(data.islands.map((i) => i.name), ["live_overview"]);
    assertMatch(data.urls.live_overview!, /^\/static\/live_overview-[0-9a-f]{10}\.js$/);
    assert(!/ style="/.test(html), "no inline style attributes (the CSP forbids them)");
  });

  await t.step("hashed assets are immutable, gzipped and revalidate by ETag", async () => {
    const html = await (await h.request("/", { headers: { cookie } })).text();
    const url = islandData(html).urls.live_overview!;
    const res = await h.request(url, { headers: { "accept-encoding": "gzip" } });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assertEquals(res.headers.get("content-encoding"), "gzip");
    assertMatch(res.headers.get("content-type")!, /^text\/javascript/);
    const etag = res.headers.get("etag")!;
    await res.body?.cancel();
    const again = await h.request(url, { headers: { "if-none-match": etag } });
    assertEquals(again.status, 304);
    assertEquals((await h.request("/static/manifest.json")).status, 404);
    assertEquals((await h.request("/static/..%2Fbuild.ts")).status, 404);
  });

  await t.step("logging out needs the page's CSRF token and ends the session", async () => {
    const html = await (await h.request("/", { headers: { cookie } })).text();
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(html)![1]!;
    const form = (token: string) =>
      h.request("/logout", {
        method: "POST",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: token }),
      });
    assertEquals((await form("forged")).status, 403);
    const res = await form(csrf);
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/login");
    assertEquals((await h.request("/", { headers: { cookie } })).status, 303);
  });
});

Deno.test("a user with a one-time password is sent to set their own first", async () => {
  await using h = await createHarness();
  const admin = await h.tokenFor("admin");
  const created = await h.request("/v1/users", {
    method: "POST",
    token: admin,
    json: { username: "newbie", role: "viewer", password: "one-time-pass-1" },
  });
  assertEquals(created.status, 201);
  const res = await formLogin(h, "newbie", "one-time-pass-1");
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  const page = await h.request("/", { headers: { cookie } });
  assertEquals(page.status, 303);
  assertEquals(page.headers.get("location"), "/account?password=required");
});

Deno.test("after logging in, a hostile next sends the user home, never elsewhere or to a 500", async (t) => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");
  const login = (next: string, cookie?: string) =>
    h.request("/login", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "http://localhost",
        ...(cookie ? { cookie } : {}),
      },
      body: new URLSearchParams({ username: "vera", password: "vera-password-1", next }),
    });
  const sessions = () =>
    (h.deps.db.prepare("SELECT count(*) AS n FROM sessions").get() as { n: number }).n;
  // One of each kind; session_test.ts walks the whole table and any string.
  const hostile = ["/\t/evil.example", "/\n/x", "/\r\nset-cookie: a=b", "/.//evil.example"];
  const first = await login("/nodes");
  const cookie = first.headers.get("set-cookie")!.split(";")[0]!;

  for (const next of hostile) {
    await t.step(`GET /login?next=${JSON.stringify(next)} while logged in goes to /`, async () => {
      const res = await h.request(`/login?next=${encodeURIComponent(next)}`, {
        headers: { cookie },
      });
      assertEquals(res.status, 303);
      assertEquals(res.headers.get("location"), "/");
    });

    await t.step(
      `GET /login?next=${JSON.stringify(next)} logged out keeps / in the form`,
      async () => {
        const res = await h.request(`/login?next=${encodeURIComponent(next)}`);
        assertEquals(res.status, 200);
        assertMatch(await res.text(), /<input type="hidden" name="next" value="\/"\/>/);
      },
    );

    for (const [who, as] of [["logged out", undefined], ["logged in", cookie]] as const) {
      await t.step(`POST /login ${who} with next=${JSON.stringify(next)} goes to /`, async () => {
        const before = sessions();
        const res = await login(next, as);
        assertEquals(res.status, 303);
        assertEquals(res.headers.get("location"), "/");
        const fresh = res.headers.get("set-cookie")!.split(";")[0]!;
        assertEquals(sessions(), before + 1);
        assertEquals((await h.request("/", { headers: { cookie: fresh } })).status, 200);
      });
    }
  }

  await t.step("a page asked for while logged out comes back through a safe next", async () => {
    const res = await h.request("/nodes?sort=name");
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/login?next=%2Fnodes%3Fsort%3Dname");
  });
});
