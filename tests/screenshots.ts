/**
 * `deno task screenshots`: regenerates the README's portal screenshots
 * (ui/screenshots/*.png, committed) from a fresh browser world — the real
 * gateway with the demo network, its telemetry and the demo flow.
 */
import { launchBrowser, newPage, WIDTHS } from "./_helpers/browser.ts";
import { startPortalWorld } from "./_helpers/portal_world.ts";

const OUT_DIR = new URL("../ui/screenshots/", import.meta.url);

if (import.meta.main) {
  await using world = await startPortalWorld();
  const browser = await launchBrowser();
  try {
    const cookie = { baseUrl: world.baseUrl, value: await world.cookieFor("admin") };
    await Deno.mkdir(OUT_DIR, { recursive: true });
    const shots = [
      { name: "overview", path: "/", ready: "Live", select: null },
      // With the alert step open, so the generated form and variable picker show.
      {
        name: "flow-builder",
        path: `/flows/${world.demoFlowId}`,
        ready: null,
        select: '[data-step="alert"] .step-box',
      },
    ];
    for (const shot of shots) {
      const { page } = await newPage(browser, { width: WIDTHS.desktop, cookie });
      await page.goto(`${world.baseUrl}${shot.path}`);
      if (shot.ready) await page.getByText(shot.ready, { exact: true }).waitFor();
      if (shot.select) await page.locator(shot.select).click();
      await page.waitForLoadState("load");
      const file = new URL(`${shot.name}.png`, OUT_DIR);
      await page.screenshot({ path: file.pathname, fullPage: true });
      console.log(`wrote ${decodeURIComponent(file.pathname)}`);
      await page.context().close();
    }
  } finally {
    await browser.close();
  }
}
