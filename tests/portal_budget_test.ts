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

const KB = 1024;
const PAGE_BUDGET = 60 * KB;
const BUILDER_BUDGET = 150 * KB;
/** A bound on the crawl, far above the portal's page count. */
const MAX_PAGES = 200;

/** The Flows builder's pages: the only ones allowed the larger budget. */
function isBuilder(path: string): boolean {
  return path === "/flows/new" || /^\/flows\/\d+$/.test(path);
}

function islandsOf(html: string): string[] {
  const m = /<script type="application\/json" id="halo-islands">(.*?)<\/script>/s.exec(html);
  if (!m) return [];
  const data = JSON.parse(m[1]!) as { islands: { name: string }[] };
  return [...new Set(data.islands.map((i) => i.name))];
}

Deno.test("every portal page keeps to its JavaScript budget", async (t) => {
  const manifest: Manifest = readManifest();
  await using h = await createHarness();
  await h.user("ada", "admin", "ada-password-123");
  const login = await h.request("/v1/auth/login", {
    method: "POST",
    json: { username: "ada", password: "ada-password-123" },
  });
  const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
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
      assertEquals(res.status, 200, `GET ${path}`);
      const html = await res.text();
      for (const [, link] of html.matchAll(/href="(\/[^"#?]*)/g)) {
        if (!/^\/(static|v1|logout)\b/.test(link!) && !seen.has(link!)) {
          seen.add(link!);
          queue.push(link!);
        }
      }
      const islands = islandsOf(html);
      const bytes = gzipBytesFor(manifest, islands);
      weights.push({ path, islands, kb: bytes / KB });
      if (islands.length === 0) {
        assert(!/<script(?![^>]*type="application\/json")/.test(html), `${path} has a script`);
        assert(!html.includes("modulepreload"), `${path} preloads a module`);
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
