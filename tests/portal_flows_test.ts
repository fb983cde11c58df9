/**
 * The Flows builder in a real browser against a real gateway: an admin builds
 * a flow with the mouse (drag from the palette, connect by the ports,
 * configure with the variable picker), saves it, sees a bad field named on
 * its step, triggers it and follows the trace; steps are added, connected
 * and deleted with the keyboard alone; a webhook URL shows its host only and
 * stays stored through a save until replaced; a viewer gets the canvas
 * read-only; the Flows pages are axe-clean, fit a phone and log no problems.
 */
import type { Page } from "playwright-core";
import { assert, assertEquals, assertMatch } from "../lib/testing/assert.ts";
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

/** A guard against hanging, not a timing target. */
const UI_TIMEOUT_MS = 20_000;

interface FlowBody {
  steps: { id: string; type: string; config: Record<string, unknown> }[];
  edges: { from: string; to: string; branch?: string }[];
}

/** Drags from the centre of one element to the centre of another with the mouse. */
async function dragBetween(page: Page, from: string, to: string): Promise<void> {
  const a = (await page.locator(from).boundingBox())!;
  const b = (await page.locator(to).boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
}

Deno.test({
  name: "the Flows builder in a real browser",
  ignore: ignoreWithoutBrowser(),
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  await using world = await startPortalWorld();
  const browser = await launchBrowser();
  const admin = { baseUrl: world.baseUrl, value: await world.cookieFor("admin") };
  let flowId = 0;
  let executionId = 0;
  try {
    await t.step("an admin builds a flow with the mouse and saves it", async () => {
      const watched = await newPage(browser, { cookie: admin });
      const { page } = watched;
      await page.goto(`${world.baseUrl}/flows/new`);
      await page.getByLabel("Flow name").fill("Paged by hand");
      const canvas = page.getByTestId("flow-canvas").locator("svg");
      await page.getByTestId("palette-manual").dragTo(canvas, {
        sourcePosition: { x: 10, y: 10 },
        targetPosition: { x: 130, y: 90 },
      });
      await page.getByTestId("palette-alert").dragTo(canvas, {
        sourcePosition: { x: 10, y: 10 },
        targetPosition: { x: 480, y: 90 },
      });
      await page.locator('[data-step="manual_1"]').waitFor();
      await page.locator('[data-step="alert_1"]').waitFor();

      await dragBetween(
        page,
        '[data-step="manual_1"] [data-port]',
        '[data-step="alert_1"] .step-box',
      );
      await page.getByTestId("builder-status").filter({ hasText: "Connected manual_1 → alert_1" })
        .waitFor();

      await page.locator('[data-step="alert_1"] .step-box').click();
      await page.getByLabel("Severity").selectOption("critical");
      const message = page.getByRole("textbox", { name: "Message", exact: true });
      await message.fill("Paged by hand from ");
      await page.getByLabel("Insert variable into Message").selectOption("flow_name");
      assertEquals(await message.inputValue(), "Paged by hand from {flow_name}");

      await Promise.all([
        page.waitForURL(/\/flows\/\d+\?created=1$/),
        page.getByRole("button", { name: "Save flow" }).click(),
      ]);
      flowId = Number(/\/flows\/(\d+)/.exec(page.url())![1]);
      await page.getByText('Flow "Paged by hand" created').waitFor();
      const saved = await world.admin.request("GET", `/v1/flows/${flowId}`) as FlowBody;
      assertEquals(saved.steps.map((s) => s.type), ["manual", "alert"]);
      assertEquals(saved.edges, [{ from: "manual_1", to: "alert_1" }]);
      assertEquals(saved.steps[1]!.config, {
        severity: "critical",
        message: "Paged by hand from {flow_name}",
      });
      assertNoProblems(watched, "the builder");
      await page.context().close();
    });

    await t.step("the API's validation error shows on the step and field it names", async () => {
      const watched = await newPage(browser, { cookie: admin });
      const { page } = watched;
      await page.goto(`${world.baseUrl}/flows/${flowId}`);
      await page.locator('[data-step="alert_1"] .step-box').click();
      const message = page.getByRole("textbox", { name: "Message", exact: true });
      await message.fill("Hello {nobody}");
      await page.getByRole("button", { name: "Save", exact: true }).click();
      const problems = page.getByTestId("step-problems");
      await problems.getByText(/\{nobody\} is not a known variable/).waitFor();
      assertEquals(await message.getAttribute("aria-invalid"), "true");
      assertMatch(
        await page.locator('[data-step="alert_1"]').getAttribute("class") ?? "",
        /has-problem/,
      );
      await message.fill("Paged by hand from {flow_name}");
      await page.getByRole("button", { name: "Save", exact: true }).click();
      await page.getByTestId("builder-status").filter({ hasText: "Saved: version 2" }).waitFor();
      // The refused save is the one problem the browser logs (its 400).
      assert(
        watched.problems.every((p) => p.includes("status of 400")),
        watched.problems.join("\n"),
      );
      await page.context().close();
    });

    await t.step(
      "triggered from the builder, it raises the alert and shows its trace",
      async () => {
        const watched = await newPage(browser, { cookie: admin });
        const { page } = watched;
        await page.goto(`${world.baseUrl}/flows/${flowId}`);
        await page.getByRole("button", { name: "Trigger…" }).click();
        await page.getByRole("button", { name: "Trigger now" }).click();
        await page.getByTestId("builder-status").filter({ hasText: /Execution \d+ succeeded/ })
          .waitFor({ timeout: UI_TIMEOUT_MS });
        assertMatch(
          await page.locator('[data-step="alert_1"]').getAttribute("class") ?? "",
          /run-succeeded/,
        );
        const { alerts } = await world.admin.request("GET", "/v1/alerts") as {
          alerts: { message: string; severity: string; flow_id: number | null }[];
        };
        const raised = alerts.find((a) => a.flow_id === flowId);
        assertEquals(raised?.message, "Paged by hand from Paged by hand");
        assertEquals(raised?.severity, "critical");

        await Promise.all([
          page.waitForURL(/\/executions\/\d+$/),
          page.getByRole("link", { name: "Open the trace" }).click(),
        ]);
        executionId = Number(/executions\/(\d+)$/.exec(page.url())![1]);
        assertEquals(await page.getByTestId("execution-status").innerText(), "succeeded");
        const graph = page.getByTestId("execution-graph");
        assertMatch(
          await graph.locator('[data-step="alert_1"]').getAttribute("class") ?? "",
          /run-succeeded/,
        );
        assertMatch(await graph.locator(".flow-edge").first().getAttribute("class") ?? "", /taken/);
        await page.locator('[data-step-row="alert_1"]').getByText("succeeded").waitFor();
        assertNoProblems(watched, "the trigger and the trace");
        await page.context().close();
      },
    );

    await t.step("steps are added, connected and deleted with the keyboard alone", async () => {
      const watched = await newPage(browser, { cookie: admin });
      const { page } = watched;
      await page.goto(`${world.baseUrl}/flows/${flowId}`);
      // Tab to the alert step on the canvas; focusing it selects it.
      await page.getByRole("button", { name: "Add Cooldown" }).focus();
      await page.keyboard.press("Enter");
      await page.locator('[data-step="cooldown_1"]:focus').waitFor();
      await page.getByRole("textbox", { name: "Duration (s)" }).focus();
      await page.keyboard.type("300");
      await page.locator('[data-step="alert_1"]').focus();
      await page.getByLabel("Connect to…").focus();
      await page.getByLabel("Connect to…").selectOption("cooldown_1");
      await page.getByLabel("Branch").selectOption("success");
      await page.getByRole("button", { name: "Connect", exact: true }).focus();
      await page.keyboard.press("Enter");
      await page.getByTestId("builder-status").filter({
        hasText: "Connected alert_1 → cooldown_1 on success",
      }).waitFor();
      // A step added by mistake goes again with Delete.
      await page.getByRole("button", { name: "Add Webhook" }).focus();
      await page.keyboard.press("Enter");
      await page.locator('[data-step="webhook_out_1"]:focus').waitFor();
      await page.keyboard.press("Delete");
      await page.getByTestId("builder-status").filter({ hasText: "Deleted step webhook_out_1" })
        .waitFor();
      await page.getByRole("button", { name: "Save", exact: true }).focus();
      await page.keyboard.press("Enter");
      await page.getByTestId("builder-status").filter({ hasText: "Saved: version 3" }).waitFor();
      const saved = await world.admin.request("GET", `/v1/flows/${flowId}`) as FlowBody;
      assertEquals(saved.steps.map((s) => s.id), ["manual_1", "alert_1", "cooldown_1"]);
      assertEquals(saved.edges[1], { from: "alert_1", to: "cooldown_1", branch: "success" });
      assertEquals(saved.steps[2]!.config, { duration_s: 300 });
      assertNoProblems(watched, "the keyboard-built flow");
      await page.context().close();
    });

    await t.step("a webhook URL shows its host only and is kept until replaced", async () => {
      const token = `T0${crypto.randomUUID().replaceAll("-", "")}`;
      const hookPath = `/hooks/${token}`;
      const { id } = await world.admin.request("POST", "/v1/flows", {
        body: {
          name: "Secret hook",
          steps: [
            { id: "go", type: "manual", config: {}, position: { x: 40, y: 40 } },
            {
              id: "hook",
              type: "webhook_out",
              config: { url: `${world.sink.url}${hookPath}`, format: "slack", message: "hi" },
              position: { x: 320, y: 40 },
            },
          ],
          edges: [{ from: "go", to: "hook" }],
        },
      }) as { id: number };
      const sent = async (path: string, count: number) => {
        await world.admin.request("POST", `/v1/flows/${id}/trigger`, { body: { payload: {} } });
        await world.sink.waitFor(count, { path, timeoutMs: UI_TIMEOUT_MS });
      };
      const watched = await newPage(browser, { cookie: admin });
      const { page } = watched;
      await page.goto(`${world.baseUrl}/flows/${id}`);
      assert(!(await page.content()).includes(token), "the page holds the URL's token");
      await page.locator('[data-step="hook"] .step-box').click();
      const url = page.getByRole("textbox", { name: "Url" });
      assertEquals(await url.inputValue(), `${world.sink.url}/…`);
      assertEquals(await url.isEditable(), false);
      await assertAccessible(page, "the builder with a stored webhook URL");

      await page.getByRole("button", { name: "Save", exact: true }).click();
      await page.getByTestId("builder-status").filter({ hasText: "Saved: version 2" }).waitFor();
      await sent(hookPath, 1);

      await page.getByRole("button", { name: "Replace" }).click();
      await page.getByRole("textbox", { name: "Url" }).fill(`${world.sink.url}/hooks/moved`);
      await page.getByRole("button", { name: "Save", exact: true }).click();
      await page.getByTestId("builder-status").filter({ hasText: "Saved: version 3" }).waitFor();
      await sent("/hooks/moved", 1);
      assertEquals(world.sink.requests.filter((r) => r.path === hookPath).length, 1);
      assertNoProblems(watched, "the secret URL field");
      await page.context().close();
      await world.admin.request("DELETE", `/v1/flows/${id}`);
    });

    await t.step("a viewer sees the builder read-only", async () => {
      const cookie = { baseUrl: world.baseUrl, value: await world.cookieFor("viewer") };
      const watched = await newPage(browser, { cookie });
      const { page } = watched;
      await page.goto(`${world.baseUrl}/flows/${flowId}`);
      await page.locator('[data-step="alert_1"]').click();
      await page.getByText("Paged by hand from {flow_name}").waitFor();
      assertEquals(await page.getByTestId("palette-alert").count(), 0);
      assertEquals(await page.getByRole("button", { name: /^Save/ }).count(), 0);
      assertEquals(await page.getByLabel("Connect to…").count(), 0);
      assertEquals(await page.getByRole("switch").count(), 0);
      await page.goto(`${world.baseUrl}/flows`);
      assertEquals(await page.getByRole("switch").count(), 0);
      assertEquals(await page.getByRole("link", { name: "New flow" }).count(), 0);
      assertNoProblems(watched, "the read-only builder");
      await page.context().close();
    });

    await t.step("an operator switches a flow off and on from the list", async () => {
      const cookie = { baseUrl: world.baseUrl, value: await world.cookieFor("operator") };
      const watched = await newPage(browser, { cookie });
      const { page } = watched;
      await page.goto(`${world.baseUrl}/flows`);
      const toggle = page.getByRole("switch", { name: "Paged by hand enabled" });
      assertEquals(await toggle.getAttribute("aria-checked"), "true");
      await toggle.click();
      await page.getByRole("switch", { name: "Paged by hand enabled", checked: false }).waitFor();
      const off = await world.admin.request("GET", `/v1/flows/${flowId}`) as { enabled: boolean };
      assertEquals(off.enabled, false);
      await toggle.click();
      await page.getByRole("switch", { name: "Paged by hand enabled", checked: true }).waitFor();
      assertNoProblems(watched, "the flow list");
      await page.context().close();
    });

    await t.step(
      "at phone and desktop width: axe-clean, no sideways scroll, screenshots",
      async () => {
        const pages = [
          ["flows-list", "/flows"],
          ["flow-builder", `/flows/${world.demoFlowId}`],
          ["flow-builder-new", `/flows/${flowId}`],
          ["flow-execution", `/flows/${flowId}/executions/${executionId}`],
        ] as const;
        for (const width of [WIDTHS.phone, WIDTHS.desktop]) {
          for (const [name, path] of pages) {
            const watched = await newPage(browser, { width, cookie: admin });
            const { page } = watched;
            await page.goto(`${world.baseUrl}${path}`);
            if (name === "flow-builder") {
              // The README's picture: the demo flow with its alert step open.
              await page.locator('[data-step="alert"] .step-box').click();
              await page.getByLabel("Insert variable into Message").waitFor();
            }
            await assertAccessible(page, `${name} at ${width} px`);
            await assertFitsWidth(page, `${name} at ${width} px`);
            assert(await screenshot(page, name));
            assertNoProblems(watched, `${name} at ${width} px`);
            await page.context().close();
          }
        }
      },
    );
  } finally {
    await browser.close();
  }
});
