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
  waitForIslands,
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
      await waitForIslands(watched.page);
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

    // A flow of our own raises an alert through a real execution.
    const flow = await world.admin.request("POST", "/v1/flows", {
      body: {
        name: "Browser alert check",
        enabled: true,
        steps: [
          { id: "t", type: "manual", config: {} },
          { id: "a", type: "alert", config: { severity: "critical", message: "Mast door open" } },
        ],
        edges: [{ from: "t", to: "a" }],
      },
    }) as { id: number };
    await world.admin.request("POST", `/v1/flows/${flow.id}/trigger`, { body: {} });
    let alertId = 0;
    for (let i = 0; i < 100 && !alertId; i++) {
      const { alerts } = await world.admin.request("GET", "/v1/alerts") as {
        alerts: { id: number; message: string }[];
      };
      alertId = alerts.find((a) => a.message === "Mast door open")?.id ?? 0;
      if (!alertId) await new Promise((r) => setTimeout(r, 100));
    }
    assert(alertId, "the flow raised its alert");

    await t.step("an operator acknowledges an alert and its card changes", async () => {
      const watched = await open(browser, world, "operator", `/alerts#alert-${alertId}`);
      const { page } = watched;
      await waitForIslands(watched.page);
      const card = page.locator(`#alert-${alertId}`);
      await card.getByText("Mast door open").waitFor();
      const raisedBy = card.getByRole("link", { name: /^execution #\d+$/ });
      assertMatch(
        (await raisedBy.getAttribute("href"))!,
        new RegExp(`^/flows/${flow.id}/executions/\\d+$`),
      );
      await card.getByRole("button", { name: "Acknowledge" }).click();
      const state = card.getByTestId("alert-state");
      await state.locator(".badge.acknowledged").waitFor();
      assertMatch(await state.innerText(), /acknowledged .* by operator-user/);
      assertEquals(await card.getByRole("button", { name: "Acknowledge" }).count(), 0);
      await page.reload();
      await card.getByTestId("alert-state").locator(".badge.acknowledged").waitFor();
      assertNoProblems(watched, "acknowledging an alert");
      await page.context().close();
    });

    await t.step("a viewer sees the alerts and silences with no buttons", async () => {
      const watched = await open(browser, world, "viewer", "/alerts");
      const { page } = watched;
      await page.locator(`#alert-${alertId}`).waitFor();
      assertEquals(await page.locator("main button").count(), 0);
      assertEquals(await page.locator("main form").count(), 0);
      assertNoProblems(watched, "the alerts page as viewer");
      await page.context().close();
    });

    await t.step("an operator silences a flow for a while, and ends it", async () => {
      const watched = await open(browser, world, "operator", "/alerts");
      const { page } = watched;
      await waitForIslands(watched.page);
      await page.getByRole("combobox", { name: /^What to silence/ }).selectOption("flow");
      await page.getByRole("combobox", { name: /^Flow/ }).selectOption({
        label: "Browser alert check",
      });
      await page.getByLabel("Reason").fill("door sensor being replaced");
      await page.getByRole("button", { name: "Silence", exact: true }).click();
      const row = page.getByTestId("silences").locator("tr", {
        hasText: "door sensor being replaced",
      });
      await row.waitFor();
      assertMatch(await row.innerText(), /flow Browser alert check/);
      assertMatch(await row.innerText(), /active/);
      await row.getByRole("button", { name: /^End silence/ }).click();
      await row.getByText("ended").waitFor();
      assertNoProblems(watched, "silencing a flow");
      await page.context().close();
    });

    await t.step("the neuron view shows the demo neuron and the devices hosting it", async () => {
      const watched = await open(browser, world, "viewer", "/neurons");
      const { page } = watched;
      const table = page.getByTestId("neuron-n01");
      await table.waitFor();
      const sensor = table.locator("tr", { hasText: "brain-sensor-n01" });
      assertMatch(await sensor.innerText(), /halo-leaf-01/);
      assertMatch(await sensor.innerText(), /halo-leaf-02/);
      assertMatch(
        await table.locator("tr", { hasText: "brain-thought-n01" }).innerText(),
        /halo-gateway/,
      );
      assertEquals(await page.locator("script[src]").count(), 0);
      assertNoProblems(watched, "the neurons page");
      await page.context().close();
    });

    await t.step("at phone and desktop width: no problems, axe-clean, screenshots", async () => {
      const relay = device("relay"), gateway = world.devices.find((d) => d.key === "gateway")!;
      const link = [relay.nodeId, gateway.nodeId].sort().join("~");
      for (const width of [WIDTHS.phone, WIDTHS.desktop]) {
        for (
          const [name, role, path] of [
            ["topology", "admin", "/topology"],
            ["topology-link", "admin", `/topology?link=${link}#link-history`],
            ["alerts", "operator", "/alerts?status=all"],
            ["alerts-viewer", "viewer", "/alerts"],
            ["neurons", "admin", "/neurons"],
          ] as const
        ) {
          const watched = await open(browser, world, role, path, width);
          await waitForIslands(watched.page);
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
