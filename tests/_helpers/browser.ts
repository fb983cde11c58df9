/// <reference lib="dom" />
/**
 * Real headless Chromium (Debian's, driven by npm:playwright-core) for the
 * portal's browser tests: pages that record every console error, page error
 * and CSP violation, an axe-core scan, and screenshots under tests/artifacts/.
 */
import { type Browser, chromium, type Page } from "playwright-core";
import { createRequire } from "node:module";

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Screenshots for people to look at (git-ignored). */
export const ARTIFACTS_DIR = new URL("../artifacts/", import.meta.url);

/** The two widths the portal must work at. */
export const WIDTHS = { phone: 390, desktop: 1280 } as const;

/**
 * Flags as root in a sandbox with no network: no sandbox (root), no GPU,
 * and none of Chromium's own background connections, which this machine's
 * closed network would refuse.
 */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** Why browser tests cannot run here, or null when they can. */
export function browserUnavailable(): string | null {
  try {
    Deno.statSync(CHROMIUM_PATH);
    return null;
  } catch {
    return `${CHROMIUM_PATH} not found (apt-get install -y chromium)`;
  }
}

/**
 * For `Deno.test({ ignore })`: true when there is no browser and this is not
 * CI, after printing why. Under `CI=true` it is false, so the test runs and
 * fails with the reason — in CI a skipped test is a failure.
 */
export function ignoreWithoutBrowser(): boolean {
  const reason = browserUnavailable();
  if (reason === null || Deno.env.get("CI") === "true") return false;
  console.warn(`skipping browser test: ${reason}`);
  return true;
}

/** Starts headless Chromium. @throws {Error} naming the missing browser. */
export async function launchBrowser(): Promise<Browser> {
  const reason = browserUnavailable();
  if (reason) throw new Error(`Cannot run browser tests: ${reason}`);
  return await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** A page that remembers what went wrong on it. */
export interface WatchedPage {
  page: Page;
  /** Console errors, uncaught page errors and CSP violations seen so far. */
  problems: string[];
}

/** Options for {@linkcode newPage}. */
export interface NewPageOptions {
  /** Viewport width in CSS pixels. @default 1280 */
  width?: number;
  /** Session cookie to start with (see `loginCookie`), e.g. `halo_session=…`. */
  cookie?: { baseUrl: string; value: string };
}

/** A fresh browser context and page that records problems. */
export async function newPage(
  browser: Browser,
  options: NewPageOptions = {},
): Promise<WatchedPage> {
  const width = options.width ?? WIDTHS.desktop;
  const context = await browser.newContext({
    viewport: { width, height: width <= WIDTHS.phone ? 844 : 900 },
    deviceScaleFactor: 1,
  });
  if (options.cookie) {
    const [name, ...rest] = options.cookie.value.split("=");
    await context.addCookies([{
      name: name!,
      value: rest.join("="),
      url: options.cookie.baseUrl,
      httpOnly: true,
      sameSite: "Strict",
    }]);
  }
  // CSP violations also log a console error, but the event says which directive.
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
    });
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error on ${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
  page.on("requestfailed", (r) => {
    // Navigating away cancels what is still loading (an event stream, the
    // favicon): ERR_ABORTED is the browser's doing, not a failure of the page.
    if (r.failure()?.errorText !== "net::ERR_ABORTED") {
      problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ""}`);
    }
  });
  return { page, problems };
}

/** Logs in through the portal's login form and waits for the overview (or `next`). */
export async function loginViaForm(
  page: Page,
  baseUrl: string,
  username: string,
  password: string,
): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith("/login")),
    page.getByRole("button", { name: "Log in" }).click(),
  ]);
}

const require = createRequire(import.meta.url);
let axeSource: string | null = null;

/** One axe-core finding of impact serious or critical. */
export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core in the page (injected through the test harness, not the
 * page, so the CSP stays as it is) and returns serious and critical findings.
 */
export async function axeScan(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await Deno.readTextFile(require.resolve("axe-core/axe.min.js"));
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // deno-lint-ignore no-explicit-any -- axe is injected as a global by the script above
    const axe = (globalThis as any).axe;
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((
      v: { id: string; impact: string; help: string; nodes: { target: string[] }[] },
    ) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    }));
  }) as AxeViolation[];
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Saves a full-page screenshot as tests/artifacts/<name>-<width>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await Deno.mkdir(ARTIFACTS_DIR, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  const path = new URL(`${name}-${width}.png`, ARTIFACTS_DIR).pathname;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Fails with every problem a page recorded (console errors, CSP violations, page errors). */
export function assertNoProblems(watched: WatchedPage, what = "the page"): void {
  if (watched.problems.length) {
    throw new Error(`Problems on ${what}:\n${watched.problems.join("\n")}`);
  }
}

/** Fails with the axe findings, readable. */
export async function assertAccessible(page: Page, what = page.url()): Promise<void> {
  const violations = await axeScan(page);
  if (violations.length) {
    throw new Error(
      `Accessibility violations on ${what}:\n${
        violations.map((v) => `- ${v.impact} ${v.id}: ${v.help} (${v.targets.join(", ")})`).join(
          "\n",
        )
      }`,
    );
  }
}

/** Fails when the page scrolls sideways at its width (content wider than a phone, say). */
export async function assertFitsWidth(page: Page, what = page.url()): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  if (scroll > client) {
    throw new Error(`${what} is ${scroll} px wide in a ${client} px viewport: it scrolls sideways`);
  }
}

/** Resolves once every island on the page has hydrated (the runtime marks each `data-hydrated`). */
export async function waitForIslands(page: Page, timeoutMs = 20_000): Promise<void> {
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll("halo-island")].every((e) => e.hasAttribute("data-hydrated")),
    undefined,
    { timeout: timeoutMs },
  );
}
