/**
 * The portal's command buttons in a real browser: an operator takes a
 * snapshot on a node page (the node's agent side runs here, with a stand-in
 * rpicam-still) and sees the image; a snapshot of an offline node says so;
 * an admin sets an unsynchronised gateway clock from the browser's. The
 * gateway runs in-process behind a loopback server, so its clock probe and
 * timedatectl are the test's stand-ins: this machine's clock is never set.
 */
import { GatewayClient } from "../lib/api_client.ts";
import { systemClock } from "../lib/clock.ts";
import { denoCommandRunner } from "../lib/command.ts";
import { denoFileSystem } from "../lib/fs.ts";
import { createLogger } from "../lib/log.ts";
import { assert, assertEquals, assertMatch } from "../lib/testing/assert.ts";
import { FAKE_CAMERA_TOOL } from "../lib/testing/commands.ts";
import { sampleReport } from "../lib/testing/reports.ts";
import { cameraSnapshot, snapshotFilesIn } from "../agent/commands/camera.ts";
import { CommandChannel } from "../agent/commands/channel.ts";
import { FileCommandLog } from "../agent/commands/command_log.ts";
import { CommandExecutor } from "../agent/commands/executor.ts";
import { createHarness, type Harness } from "../gateway/testing/harness.ts";
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
import { loginAs } from "./_helpers/login.ts";

/** How long the UI may take to show a change; a guard against hanging, not a timing target. */
const UI_TIMEOUT_MS = 20_000;

async function enroll(h: Harness, baseUrl: string, hostname: string) {
  const anonymous = new GatewayClient({ baseUrl });
  const enrolled = await anonymous.enroll({
    join_token: await h.joinToken(),
    hardware: { serial: hostname.replaceAll("-", "").toUpperCase() },
    hostname,
  });
  const client = anonymous.withToken(enrolled.agent_token);
  await client.report(enrolled.node_id, sampleReport({ hostname }));
  return { id: enrolled.node_id, client };
}

/** The node's agent side as halo-agent runs it, with the stand-in camera tool. */
function startAgent(client: GatewayClient, dir: string) {
  const logger = createLogger({ component: "agent", level: "error" });
  const executor = new CommandExecutor({
    gateway: client,
    log: new FileCommandLog(denoFileSystem, `${dir}/agent-commands.json`),
    clock: systemClock,
    logger,
    handlers: {
      camera_snapshot: cameraSnapshot({
        runner: denoCommandRunner,
        files: snapshotFilesIn(`${dir}/camera`),
        tools: [FAKE_CAMERA_TOOL],
      }),
    },
  });
  const channel = new CommandChannel({ gateway: client, executor, clock: systemClock, logger });
  const stop = new AbortController();
  const running = channel.run(stop.signal);
  return {
    channel,
    async [Symbol.asyncDispose]() {
      stop.abort();
      await running;
    },
  };
}

Deno.test({
  name: "the snapshot button and the clock offer in a real browser",
  ignore: ignoreWithoutBrowser(),
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  await using h = await createHarness();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request, info) => h.handler(request, { remoteAddr: { hostname: info.remoteAddr.hostname } }),
  );
  const baseUrl = `http://127.0.0.1:${server.addr.port}`;
  const browser = await launchBrowser();
  try {
    await h.user("otto", "operator", "otto-password-1");
    await h.user("ada", "admin", "ada-password-12");
    const camera = await enroll(h, baseUrl, "cam-1");
    const offline = await enroll(h, baseUrl, "cam-2");
    await using agent = startAgent(camera.client, h.dir);
    for (let i = 0; i < 1000 && !agent.channel.connected; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert(agent.channel.connected, "the agent's command stream is open");
    const operator = { baseUrl, value: (await loginAs(h, "otto", "otto-password-1")).cookie };

    await t.step("an operator takes a snapshot and sees it on the node page", async () => {
      for (const width of [WIDTHS.desktop, WIDTHS.phone]) {
        const watched = await newPage(browser, { cookie: operator, width });
        const { page } = watched;
        await page.goto(`${baseUrl}/nodes/${camera.id}`);
        await page.getByRole("button", { name: "Take a snapshot" }).click();
        const image = page.getByRole("img", { name: "Snapshot from cam-1's camera" });
        await image.waitFor({ timeout: UI_TIMEOUT_MS });
        const size = await image.evaluate((img: HTMLImageElement) =>
          img.decode().then(() => [img.naturalWidth, img.naturalHeight])
        );
        assertEquals(size, [64, 48], "the browser decoded the JPEG the camera wrote");
        assertMatch(await page.locator(".camera-status").innerText(), /^Snapshot taken at /);
        assertMatch(await page.locator(".camera-image figcaption").innerText(), /^64×48, 223 B/);
        await assertFitsWidth(page);
        await assertAccessible(page);
        await screenshot(page, "node-camera-snapshot");
        assertNoProblems(watched, "the node page");
        await page.context().close();
      }
    });

    await t.step("a snapshot of a node whose agent is not connected says so", async () => {
      const watched = await newPage(browser, { cookie: operator });
      const { page } = watched;
      await page.goto(`${baseUrl}/nodes/${offline.id}`);
      await page.getByRole("button", { name: "Take a snapshot" }).click();
      const alert = page.getByRole("alert");
      await alert.waitFor({ timeout: UI_TIMEOUT_MS });
      assertEquals(
        await alert.innerText(),
        "cam-2 is offline: its agent is not connected, so the snapshot was not sent.",
      );
      assertEquals(await page.getByRole("img", { name: /^Snapshot from/ }).count(), 0);
      assertNoProblems(watched, "the offline node's page");
      await page.context().close();
    });

    await t.step("an admin sets an unsynchronised clock from the browser's", async () => {
      h.clockStatus = { synchronized: false, source: "timedatectl" };
      const admin = { baseUrl, value: (await loginAs(h, "ada", "ada-password-12")).cookie };
      const watched = await newPage(browser, { cookie: admin });
      const { page } = watched;
      await page.goto(`${baseUrl}/system`);
      const offer = page.getByTestId("clock-set");
      await offer.getByText(/this browser's clock is .* (ahead of|behind) it/).waitFor({
        timeout: UI_TIMEOUT_MS,
      });
      const before = Date.now();
      await page.getByRole("button", { name: "Set the gateway's clock to this browser's time" })
        .click();
      await offer.getByRole("status").getByText(/^Set to /).waitFor({ timeout: UI_TIMEOUT_MS });
      const after = Date.now();
      const setTime = h.timedatectl.calls.find((c) => c.args[0] === "set-time");
      const seconds = Number(setTime?.args[1]?.slice(1));
      assert(
        seconds >= Math.floor(before / 1000) && seconds <= Math.ceil(after / 1000),
        `timedatectl set-time was given the browser's time, not ${setTime?.args[1]}`,
      );
      await assertAccessible(page);
      assertNoProblems(watched, "the system page");
      await page.context().close();
    });
  } finally {
    await browser.close();
    await server.shutdown();
  }
});
