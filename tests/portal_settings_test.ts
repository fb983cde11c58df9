/**
 * Settings, System, Account and External systems in a real browser against a
 * real gateway process: an admin adds a user who then sets their own
 * password, creates an API token that is shown once, changes retention and
 * sees refusals on the field the API names; a viewer gets no edit controls;
 * every page is axe-clean, fits 390 px and raises no console errors or CSP
 * violations.
 */
import type { Page } from "playwright-core";
import { assert, assertEquals, assertMatch } from "../lib/testing/assert.ts";
import {
  assertAccessible,
  assertFitsWidth,
  assertNoProblems,
  ignoreWithoutBrowser,
  launchBrowser,
  loginViaForm,
  newPage,
  screenshot,
  waitForIslands,
  type WatchedPage,
  WIDTHS,
} from "./_helpers/browser.ts";
import { startPortalWorld } from "./_helpers/portal_world.ts";

/** The pages of this section, with the name of their screenshots. */
const PAGES = [
  ["settings", "/settings"],
  ["settings-users", "/settings/users"],
  ["settings-tokens", "/settings/tokens"],
  ["settings-enrollment", "/settings/enrollment"],
  ["settings-meshes", "/settings/meshes"],
  ["settings-i2c", "/settings/i2c"],
  ["system", "/system"],
  ["account", "/account"],
  ["external", "/external"],
] as const;

/** Controls in the page's main part (the layout's log-out button is outside it). */
function editControls(page: Page) {
  return page.locator("main").locator("input, select, textarea, button");
}

/**
 * Takes the API refusals a step provoked on purpose out of the page's
 * problems: Chromium logs every 4xx fetch as a console error. Fails unless
 * exactly `count` were seen, so an unexpected refusal still shows.
 */
function expectRefusals(watched: WatchedPage, count: number): void {
  const refusal = /Failed to load resource: the server responded with a status of 400/;
  const seen = watched.problems.filter((p) => refusal.test(p)).length;
  assertEquals(seen, count, `refused requests: ${watched.problems.join("; ")}`);
  watched.problems.splice(
    0,
    watched.problems.length,
    ...watched.problems.filter((p) => !refusal.test(p)),
  );
}

/**
 * Opens `url` and waits until the network is quiet: the islands hydrated and
 * the favicon fetched (leaving sooner aborts it, which counts as a failed request).
 */
async function visit(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: "networkidle" });
}

Deno.test({
  name: "settings, system and account pages in a real browser",
  ignore: ignoreWithoutBrowser(),
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  await using world = await startPortalWorld();
  const browser = await launchBrowser();
  const admin = { baseUrl: world.baseUrl, value: await world.cookieFor("admin") };
  try {
    await t.step("an admin adds a user, who logs in and sets their own password", async () => {
      const watched = await newPage(browser, { cookie: admin });
      const { page } = watched;
      await visit(page, `${world.baseUrl}/settings/users`);
      await page.getByLabel("Username").fill("field-tech");
      await page.getByLabel("Role", { exact: true }).selectOption("operator");
      await page.getByLabel("Initial password").fill("short");
      await page.getByRole("button", { name: "Add user" }).click();
      const passwordError = page.locator("#new-user-password-error");
      await passwordError.waitFor();
      assertEquals(await passwordError.innerText(), "use at least 12 characters");
      assertEquals(await page.getByLabel("Initial password").getAttribute("aria-invalid"), "true");
      await page.getByLabel("Initial password").fill("field-tech-first-1");
      await page.getByRole("button", { name: "Add user" }).click();
      await page.getByRole("status").filter({ hasText: "Created field-tech (operator)" }).waitFor();
      const row = page.locator('tr[data-user="field-tech"]');
      await row.getByText("must change password").waitFor();
      expectRefusals(watched, 1);
      assertNoProblems(watched, "adding a user");
      await page.context().close();

      const tech = await newPage(browser);
      await loginViaForm(tech.page, world.baseUrl, "field-tech", "field-tech-first-1");
      assertEquals(new URL(tech.page.url()).pathname, "/account");
      await tech.page.getByText("An admin set your password").waitFor();
      await waitForIslands(tech.page);
      await tech.page.getByLabel("Current password").fill("not-the-password");
      await tech.page.getByLabel("New password", { exact: true }).fill("field-tech-own-pass-1");
      await tech.page.getByLabel("New password again").fill("field-tech-own-pass-1");
      await tech.page.getByRole("button", { name: "Change password" }).click();
      await tech.page.locator("#account-current_password-error").getByText("does not match")
        .waitFor();
      await tech.page.getByLabel("Current password").fill("field-tech-first-1");
      await tech.page.getByRole("button", { name: "Change password" }).click();
      await tech.page.getByRole("status").filter({ hasText: "Password changed" }).waitFor();
      await tech.page.getByRole("link", { name: "Continue to the overview" }).click();
      await tech.page.getByRole("heading", { name: "Overview" }).waitFor();
      assertMatch(await tech.page.locator(".account").innerText(), /field-tech\s+operator/);
      expectRefusals(tech, 1);
      assertNoProblems(tech, "the first password change");
      await tech.page.context().close();

      const again = await newPage(browser);
      await loginViaForm(again.page, world.baseUrl, "field-tech", "field-tech-own-pass-1");
      assertEquals(new URL(again.page.url()).pathname, "/");
      await again.page.context().close();
    });

    await t.step(
      "an API token is shown once, works, is gone after a reload, and is revoked",
      async () => {
        const watched = await newPage(browser, { cookie: admin });
        const { page } = watched;
        await visit(page, `${world.baseUrl}/settings/tokens`);
        await page.getByLabel("Name").fill("backup-script");
        await page.getByLabel("Role", { exact: true }).selectOption("viewer");
        await page.getByRole("button", { name: "Create token" }).click();
        const shown = page.getByTestId("secret-once");
        await shown.waitFor();
        const secret = await shown.inputValue();
        assertMatch(secret, /^halo_api_/);
        await page.getByText("it is shown only this once").waitFor();
        await assertAccessible(page, "the API token shown once");
        await screenshot(page, "settings-token-once");
        const me = await fetch(`${world.baseUrl}/v1/auth/me`, {
          headers: { authorization: `Bearer ${secret}` },
        });
        assertEquals([me.status, (await me.json()).name], [200, "backup-script"]);

        await page.reload({ waitUntil: "networkidle" });
        await page.locator('tr[data-token="backup-script"]').waitFor();
        assertEquals(await shown.count(), 0);
        assert(!(await page.content()).includes(secret), "the secret is not on the page again");

        // Revoked with the keyboard alone: Enter asks, focus moves to the confirming button.
        await page.getByRole("button", { name: "Revoke API token backup-script" }).focus();
        await page.keyboard.press("Enter");
        await settleFocus(page, () => document.activeElement?.textContent === "Yes, revoke");
        assertEquals(await page.evaluate(() => document.activeElement?.textContent), "Yes, revoke");
        await page.keyboard.press("Enter");
        await page.locator('tr[data-token="backup-script"]').getByText("revoked").waitFor();
        const after = await fetch(`${world.baseUrl}/v1/auth/me`, {
          headers: { authorization: `Bearer ${secret}` },
        });
        await after.body?.cancel();
        assertEquals(after.status, 401, "a revoked token no longer works");
        assertNoProblems(watched, "creating and revoking an API token");
        await page.context().close();
      },
    );

    await t.step("a join token is shown once too", async () => {
      const watched = await newPage(browser, { cookie: admin });
      const { page } = watched;
      await visit(page, `${world.baseUrl}/settings/enrollment`);
      await page.getByLabel("Name").fill("north-ridge");
      await page.getByLabel("Valid for").selectOption({ label: "7 days" });
      await page.getByLabel("Nodes it may enroll").fill("5");
      await page.getByRole("button", { name: "Create enrollment token" }).click();
      const secret = await page.getByTestId("secret-once").inputValue();
      assertMatch(secret, /^halo_join_/);
      await page.locator('tr[data-token="north-ridge"]').getByText("0 of 5").waitFor();
      await page.reload({ waitUntil: "networkidle" });
      assertEquals(await page.getByTestId("secret-once").count(), 0);
      assert(!(await page.content()).includes(secret));
      assertNoProblems(watched, "creating a join token");
      await page.context().close();
    });

    await t.step("retention changes persist, and a bad value is shown on its field", async () => {
      const watched = await newPage(browser, { cookie: admin });
      const { page } = watched;
      await visit(page, `${world.baseUrl}/settings`);
      await page.getByLabel("Raw samples (days)").fill("14");
      await page.getByRole("button", { name: "Save settings" }).click();
      await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
      await page.reload({ waitUntil: "networkidle" });
      assertEquals(await page.getByLabel("Raw samples (days)").inputValue(), "14");
      const stored = await world.admin.request("GET", "/v1/settings") as Record<string, unknown>;
      assertEquals(stored.telemetry_raw_retention_days, 14);

      const rollups = page.getByLabel("1-minute rollups (days)");
      await rollups.fill("3");
      await page.getByRole("button", { name: "Save settings" }).click();
      const error = page.locator("#setting-telemetry_1m_retention_days-error");
      await error.waitFor();
      assertEquals(await error.innerText(), "must be at least telemetry_raw_retention_days");
      assertEquals(await rollups.getAttribute("aria-invalid"), "true");
      await settleFocus(
        page,
        () => document.activeElement?.id === "setting-telemetry_1m_retention_days",
      );
      assertEquals(
        await page.evaluate(() => document.activeElement?.id),
        "setting-telemetry_1m_retention_days",
        "focus moves to the field to fix",
      );
      await assertAccessible(page, "settings with a field error");
      await screenshot(page, "settings-field-error");
      const after = await world.admin.request("GET", "/v1/settings") as Record<string, unknown>;
      assertEquals(after.telemetry_1m_retention_days, 90, "the refused value was not stored");
      expectRefusals(watched, 1);
      assertNoProblems(watched, "changing retention");
      await page.context().close();
    });

    await t.step("an admin edits a mesh without touching its PSK", async () => {
      const watched = await newPage(browser, { cookie: admin });
      const { page } = watched;
      await visit(page, `${world.baseUrl}/settings/meshes`);
      await page.getByRole("button", { name: "Edit mesh ETHRX0001-8A" }).click();
      const psk = page.getByLabel("New PSK");
      await psk.waitFor();
      await settleFocus(
        page,
        () => /^edit-mesh-\d+-channel$/.test(document.activeElement?.id ?? ""),
      );
      assertMatch(
        await page.evaluate(() => document.activeElement?.id ?? ""),
        /^edit-mesh-\d+-channel$/,
        "the edit form takes the keyboard focus",
      );
      assertEquals(await psk.inputValue(), "", "the PSK is never filled in");
      const form = page.getByRole("region", { name: "Edit mesh ETHRX0001-8A" });
      await form.getByLabel("Description").fill("North ridge backbone");
      await page.getByRole("button", { name: "Save mesh" }).click();
      await page.getByRole("status").filter({ hasText: "Saved ETHRX0001-8A." }).waitFor();
      const row = page.locator('tr[data-mesh="ETHRX0001-8A"]');
      await row.getByText("North ridge backbone").waitFor();
      assertEquals(await row.locator("td").nth(3).innerText(), "set");
      assert(!(await page.content()).includes("halo-demo-mesh-passphrase"));
      assertNoProblems(watched, "editing a mesh");
      await page.context().close();
    });

    await t.step("a viewer reads settings and meshes with no edit controls", async () => {
      const viewer = { baseUrl: world.baseUrl, value: await world.cookieFor("viewer") };
      const watched = await newPage(browser, { cookie: viewer });
      const { page } = watched;
      for (const [, path] of PAGES.filter(([n]) => n.startsWith("settings"))) {
        await visit(page, `${world.baseUrl}${path}`);
        assertEquals(await editControls(page).count(), 0, `no edit controls on ${path}`);
      }
      await visit(page, `${world.baseUrl}/settings/users`);
      await page.getByText("Only admins can see users and roles").waitFor();
      await visit(page, `${world.baseUrl}/settings`);
      assertEquals(
        await page.locator('dd[data-setting="telemetry_raw_retention_days"]').innerText(),
        "14 days",
      );
      await visit(page, `${world.baseUrl}/system`);
      assertEquals(await page.getByTestId("backup-form").count(), 0);
      assertNoProblems(watched, "the viewer's pages");
      await page.context().close();
    });

    await t.step("the admin downloads a backup from the system page", async () => {
      const watched = await newPage(browser, { cookie: admin });
      const { page } = watched;
      await visit(page, `${world.baseUrl}/system`);
      await page.getByRole("cell", { name: "0001_init.sql" }).waitFor();
      await page.getByLabel("Backup passphrase").fill("correct horse battery staple");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download an encrypted backup" }).click(),
      ]);
      assertMatch(download.suggestedFilename(), /^halo-backup-.*\.tar\.age$/);
      const path = await download.path();
      const header = new Uint8Array(22);
      using file = await Deno.open(path, { read: true });
      await file.read(header);
      assertEquals(new TextDecoder().decode(header), "age-encryption.org/v1\n");
      assertNoProblems(watched, "downloading a backup");
      await page.context().close();
    });

    await t.step("every page: axe-clean, fits the width, no problems, screenshots", async () => {
      for (const width of [WIDTHS.phone, WIDTHS.desktop]) {
        for (const [name, path] of PAGES) {
          const watched = await newPage(browser, { width, cookie: admin });
          await visit(watched.page, `${world.baseUrl}${path}`);
          await assertAccessible(watched.page, `${name} at ${width} px`);
          await assertFitsWidth(watched.page, `${name} at ${width} px`);
          await screenshot(watched.page, name);
          assertNoProblems(watched, `${name} at ${width} px`);
          await watched.page.context().close();
        }
      }
    });
  } finally {
    await browser.close();
  }
});

/**
 * Islands move focus in an effect after they render: give that a moment
 * (bounded) before the assertion that follows checks where focus is.
 */
async function settleFocus(page: Page, focused: () => boolean): Promise<void> {
  await page.waitForFunction(focused, undefined, { timeout: 5_000 }).catch(() => {});
}
