import { assert, assertEquals, assertMatch } from "../../../lib/testing/assert.ts";
import { sampleReport } from "../../../lib/testing/reports.ts";
import { flushLiveState } from "../../nodes/apply_report.ts";
import { createHarness, type Harness } from "../../testing/harness.ts";

async function cookieOf(h: Harness, username: string, password: string): Promise<string> {
  const res = await h.request("/v1/auth/login", { method: "POST", json: { username, password } });
  assertEquals(res.status, 200);
  await res.body?.cancel();
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

/** Enrolls a node with one HaLow interface and a report sender for its links. */
async function node(h: Harness, name: string, mac: string, links: { to: string; tq: number }[]) {
  const res = await h.request("/v1/enroll", {
    method: "POST",
    json: {
      join_token: await h.joinToken(),
      hardware: { serial: `SER${name.toUpperCase().replace(/-/g, "")}` },
      hostname: name,
    },
  });
  const { node_id, agent_token } = await res.json();
  const report = async () => {
    const sent = await h.request(`/v1/nodes/${node_id}/report`, {
      method: "POST",
      token: agent_token,
      json: sampleReport({
        hostname: name,
        interfaces: [{ name: "halow0", kind: "halow", mac, addresses: [], up: true }],
        links: links.map((l) => ({
          iface: "halow0",
          neighbor_mac: l.to,
          tq: l.tq,
          last_seen_ms: 200,
        })),
      }),
    });
    assertEquals(sent.status, 200);
    await sent.body?.cancel();
  };
  return { id: node_id as string, report };
}

function islandProps<T>(html: string): T {
  const m = /<script type="application\/json" id="halo-islands">(.*?)<\/script>/s.exec(html);
  assert(m, "the page carries island data");
  return JSON.parse(m[1]!).islands[0].props as T;
}

Deno.test("topology page", async (t) => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");
  const viewer = await cookieOf(h, "vera", "vera-password-1");
  const gw = await node(h, "gw", "02:00:00:00:00:01", []);
  h.deps.db.prepare("UPDATE nodes SET role = 'gateway' WHERE id = ?").run(gw.id);
  const relay = await node(h, "relay", "02:00:00:00:00:02", [{ to: "02:00:00:00:00:01", tq: 230 }]);
  const leaf1 = await node(h, "leaf-1", "02:00:00:00:00:03", [{
    to: "02:00:00:00:00:02",
    tq: 200,
  }]);
  const leaf2 = await node(h, "leaf-2", "02:00:00:00:00:04", [{ to: "02:00:00:00:00:02", tq: 80 }]);
  for (const n of [gw, relay, leaf1, leaf2]) await n.report();
  flushLiveState(h.deps);

  await t.step(
    "draws the mesh on the server: nodes link to their page, links by quality",
    async () => {
      const res = await h.request("/topology", { headers: { cookie: viewer } });
      assertEquals(res.status, 200);
      const html = await res.text();
      assertMatch(html, /<h1>Topology<\/h1>/);
      assertMatch(html, /<svg class="topo-svg" viewBox="[-\d]+ [-\d]+ \d+ \d+"/);
      for (const n of [gw, relay, leaf1, leaf2]) {
        assert(html.includes(`href="/nodes/${n.id}"`), `node ${n.id} links to its page`);
      }
      assertEquals(
        [...html.matchAll(/<a href="\/topology\?link=[^"]+" class="topo-edge /g)].length,
        3,
      );
      assertMatch(
        html,
        /class="topo-edge q-good"[^>]*aria-label="Link (gw – relay|relay – gw): quality 90 %, good/,
      );
      assertMatch(
        html,
        /class="topo-edge q-poor"[^>]*aria-label="Link (leaf-2 – relay|relay – leaf-2): quality 31 %, poor/,
      );
      assertMatch(html, /<table data-testid="topology-links">/);
      assert(!/ style="/.test(html), "no inline style attributes (the CSP forbids them)");
      assert(!/<main[\s\S]*<button/.test(html), "nothing to change here, for any role");
    },
  );

  await t.step("an offline relay is marked, and the nodes behind it with it", async () => {
    h.deps.db.prepare("UPDATE nodes SET status = 'offline' WHERE id = ?").run(relay.id);
    const html = await (await h.request("/topology", { headers: { cookie: viewer } })).text();
    assertMatch(
      html,
      /<a href="\/nodes\/[^"]+" class="topo-node offline" aria-label="relay: offline/,
    );
    assertMatch(
      html,
      /class="topo-node online behind" aria-label="leaf-1: online, behind offline relay/,
    );
    assertMatch(html, /relay<\/a> is offline; 2 nodes behind it lost the gateway/);
    assertMatch(html, /<span class="badge behind">behind relay<\/span>/);
    h.deps.db.prepare("UPDATE nodes SET status = 'online' WHERE id = ?").run(relay.id);
  });

  await t.step("?link= opens the link's quality history, in either order", async () => {
    const res = await h.request(`/topology?link=${relay.id}~${leaf1.id}&range=6h`, {
      headers: { cookie: viewer },
    });
    assertEquals(res.status, 200);
    const html = await res.text();
    assertMatch(
      html,
      /<h2 id="link-history-h" tabindex="-1">Link (relay – leaf-1|leaf-1 – relay)<\/h2>/,
    );
    assertMatch(html, /<td>leaf-1<\/td><td class="num">78 %<\/td><td class="num">200<\/td>/);
    assertMatch(html, /aria-current="true"[^>]*>Last 6 h</);
    const props = islandProps<{ selected: string; range: string; history: { points: unknown[] } }>(
      html,
    );
    assertEquals(props.range, "6h");
    assertEquals(props.history.points.length, 1);
  });

  await t.step("an unknown link shows the graph without a history", async () => {
    const res = await h.request(`/topology?link=nope~none`, { headers: { cookie: viewer } });
    assertEquals(res.status, 200);
    assert(!(await res.text()).includes("link-history-h"));
  });
});
