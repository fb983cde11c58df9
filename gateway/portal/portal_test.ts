import { assert, assertEquals, assertMatch } from "../../lib/testing/assert.ts";
import { createHarness, type Harness } from "../testing/harness.ts";
import { PAGE_CSP } from "../../ui/framework/security_headers.ts";
import {
  all,
  attributes,
  islandsOf,
  islandUrls,
  one,
  readPage,
  text,
} from "../../tests/_helpers/html.ts";
import { sessionCookie } from "../../tests/_helpers/login.ts";

/** Logs in through the portal's form, from the portal's own origin; the answer. */
function formLogin(
  h: Harness,
  username: string,
  password: string,
  options: { next?: string; cookie?: string } = {},
): Promise<Response> {
  return h.request("/login", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: "http://localhost",
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
    body: new URLSearchParams({ username, password, next: options.next ?? "/nodes?sort=name" }),
  });
}

/** The session's CSRF token, from the page's meta tag. */
function csrfMeta(doc: Document): string {
  return one(doc, 'meta[name="csrf-token"]').getAttribute("content") ?? "";
}

Deno.test("portal pages and login", async (t) => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");

  await t.step("an anonymous visitor is sent to the login, and back after it", async () => {
    const res = await h.request("/");
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/login?next=%2F");
    const login = await readPage(await h.request("/login?next=%2F"));
    assertEquals(login.status, 200);
    assertEquals(attributes(one(login.doc, 'form[action="/login"]')), {
      class: "stack",
      method: "post",
      action: "/login",
    });
    assertEquals(all(login.doc, "script").length, 0, "the login page ships no JavaScript");
    assertEquals(login.headers.get("content-security-policy"), PAGE_CSP);
  });

  let cookie = "";
  await t.step("a wrong password shows the form again with the reason", async () => {
    const page = await readPage(await formLogin(h, "vera", "wrong"));
    assertEquals(page.status, 401);
    assertMatch(text(page.doc.body), /Wrong username or password/);
  });

  await t.step("the right one sets the session and goes where the visitor wanted", async () => {
    const res = await formLogin(h, "vera", "vera-password-1");
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/nodes?sort=name");
    cookie = sessionCookie(res);
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
    const { status, headers, doc } = await readPage(await h.request("/", { headers: { cookie } }));
    assertEquals(status, 200);
    assertEquals(headers.get("content-security-policy"), PAGE_CSP);
    assertEquals(text(one(doc, "h1")), "Overview");
    assertMatch(csrfMeta(doc), /^[A-Za-z0-9_-]{43}$/);
    assertEquals(all(doc, "halo-island").map((e) => e.getAttribute("data-i")), ["0"]);
    assertEquals(islandsOf(doc).map((i) => i.name), ["live_overview"]);
    assertMatch(islandUrls(doc).live_overview!, /^\/static\/live_overview-[0-9a-f]{10}\.js$/);
    assertEquals(
      all(doc, "[style]").length,
      0,
      "no inline style attributes (the CSP forbids them)",
    );
  });

  await t.step("hashed assets are immutable, gzipped and revalidate by ETag", async () => {
    const { doc } = await readPage(await h.request("/", { headers: { cookie } }));
    const url = islandUrls(doc).live_overview!;
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
    const csrf = csrfMeta((await readPage(await h.request("/", { headers: { cookie } }))).doc);
    assert(csrf, "the page carries the CSRF token");
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
  const cookie = sessionCookie(await formLogin(h, "newbie", "one-time-pass-1"));
  const page = await h.request("/", { headers: { cookie } });
  assertEquals(page.status, 303);
  assertEquals(page.headers.get("location"), "/account?password=required");
});

Deno.test("after logging in, a hostile next sends the user home, never elsewhere or to a 500", async (t) => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");
  const login = (next: string, cookie?: string) =>
    formLogin(h, "vera", "vera-password-1", { next, ...(cookie ? { cookie } : {}) });
  const sessions = () =>
    (h.deps.db.prepare("SELECT count(*) AS n FROM sessions").get() as { n: number }).n;
  // One of each kind; session_test.ts walks the whole table and any string.
  const hostile = ["/\t/evil.example", "/\n/x", "/\r\nset-cookie: a=b", "/.//evil.example"];
  const cookie = sessionCookie(await login("/nodes"));

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
        const page = await readPage(await h.request(`/login?next=${encodeURIComponent(next)}`));
        assertEquals(page.status, 200);
        assertEquals(attributes(one(page.doc, 'input[name="next"]')), {
          type: "hidden",
          name: "next",
          value: "/",
        });
      },
    );

    for (const [who, as] of [["logged out", undefined], ["logged in", cookie]] as const) {
      await t.step(`POST /login ${who} with next=${JSON.stringify(next)} goes to /`, async () => {
        const before = sessions();
        const res = await login(next, as);
        assertEquals(res.status, 303);
        assertEquals(res.headers.get("location"), "/");
        const fresh = sessionCookie(res);
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
