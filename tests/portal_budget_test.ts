/**
 * The portal's JavaScript budgets, checked over the built manifest and the
 * pages as the gateway renders them: a page without islands ships no
 * JavaScript; no page but the Flows builder ships more than 60 KB gzipped,
 * and the builder no more than 150 KB.
 */
import { assert, assertEquals } from "../lib/testing/assert.ts";
import { SECTIONS } from "../ui/components/layout.tsx";
import { gzipBytesFor, type Manifest, readManifest } from "../ui/framework/manifest.ts";
import { createHarness } from "../gateway/testing/harness.ts";
import { all, has, islandNames, readPage } from "./_helpers/html.ts";
import { loginAs } from "./_helpers/login.ts";

const KB = 1024;
const PAGE_BUDGET = 60 * KB;
const BUILDER_BUDGET = 150 * KB;
/** A bound on the crawl, far above the portal's page count. */
const MAX_PAGES = 200;

/** The Flows builder's pages: the only ones allowed the larger budget. */
function isBuilder(path: string): boolean {
  return path === "/flows/new" || /^\/flows\/\d+$/.test(path);
}

Deno.test("every portal page keeps to its JavaScript budget", async (t) => {
  const manifest: Manifest = readManifest();
  await using h = await createHarness();
  await h.user("ada", "admin", "ada-password-123");
  const { cookie } = await loginAs(h, "ada", "ada-password-123");
  const admin = await h.tokenFor("admin");
  const flow = await h.request("/v1/flows", {
    method: "POST",
    token: admin,
    json: {
      name: "Budget check",
      enabled: false,
      steps: [
        { id: "t", type: "manual", config: {} },
        { id: "a", type: "alert", config: { severity: "info", message: "hello" } },
      ],
      edges: [{ from: "t", to: "a" }],
    },
  });
  const flowId = flow.ok ? (await flow.json()).id : null;
  if (!flow.ok) await flow.body?.cancel();

  // Every page reachable by links from these, as an admin sees them.
  const queue = [
    "/login",
    ...SECTIONS.map((s) => s.href),
    "/account",
    "/flows/new",
    ...(flowId ? [`/flows/${flowId}`, `/flows/${flowId}/executions`] : []),
  ];
  const seen = new Set(queue);
  const weights: { path: string; islands: string[]; kb: number }[] = [];
  while (queue.length && seen.size < MAX_PAGES) {
    const path = queue.shift()!;
    await t.step(`${path} keeps to its budget`, async () => {
      const res = await h.request(path, { headers: path === "/login" ? {} : { cookie } });
      const { status, doc } = await readPage(res);
      assertEquals(status, 200, `GET ${path}`);
      for (const element of all(doc, "[href]")) {
        const link = /^\/[^#?]*/.exec(element.getAttribute("href") ?? "")?.[0];
        if (link && !/^\/(static|v1|logout)\b/.test(link) && !seen.has(link)) {
          seen.add(link);
          queue.push(link);
        }
      }
      const islands = islandNames(doc);
      const bytes = gzipBytesFor(manifest, islands);
      weights.push({ path, islands, kb: bytes / KB });
      if (islands.length === 0) {
        const scripts = all(doc, "script").filter((s) =>
          s.getAttribute("type") !== "application/json"
        );
        assertEquals(scripts.length, 0, `${path} has a script`);
        assert(!has(doc, 'link[rel="modulepreload"]'), `${path} preloads a module`);
      }
      const budget = isBuilder(path) ? BUILDER_BUDGET : PAGE_BUDGET;
      assert(
        bytes <= budget,
        `${path} ships ${(bytes / KB).toFixed(1)} KB gzipped JS (${islands.join(", ")}); budget ${
          budget / KB
        } KB`,
      );
    });
  }

  await t.step("no island on its own is over the page budget, but the builder's", () => {
    for (const name of Object.keys(manifest.islands)) {
      const bytes = gzipBytesFor(manifest, [name]);
      const budget = name.startsWith("flow_builder") ? BUILDER_BUDGET : PAGE_BUDGET;
      assert(bytes <= budget, `island ${name}: ${(bytes / KB).toFixed(1)} KB gzipped`);
    }
  });

  console.log(
    "page weights (gzipped JS):\n" +
      weights.map((w) =>
        `  ${w.path.padEnd(28)} ${w.kb.toFixed(1).padStart(6)} KB  ${w.islands.join(", ") || "—"}`
      ).join("\n"),
  );
});
