/**
 * Nodes, node detail and the Telemetry explorer in a real browser against a
 * real gateway with the demo network and its back-filled telemetry: the list
 * sorts and filters through links and its form, a node's chart draws stored
 * samples and zooms, an admin gets a node's replacement token shown once, the
 * explorer overlays two series and exports them as CSV; no console errors or
 * CSP violations, axe-clean, at both widths.
 */
import { assert, assertEquals, assertMatch } from "../lib/testing/assert.ts";
import { formatValue } from "../ui/lib/chart_data.ts";
import type { TelemetryResult } from "../ui/lib/telemetry_types.ts";
import {
  assertAccessible,
  assertFitsWidth,
  assertNoProblems,
  ignoreWithoutBrowser,
  launchBrowser,
  newPage,
  screenshot,
  WIDTHS,
} from "./_helpers/browser.ts";
import { startPortalWorld } from "./_helpers/portal_world.ts";

/** How long the UI may take to show a change; a guard against hanging, not a timing target. */
const UI_TIMEOUT_MS = 20_000;

Deno.test({
  name: "nodes, node detail and the telemetry explorer in a real browser",
  ignore: ignoreWithoutBrowser(),
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  await using world = await startPortalWorld();
  const browser = await launchBrowser();
  const cookie = { baseUrl: world.baseUrl, value: await world.cookieFor("viewer") };
  const apiGet = async (path: string, accept = "application/json") => {
    const res = await fetch(`${world.baseUrl}${path}`, {
      headers: { cookie: cookie.value, accept },
    });
    assertEquals(res.status, 200, `GET ${path}`);
    return res;
  };
  const leaf = world.devices.find((d) => d.key === "leaf-1")!;
  const other = world.devices.find((d) => d.key === "leaf-2")!;
  try {
    await t.step("the list sorts by a column link and filters with its form", async () => {
      const watched = await newPage(browser, { cookie });
      const { page } = watched;
      await page.goto(`${world.baseUrl}/nodes`);
      const names = () => page.locator(".nodes-table tbody td:first-child > a").allInnerTexts();
      const ascending = await names();
      assertEquals(ascending.length, world.devices.length);
      await Promise.all([
        page.waitForURL(/sort=name&dir=desc|dir=desc/),
        page.getByRole("link", { name: "Name" }).click(),
      ]);
      assertEquals(await names(), [...ascending].reverse());
      await page.getByLabel("Search").fill(leaf.name);
      await Promise.all([
        page.waitForURL(/q=/),
        page.getByRole("button", { name: "Filter" }).click(),
      ]);
      assertEquals(await names(), [leaf.name]);
      assertMatch(await page.getByTestId("node-counts").innerText(), /Showing 1 of/);
      await page.getByRole("link", { name: "Clear filters" }).click();
      await page.getByLabel("Status").selectOption("online");
      await Promise.all([
        page.waitForURL(/status=online/),
        page.getByRole("button", { name: "Filter" }).click(),
      ]);
      const statuses = await page.locator(".nodes-table tbody .badge").allInnerTexts();
      assert(statuses.length > 0, "online nodes are listed");
      assertEquals(new Set(statuses), new Set(["online"]));
      assertEquals(await page.locator("script").count(), 0, "the list ships no JavaScript");
      await Promise.all([
        page.waitForURL(new RegExp(`/nodes/${leaf.nodeId}$`)),
        page.getByRole("link", { name: leaf.name, exact: true }).click(),
      ]);
      assertNoProblems(watched, "the nodes list");
      await page.context().close();
    });

    await t.step("a node's chart draws its stored samples and zooms", async () => {
      const watched = await newPage(browser, { cookie });
      const { page } = watched;
      await page.goto(`${world.baseUrl}/nodes/${leaf.nodeId}`);
      await page.getByRole("heading", { name: leaf.name }).waitFor();
      await page.locator("[data-testid=chart] canvas").waitFor({ timeout: UI_TIMEOUT_MS });
      const shown = (await page.getByTestId("chart-legend").locator(".chart-value").first()
        .innerText()).trim();
      const stored = await (await apiGet(
        `/v1/telemetry?node=${leaf.nodeId}&metric=cpu.usage&from=${world.backfilledFrom}&resolution=raw`,
      )).json() as TelemetryResult;
      const values = stored.series[0]!.points.map((p) => "value" in p ? p.value : p.avg);
      assert(values.length > 0, "the world stored cpu.usage samples");
      assert(
        values.some((v) => formatValue(v, "%") === shown),
        `the legend's "${shown}" is one of the stored samples`,
      );
      assertMatch(await page.locator(".chart-caption").innerText(), /Last 1 h, live · raw/);

      // Hovering shows the value at that time.
      const box = (await page.locator("[data-testid=chart] .u-over").boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.getByText(/^Values at \d{4}-\d\d-\d\d \d\d:\d\d UTC$/).waitFor();
      // Dragging across the middle zooms to that span and reads it again.
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      await page.locator(".chart-caption").filter({ hasText: /UTC · raw samples$/ }).waitFor({
        timeout: UI_TIMEOUT_MS,
      });
      await page.getByRole("button", { name: "Reset zoom" }).click();
      await page.locator(".chart-caption").filter({ hasText: /Last 1 h, live/ }).waitFor();
      // A longer range asks for rollups and draws their band.
      await page.getByRole("button", { name: "24 h" }).click();
      await page.locator(".chart-caption").filter({ hasText: /1-minute rollups/ }).waitFor({
        timeout: UI_TIMEOUT_MS,
      });
      await page.getByRole("columnheader", { name: "Min – max" }).waitFor();
      // Another metric from the node's list.
      await page.getByRole("button", { name: /^soc\.temp/ }).click();
      await page.getByTestId("chart-legend").getByText("soc.temp").waitFor();
      assertNoProblems(watched, "the node detail");
      await page.context().close();
    });

    await t.step(
      "an admin creates a replacement token on the node's page, shown once",
      async () => {
        const viewer = await newPage(browser, { cookie });
        await viewer.page.goto(`${world.baseUrl}/nodes/${leaf.nodeId}`);
        await viewer.page.getByRole("heading", { name: leaf.name }).waitFor();
        assertEquals(
          await viewer.page.getByRole("button", { name: "Create replacement token" }).count(),
          0,
          "a viewer is not offered one",
        );
        await viewer.page.context().close();

        const admin = { baseUrl: world.baseUrl, value: await world.cookieFor("admin") };
        const watched = await newPage(browser, { cookie: admin });
        const { page } = watched;
        await page.goto(`${world.baseUrl}/nodes/${leaf.nodeId}`);
        await page.getByLabel("Valid for").selectOption({ label: "1 hour" });
        await page.getByRole("button", { name: "Create replacement token" }).click();
        const secret = await page.getByTestId("secret-once").inputValue();
        assertMatch(secret, /^halo_join_/);
        await assertAccessible(page, "a replacement token shown once");
        const { tokens } = await world.admin.request("GET", "/v1/enrollment/tokens") as {
          tokens: {
            prefix: string;
            replaces_node: string | null;
            max_uses: number;
            uses: number;
          }[];
        };
        const made = tokens.filter((tk) => tk.replaces_node === leaf.nodeId);
        assertEquals(
          made.map((tk) => [secret.startsWith(tk.prefix), tk.max_uses, tk.uses]),
          [[true, 1, 0]],
          "one single-use token for this node",
        );
        await page.reload({ waitUntil: "networkidle" });
        assertEquals(await page.getByTestId("secret-once").count(), 0);
        assert(!(await page.content()).includes(secret));
        assertNoProblems(watched, "creating a replacement token");
        await page.context().close();
      },
    );

    await t.step("the explorer overlays two nodes' series and exports them as CSV", async () => {
      const watched = await newPage(browser, { cookie });
      const { page } = watched;
      await page.goto(`${world.baseUrl}/telemetry?metric=cpu.usage&node=${leaf.nodeId}`);
      const legendRows = page.getByTestId("chart-legend").locator("tbody tr");
      await legendRows.first().waitFor({ timeout: UI_TIMEOUT_MS });
      assertEquals(await legendRows.count(), 1);
      await page.getByRole("checkbox", { name: other.name }).check();
      await page.waitForFunction(
        () => document.querySelectorAll("[data-testid=chart-legend] tbody tr").length === 2,
        undefined,
        { timeout: UI_TIMEOUT_MS },
      );
      const labels = await legendRows.locator("th").allInnerTexts();
      assert(labels.some((l) => l.includes(`${leaf.name} · cpu.usage`)), labels.join("; "));
      assert(labels.some((l) => l.includes(`${other.name} · cpu.usage`)), labels.join("; "));
      assertMatch(new URL(page.url()).search, new RegExp(`node=${leaf.nodeId},${other.nodeId}`));

      const exportRequest = page.waitForRequest((r) => r.url().includes("/v1/telemetry?"));
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Export CSV" }).click(),
      ]);
      const csvUrl = (await exportRequest).url();
      const csv = await Deno.readTextFile((await download.path())!);
      const [header, ...rows] = csv.trimEnd().split("\r\n");
      assertEquals(header, "time,node_id,node,metric,labels,unit,value");
      const stored = await (await apiGet(new URL(csvUrl).pathname + new URL(csvUrl).search))
        .json() as TelemetryResult;
      const expected = stored.series.flatMap((s) =>
        s.points.map((p) =>
          `${new Date(p.ts).toISOString()},${s.node_id},${s.node_name},cpu.usage,,%,${
            "value" in p ? p.value : ""
          }`
        )
      );
      assertEquals(stored.series.length, 2);
      assert(rows.length > 0, "the CSV has rows");
      assertEquals(rows, expected, "the CSV holds the stored rows of the chart's query");
      assertNoProblems(watched, "the telemetry explorer");
      await page.context().close();
    });

    await t.step("at phone and desktop width: no problems, axe-clean, screenshots", async () => {
      const pages = [
        ["nodes", "/nodes"],
        ["node-detail", `/nodes/${leaf.nodeId}`],
        ["telemetry", `/telemetry?metric=cpu.usage&node=${leaf.nodeId},${other.nodeId}`],
      ] as const;
      for (const width of [WIDTHS.phone, WIDTHS.desktop]) {
        for (const [name, path] of pages) {
          const watched = await newPage(browser, { width, cookie });
          await watched.page.goto(`${world.baseUrl}${path}`);
          if (name !== "nodes") {
            await watched.page.locator("[data-testid=chart] canvas").waitFor({
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
