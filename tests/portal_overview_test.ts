/**
 * The portal in a real browser against a real gateway process: logging in as
 * each role, the overview updating live when a node drops off, and the
 * quality bars (no console errors or CSP violations, axe-clean, both widths).
 */
import { assertEquals, assertMatch } from "../lib/testing/assert.ts";
import {
  assertAccessible,
  assertFitsWidth,
  assertNoProblems,
  ignoreWithoutBrowser,
  launchBrowser,
  loginViaForm,
  newPage,
  screenshot,
  WIDTHS,
} from "./_helpers/browser.ts";
import { startPortalWorld } from "./_helpers/portal_world.ts";

/** How long the UI may take to show a change; a guard against hanging, not a timing target. */
const UI_TIMEOUT_MS = 20_000;

Deno.test({
  name: "the portal overview in a real browser",
  ignore: ignoreWithoutBrowser(),
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  await using world = await startPortalWorld();
  const browser = await launchBrowser();
  try {
    await t.step("each role logs in through the form and lands on the overview", async () => {
      for (const role of ["viewer", "operator", "admin"] as const) {
        const watched = await newPage(browser);
        const { page } = watched;
        await loginViaForm(
          page,
          world.baseUrl,
          world.users[role].username,
          world.users[role].password,
        );
        assertEquals(new URL(page.url()).pathname, "/");
        await page.getByRole("heading", { name: "Overview" }).waitFor();
        assertMatch(await page.locator(".account").innerText(), new RegExp(role));
        assertNoProblems(watched, `the overview as ${role}`);
        await page.context().close();
      }
    });

    await t.step("a wrong password says so on the form", async () => {
      const watched = await newPage(browser);
      await watched.page.goto(`${world.baseUrl}/login`);
      await watched.page.getByLabel("Username").fill("viewer-user");
      await watched.page.getByLabel("Password").fill("not-the-password");
      await watched.page.getByRole("button", { name: "Log in" }).click();
      await watched.page.getByRole("alert").filter({ hasText: "Wrong username or password" })
        .waitFor();
      await watched.page.context().close();
    });

    await t.step("the overview updates live when a node goes offline, and back", async () => {
      const cookie = { baseUrl: world.baseUrl, value: await world.cookieFor("viewer") };
      const watched = await newPage(browser, { cookie });
      const { page } = watched;
      await page.goto(`${world.baseUrl}/`);
      await page.getByText("Live", { exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
      const offline = page.getByTestId("nodes-offline").locator(".value");
      assertEquals(await offline.innerText(), "0");
      const leaf = world.devices.find((d) => d.key === "leaf-4")!;
      world.disconnect(leaf.key);
      await page.getByTestId("offline-list").getByText(leaf.name).waitFor({
        timeout: UI_TIMEOUT_MS,
      });
      assertEquals(await offline.innerText(), "1");
      await page.getByTestId("event-list").getByText(/offline/).first().waitFor();
      world.reconnect(leaf.key);
      await page.getByText("Every node is online.").waitFor({ timeout: UI_TIMEOUT_MS });
      assertNoProblems(watched, "the live overview");
      await page.context().close();
    });

    await t.step("at phone and desktop width: no problems, axe-clean, screenshots", async () => {
      const cookie = { baseUrl: world.baseUrl, value: await world.cookieFor("admin") };
      for (const width of [WIDTHS.phone, WIDTHS.desktop]) {
        for (const [name, path] of [["login", "/login"], ["overview", "/"]] as const) {
          const watched = await newPage(browser, name === "login" ? { width } : { width, cookie });
          await watched.page.goto(`${world.baseUrl}${path}`);
          if (name === "overview") {
            await watched.page.getByText("Live", { exact: true }).waitFor({
              timeout: UI_TIMEOUT_MS,
            });
          }
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
