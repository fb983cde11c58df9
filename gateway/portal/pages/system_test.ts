import { assert, assertEquals, assertMatch } from "../../../lib/testing/assert.ts";
import {
  all,
  attributes,
  has,
  islandProps,
  islandsOf,
  one,
  readPage,
  text,
  texts,
} from "../../../tests/_helpers/html.ts";
import { loginAs, type Session } from "../../../tests/_helpers/login.ts";
import { createHarness, type Harness } from "../../testing/harness.ts";

async function page(h: Harness, path: string, as: Session) {
  return await readPage(await h.request(path, { headers: { cookie: as.cookie } }));
}

/** The `<dd>` right after the `<dt>` that reads `term`. */
function definition(doc: Document, term: string): Element {
  const dt = all(doc, "dt").find((d) => text(d) === term);
  const dd = dt?.nextElementSibling;
  assert(dd?.localName === "dd", `the page defines ${term}`);
  return dd;
}

/** The `<code>` texts of the page. */
function codes(doc: Document): string[] {
  return texts(doc, "code");
}

Deno.test("system page", async (t) => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");
  await h.user("ada", "admin", "ada-password-12");
  const viewer = await loginAs(h, "vera", "vera-password-1");
  const admin = await loginAs(h, "ada", "ada-password-12");

  await t.step("shows version, database, migrations and health, with no JavaScript", async () => {
    await h.clock.tick(3 * 3600_000 + 5 * 60_000);
    const { status, doc } = await page(h, "/system", viewer);
    assertEquals(status, 200);
    assertEquals(all(doc, "script").length, 0, "the system page ships no JavaScript");
    assertEquals(text(definition(doc, "Version")), "test");
    assert(codes(doc).includes("0123456789ab"), "the commit is shown");
    assertEquals(text(definition(doc, "Uptime")), "3 h 5 min");
    assert(codes(doc).includes(h.deps.dbPath), "the database's path is shown");
    const synchronised = definition(doc, "Synchronised");
    assertEquals(text(synchronised), "yes");
    assertEquals(synchronised.firstElementChild?.getAttribute("class"), "badge ok");
    assertEquals(text(definition(doc, "Source")), "test");
    const raw = definition(doc, "Raw samples").firstChild as Element | null;
    assertEquals([raw?.localName, raw?.getAttribute("class"), text(raw)], [
      "span",
      "badge ok",
      "stored",
    ]);
    assertMatch(text(definition(doc, "Free disk")), /^(unknown|\d+\.\d %)$/);
    for (const name of ["0001_init.sql", "0002_telemetry.sql", "0003_flows.sql"]) {
      assert(codes(doc).includes(name), `migration ${name} is listed`);
    }
  });

  await t.step(
    "only admins get the backup form, and it downloads the encrypted archive",
    async () => {
      const asViewer = (await page(h, "/system", viewer)).doc;
      assert(!has(asViewer, '[action="/system/backup"]'), "a viewer has no backup form");
      const asAdmin = (await page(h, "/system", admin)).doc;
      const form = one(asAdmin, 'form[action="/system/backup"]');
      assertEquals([form.getAttribute("class"), form.getAttribute("method")], ["stack", "post"]);
      const passphrase = attributes(one(form, 'input[name="passphrase"]'));
      assertEquals(
        [passphrase.type, passphrase.autocomplete, passphrase.required, passphrase.minlength],
        ["password", "new-password", "", "12"],
      );
      const csrf = csrfField(asAdmin);
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

  await t.step("an unsynchronised clock: admins are offered to set it, others told", async () => {
    h.clockStatus = { synchronized: false, source: "timedatectl" };
    const asAdmin = (await page(h, "/system", admin)).doc;
    assertEquals(islandsOf(asAdmin), [{
      name: "clock_set",
      props: { gatewayTimeMs: h.clock.now() },
    }]);
    assertMatch(
      text(one(asAdmin, '[data-testid="clock-set"]')),
      /Nothing synchronises the gateway's clock/,
    );
    const asViewer = (await page(h, "/system", viewer)).doc;
    assertEquals(all(asViewer, "script").length, 0, "a viewer gets no JavaScript");
    assertMatch(text(asViewer.body), /check its NTP or GPS source/);
    h.clockStatus = { synchronized: true, source: "test" };
    assertEquals(islandsOf((await page(h, "/system", admin)).doc), [], "synchronised: no offer");
  });

  await t.step("a short passphrase shows the page again with what is wrong", async () => {
    const csrf = csrfField((await page(h, "/system", admin)).doc);
    const answer = await readPage(await postForm(h, admin, { _csrf: csrf, passphrase: "short" }));
    assertEquals(answer.status, 400);
    assert(
      texts(answer.doc, '[role="alert"]').some((t) =>
        t.startsWith("Passphrase: use at least 12 characters")
      ),
      "the form says what is wrong",
    );
    const forged = await postForm(h, admin, {
      _csrf: "forged",
      passphrase: "long enough passphrase",
    });
    assertEquals(forged.status, 403);
    await forged.body?.cancel();
  });
});

/** The first form's CSRF field, as a browser would post it. */
function csrfField(doc: Document): string {
  const value = one(doc, 'input[name="_csrf"]').getAttribute("value");
  assert(value, "the page carries a CSRF field");
  return value;
}

function postForm(h: Harness, as: Session, fields: Record<string, string>) {
  return h.request("/system/backup", {
    method: "POST",
    headers: { cookie: as.cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

Deno.test("account page", async (t) => {
  await using h = await createHarness();
  await h.user("otto", "operator", "otto-password-1");
  const otto = await loginAs(h, "otto", "otto-password-1");

  await t.step("says who you are and what your role may do", async () => {
    const { status, doc } = await page(h, "/account", otto);
    assertEquals(status, 200);
    assertEquals(text(one(doc, "h1")), "Your account");
    assertEquals(text(definition(doc, "Username")), "otto");
    assert(texts(doc, 'span[class="badge info"]').includes("operator"), "the role is shown");
    assertMatch(text(doc.body), /edit and run flows/);
    assertMatch(text(doc.body), /logs you out of every other browser and device/);
    assertEquals(text(one(doc, 'label[for="account-current_password"]')), "Current password");
    assertEquals(islandsOf(doc), [{
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
    const newbie = await loginAs(h, "newbie", "one-time-pass-1");
    const { doc } = await page(h, "/account", newbie);
    assertMatch(text(doc.body), /An admin set your password: change it now/);
    assertEquals(islandProps(doc, "account_password"), { required: true });
  });
});

Deno.test("external systems page says none are configured, with no JavaScript", async () => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");
  const { status, doc } = await page(h, "/external", await loginAs(h, "vera", "vera-password-1"));
  assertEquals(status, 200);
  assertEquals(text(one(doc, "h1")), "External systems");
  assertMatch(text(doc.body), /No external systems are configured yet\./);
  const current = all(doc, 'a[aria-current="page"]').map((a) => [attributes(a), text(a)]);
  assertEquals(current, [[{ href: "/external", "aria-current": "page" }, "External systems"]]);
  assertEquals(all(doc, "script").length, 0);
});
