import { assert, assertEquals, assertMatch } from "../../../lib/testing/assert.ts";
import { sampleReport } from "../../../lib/testing/reports.ts";
import {
  all,
  attributes,
  byTestId,
  has,
  islandsOf,
  one,
  readPage,
  text,
  texts,
} from "../../../tests/_helpers/html.ts";
import { loginAs } from "../../../tests/_helpers/login.ts";
import { flushLiveState } from "../../nodes/apply_report.ts";
import { createHarness, type Harness } from "../../testing/harness.ts";

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

function firstIslandProps<T>(doc: Document): T {
  const [first] = islandsOf(doc);
  assert(first, "the page carries island data");
  return first.props as T;
}

/** Whether some element matching `selector` has an `aria-label` matching `label`. */
function labelled(doc: Document, selector: string, label: RegExp): boolean {
  return all(doc, selector).some((e) => label.test(e.getAttribute("aria-label") ?? ""));
}

Deno.test("topology page", async (t) => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");
  const { cookie } = await loginAs(h, "vera", "vera-password-1");
  const topology = async (path: string) =>
    await readPage(await h.request(path, { headers: { cookie } }));
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
      const { status, doc } = await topology("/topology");
      assertEquals(status, 200);
      assertEquals(text(one(doc, "h1")), "Topology");
      const svg = one(doc, 'svg[class="topo-svg"]');
      assertMatch(attributes(svg).viewbox ?? "", /^[-\d]+ [-\d]+ \d+ \d+$/);
      for (const n of [gw, relay, leaf1, leaf2]) {
        assert(has(doc, `[href="/nodes/${n.id}"]`), `node ${n.id} links to its page`);
      }
      const edges = all(doc, 'a[href^="/topology?link="]')
        .filter((a) => a.getAttribute("class")?.startsWith("topo-edge "));
      assertEquals(edges.length, 3);
      assert(
        labelled(
          doc,
          '[class="topo-edge q-good"]',
          /^Link (gw – relay|relay – gw): quality 90 %, good/,
        ),
        "the good link says so",
      );
      assert(
        labelled(
          doc,
          '[class="topo-edge q-poor"]',
          /^Link (leaf-2 – relay|relay – leaf-2): quality 31 %, poor/,
        ),
        "the poor link says so",
      );
      assertEquals(attributes(byTestId(doc, "topology-links")), {
        "data-testid": "topology-links",
      });
      assertEquals(byTestId(doc, "topology-links").localName, "table");
      assertEquals(
        all(doc, "[style]").length,
        0,
        "no inline style attributes (the CSP forbids them)",
      );
      assertEquals(
        all(one(doc, "main"), "button").length,
        0,
        "nothing to change here, for any role",
      );
    },
  );

  await t.step("an offline relay is marked, and the nodes behind it with it", async () => {
    h.deps.db.prepare("UPDATE nodes SET status = 'offline' WHERE id = ?").run(relay.id);
    const { doc } = await topology("/topology");
    assert(
      labelled(doc, 'a[href^="/nodes/"][class="topo-node offline"]', /^relay: offline/),
      "the relay is drawn offline",
    );
    assert(
      labelled(doc, '[class="topo-node online behind"]', /^leaf-1: online, behind offline relay/),
      "the leaf is drawn behind it",
    );
    const cause = all(byTestId(doc, "offline-causes"), "li")
      .find((li) => text(li.querySelector("a")) === "relay");
    assertMatch(text(cause), /^relay is offline; 2 nodes behind it lost the gateway/);
    assert(texts(doc, 'span[class="badge behind"]').includes("behind relay"), "leaves say why");
    h.deps.db.prepare("UPDATE nodes SET status = 'online' WHERE id = ?").run(relay.id);
  });

  await t.step("?link= opens the link's quality history, in either order", async () => {
    const { status, doc } = await topology(`/topology?link=${relay.id}~${leaf1.id}&range=6h`);
    assertEquals(status, 200);
    const heading = one(doc, "#link-history-h");
    assertEquals([heading.localName, heading.getAttribute("tabindex")], ["h2", "-1"]);
    assertMatch(text(heading), /^Link (relay – leaf-1|leaf-1 – relay)$/);
    const point = all(doc, "tr").map((tr) => [...tr.children])
      .find((cells) => cells.length >= 3 && text(cells[1]) === "leaf-1");
    assertEquals(point?.slice(1, 4).map((td) => [attributes(td), text(td)]), [
      [{}, "leaf-1"],
      [{ class: "num" }, "78 %"],
      [{ class: "num" }, "200"],
    ]);
    assert(
      all(doc, '[aria-current="true"]').some((e) => text(e) === "Last 6 h"),
      "the range shown is marked",
    );
    const props = firstIslandProps<
      { selected: string; range: string; history: { points: unknown[] } }
    >(doc);
    assertEquals(props.range, "6h");
    assertEquals(props.history.points.length, 1);
  });

  await t.step("an unknown link shows the graph without a history", async () => {
    const { status, doc } = await topology(`/topology?link=nope~none`);
    assertEquals(status, 200);
    assert(!has(doc, '#link-history-h, [aria-labelledby="link-history-h"]'), "no history");
  });
});
