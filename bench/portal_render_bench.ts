/**
 * Server render of the portal's Nodes page with 200 nodes (issue 6: under
 * 50 ms on the target machine): the page component and the document around
 * it, from data props as the route passes them, without the API reads.
 *
 * Run with `deno bench --allow-all bench/portal_render_bench.ts`.
 */
import { h } from "preact";
import { renderPage } from "../ui/framework/render_page.tsx";
import { type Manifest, readManifest } from "../ui/framework/manifest.ts";
import { createHarness } from "../gateway/testing/harness.ts";
import { NodesPage } from "../ui/pages/nodes.tsx";
import { DEFAULT_NODES_QUERY, type NodesQuery } from "../ui/lib/nodes_list.ts";
import type { NodeSummary } from "../ui/lib/types.ts";

const NODE_COUNT = 200;
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const MESHES = ["ETHRX0001-8A", "ETHRX0002-8A", "ETHRX0003-8A"];

/** The Nodes page links no island, so only the stylesheet and icon names matter. */
const MANIFEST: Manifest = {
  version: 1,
  runtime: "boot-0000000000.js",
  css: "portal-0000000000.css",
  icon: "icon-0000000000.svg",
  islands: {},
  files: {},
};

function node(i: number): NodeSummary {
  const hex = i.toString(16).padStart(12, "0");
  const status = i % 17 === 0 ? "offline" : i % 53 === 0 ? "enrolled" : "online";
  return {
    id: `n-${hex}`,
    name: i === 0 ? "gateway" : `leaf-${String(i).padStart(3, "0")}`,
    role: i === 0 ? "gateway" : "node",
    status,
    mesh: MESHES[i % MESHES.length]!,
    tags: ["demo", `site:${["north", "south", "east"][i % 3]}`, ...(i % 5 ? [] : ["sensors"])],
    hostname: `halo-leaf-${i}`,
    addresses: [`198.18.${Math.floor(i / 250)}.${i % 250 + 2}/24`, `fd48:414c:4f00::${hex}/64`],
    versions: { "halo-agent": "0.1.0", "halo-mesh": "0.1.0", kernel: "6.6.51-v8-16k+" },
    data_provider: i % 5 === 0,
    last_seen_at: status === "enrolled" ? null : new Date(NOW - (i * 7919) % 600_000).toISOString(),
    enrolled_at: new Date(NOW - 86_400_000).toISOString(),
    decommissioned_at: null,
  };
}

const NODES = Array.from({ length: NODE_COUNT }, (_, i) => node(i));
const SESSION = { username: "admin", role: "admin" as const, csrfToken: "x".repeat(43) };

function render(query: NodesQuery): string {
  // h() rather than JSX: the bench runner takes `bench/*.ts`.
  return renderPage(
    h(NodesPage, { session: SESSION, nodes: NODES, meshes: MESHES, query, notices: [], now: NOW }),
    { title: "Nodes", manifest: MANIFEST, csrfToken: SESSION.csrfToken },
  ).html;
}

// Fails loudly rather than measuring an empty page.
if (!render(DEFAULT_NODES_QUERY).includes(`leaf-${NODE_COUNT - 1}`)) {
  throw new Error("The bench's Nodes page does not list its nodes");
}

Deno.bench({
  name: `Nodes page, ${NODE_COUNT} nodes, by name (target < 50 ms)`,
  group: "portal render",
  baseline: true,
  fn: () => {
    render(DEFAULT_NODES_QUERY);
  },
});

Deno.bench({
  name: `Nodes page, ${NODE_COUNT} nodes, by address descending, filtered by tag`,
  group: "portal render",
  fn: () => {
    render({ ...DEFAULT_NODES_QUERY, sort: "address", dir: "desc", tag: "site:north" });
  },
});

// The same page through its route in process: the API read as the user
// (`GET /v1/nodes`, `GET /v1/meshes`) plus the render, with 200 enrolled nodes.
const portalBuilt = (() => {
  try {
    readManifest();
    return true;
  } catch (error) {
    console.warn(`skipping the route bench: ${(error as Error).message}`);
    return false;
  }
})();
if (portalBuilt) {
  const h = await createHarness();
  const token = await h.joinToken(NODE_COUNT);
  for (let i = 0; i < NODE_COUNT; i++) {
    const res = await h.request("/v1/enroll", {
      method: "POST",
      json: {
        join_token: token,
        hardware: { serial: `BENCH${String(i).padStart(5, "0")}` },
        hostname: `leaf-${i}`,
        role: "node",
      },
    });
    if (res.status !== 200) throw new Error(`Enrolling bench node ${i}: ${await res.text()}`);
  }
  await h.user("bench", "viewer", "bench-password-1");
  const login = await h.request("/v1/auth/login", {
    method: "POST",
    json: { username: "bench", password: "bench-password-1" },
  });
  const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
  Deno.bench({
    name: `GET /nodes in process, ${NODE_COUNT} enrolled nodes (API read + render)`,
    group: "portal route",
    fn: async () => {
      const res = await h.request("/nodes?sort=last_seen&dir=desc", { headers: { cookie } });
      if (res.status !== 200) throw new Error(`GET /nodes answered ${res.status}`);
      await res.text();
    },
  });
  // Deno.bench has no teardown hook: remove the temp gateway when the runner exits.
  globalThis.addEventListener("unload", () => {
    h.deps.telemetry.flush();
    h.deps.db.close();
    Deno.removeSync(h.dir, { recursive: true });
  });
}
