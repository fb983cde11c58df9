import { assert, assertEquals, assertMatch } from "../../../lib/testing/assert.ts";
import { sampleReport } from "../../../lib/testing/reports.ts";
import { createHarness, type Harness } from "../../testing/harness.ts";

async function enroll(h: Harness, hostname: string, serial: string, role = "node") {
  const res = await h.request("/v1/enroll", {
    method: "POST",
    json: { join_token: await h.joinToken(), hardware: { serial }, hostname, role },
  });
  assertEquals(res.status, 200);
  return await res.json() as { node_id: string; agent_token: string };
}

function islandData(html: string): { name: string; props: Record<string, unknown> }[] {
  const m = /<script type="application\/json" id="halo-islands">(.*?)<\/script>/s.exec(html);
  return m ? JSON.parse(m[1]!).islands : [];
}

/** The node names in the list's table, in order. */
function listedNames(html: string): string[] {
  const body = html.slice(html.indexOf("<tbody>"), html.indexOf("</tbody>"));
  return [...body.matchAll(/<a href="\/nodes\/n-[0-9a-f]{12}">([^<]+)<\/a>/g)].map((m) => m[1]!);
}

Deno.test("nodes pages", async (t) => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");
  const login = await h.request("/v1/auth/login", {
    method: "POST",
    json: { username: "vera", password: "vera-password-1" },
  });
  const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
  const page = (path: string) => h.request(path, { headers: { cookie } });
  const admin = await h.tokenFor("admin");

  const gw = await enroll(h, "gw-1", "SER00000", "gateway");
  const leaves: { node_id: string; agent_token: string }[] = [];
  for (const [i, name] of ["leaf-10", "leaf-2", "leaf-3"].entries()) {
    leaves.push(await enroll(h, name, `SER0000${i + 1}`));
  }
  const report = (node: { node_id: string; agent_token: string }, address: string, extra = {}) =>
    h.request(`/v1/nodes/${node.node_id}/report`, {
      method: "POST",
      token: node.agent_token,
      json: sampleReport({
        interfaces: [{
          name: "eth0",
          kind: "eth",
          mac: "02:00:00:00:00:01",
          addresses: [address],
          up: true,
        }],
        ...extra,
      }),
    });
  assertEquals((await report(gw, "198.18.0.1/24")).status, 200);
  assertEquals(
    (await report(leaves[0]!, "198.18.0.10/24", {
      clients: [{
        mac: "02:aa:00:00:00:01",
        ip: "198.18.5.20",
        hostname: "camera-7",
        iface: "eth1",
      }],
      sensors: [{ name: "bme280", kind: "bme280", bus: "i2c-1", address: "0x76" }],
    })).status,
    200,
  );
  assertEquals((await report(leaves[1]!, "198.18.0.2/24")).status, 200);
  // leaf-3 never reports: it stays "enrolled".
  const patched = await h.request(`/v1/nodes/${leaves[1]!.node_id}`, {
    method: "PATCH",
    token: admin,
    json: { tags: ["roof"] },
  });
  assertEquals(patched.status, 200);

  const now = h.clock.now();
  const ingest = await h.request("/v1/telemetry", {
    method: "POST",
    token: leaves[0]!.agent_token,
    json: {
      node_id: leaves[0]!.node_id,
      epoch: "test",
      batch_seq: 0,
      samples: [0, 1, 2].flatMap((i) => [
        { metric: "cpu.usage", ts: now - (3 - i) * 60_000, value: 10 + i, unit: "%" },
        { metric: "soc.temp", ts: now - (3 - i) * 60_000, value: 40.5 + i, unit: "°C" },
      ]),
    },
  });
  assertEquals(ingest.status, 200);

  await t.step("the list shows every live node with counts, and ships no JavaScript", async () => {
    const res = await page("/nodes");
    assertEquals(res.status, 200);
    const html = await res.text();
    assertMatch(html, /<h1>Nodes<\/h1>/);
    assertEquals(listedNames(html), ["gw-1", "leaf-2", "leaf-3", "leaf-10"]);
    assertMatch(html, /Showing <strong>4<\/strong> of 4 nodes/);
    assertMatch(html, /3 online/);
    assert(!html.includes("<script"), "the nodes list ships no JavaScript");
    assert(!/ style="/.test(html), "no inline style attributes");
    assertMatch(html, /<th scope="col" aria-sort="ascending"><a href="\/nodes\?dir=desc">Name/);
  });

  await t.step("column links sort, and the sorted column says so", async () => {
    assertEquals(
      listedNames(await (await page("/nodes?sort=name&dir=desc")).text()),
      ["leaf-10", "leaf-3", "leaf-2", "gw-1"],
    );
    const byAddress = await (await page("/nodes?sort=address")).text();
    assertEquals(listedNames(byAddress), ["gw-1", "leaf-2", "leaf-10", "leaf-3"]);
    assertMatch(byAddress, /aria-sort="ascending"><a href="\/nodes\?sort=address&amp;dir=desc">/);
    const byStatus = await (await page("/nodes?sort=status")).text();
    assertEquals(listedNames(byStatus)[0], "leaf-3", "enrolled before online");
  });

  await t.step("the GET form filters by status, role, tag and text", async () => {
    assertEquals(listedNames(await (await page("/nodes?status=enrolled")).text()), ["leaf-3"]);
    assertEquals(listedNames(await (await page("/nodes?role=gateway")).text()), ["gw-1"]);
    assertEquals(listedNames(await (await page("/nodes?tag=roof")).text()), ["leaf-2"]);
    const searched = await (await page("/nodes?q=198.18.0.10")).text();
    assertEquals(listedNames(searched), ["leaf-10"]);
    assertMatch(searched, /Showing <strong>1<\/strong> of 4 nodes/);
    assertMatch(searched, /<input type="search" name="q" value="198.18.0.10"/);
    assertMatch(searched, /<a class="button secondary" href="\/nodes">Clear filters<\/a>/);
    const none = await (await page("/nodes?q=nothing-like-it")).text();
    assertMatch(none, /No nodes match these filters/);
  });

  await t.step("an unknown column or status is ignored with a notice naming it", async () => {
    const res = await page("/nodes?sort=colour&status=sleepy");
    assertEquals(res.status, 200);
    const html = await res.text();
    assertMatch(html, /Cannot sort by &quot;colour&quot;: sorted by name instead/);
    assertMatch(html, /Unknown status &quot;sleepy&quot; ignored/);
    assertEquals(listedNames(html), ["gw-1", "leaf-2", "leaf-3", "leaf-10"]);
  });

  await t.step("a decommissioned node shows only under its status", async () => {
    const res = await h.request(`/v1/nodes/${leaves[2]!.node_id}/decommission`, {
      method: "POST",
      token: admin,
    });
    assertEquals(res.status, 200);
    assertEquals(listedNames(await (await page("/nodes")).text()), ["gw-1", "leaf-2", "leaf-10"]);
    assertEquals(
      listedNames(await (await page("/nodes?status=decommissioned")).text()),
      ["leaf-3"],
    );
  });

  await t.step("the detail shows facts, children, events, and the chart island", async () => {
    const res = await page(`/nodes/${leaves[0]!.node_id}`);
    assertEquals(res.status, 200);
    const html = await res.text();
    assertMatch(html, /<h1>leaf-10<\/h1>/);
    assertMatch(html, new RegExp(`<dd class="mono">${leaves[0]!.node_id}</dd>`));
    assertMatch(html, /<dd class="mono">SER00001<\/dd>/);
    assertMatch(html, /<td class="mono">eth0<\/td>/);
    assertMatch(html, /camera-7/);
    assertMatch(html, /<td>bme280<\/td>/);
    assertMatch(html, /<h2 id="events-h">Recent events<\/h2>/);
    assertMatch(html, /<span class="badge">online<\/span>/);
    assertMatch(html, /No recovery traces are recorded yet/);
    assertMatch(html, /No camera is configured on this node/);
    assert(!/snapshot<\/button>/i.test(html), "no camera snapshot button without a camera");
    assert(!/ style="/.test(html), "no inline style attributes");
    const [island] = islandData(html);
    assertEquals(island?.name, "node_chart");
    assertEquals(island?.props.metrics, [
      { metric: "cpu.usage", unit: "%" },
      { metric: "soc.temp", unit: "°C" },
    ]);
    assertEquals(
      (island?.props.latest as { metric: string; value: number }[]).map((l) => [
        l.metric,
        l.value,
      ]),
      [["cpu.usage", 12], ["soc.temp", 42.5]],
    );
    // The chart box is rendered empty; uPlot fills it in the browser.
    assertMatch(
      html,
      /<div class="chart chart-empty" role="img" aria-label="Chart of cpu.usage of leaf-10/,
    );
  });

  await t.step("only an admin is offered a replacement token, for a live node", async () => {
    await h.user("ada", "admin", "ada-password-1");
    const adminLogin = await h.request("/v1/auth/login", {
      method: "POST",
      json: { username: "ada", password: "ada-password-1" },
    });
    const adminCookie = adminLogin.headers.get("set-cookie")!.split(";")[0]!;
    const asAdmin = async (path: string) =>
      islandData(await (await h.request(path, { headers: { cookie: adminCookie } })).text());
    const offered = (await asAdmin(`/nodes/${leaves[0]!.node_id}`))
      .find((i) => i.name === "node_replacement");
    assertEquals(offered?.props, { nodeId: leaves[0]!.node_id, nodeName: "leaf-10" });
    const viewerIslands = islandData(await (await page(`/nodes/${leaves[0]!.node_id}`)).text());
    assertEquals(viewerIslands.map((i) => i.name), ["node_chart"]);
    // A decommissioned node re-enrolls with any join token: nothing to approve.
    const retired = await asAdmin(`/nodes/${leaves[2]!.node_id}`);
    assertEquals(retired.map((i) => i.name), ["node_chart"]);
  });

  await t.step("a node without telemetry says so", async () => {
    const html = await (await page(`/nodes/${gw.node_id}`)).text();
    assertMatch(html, /This node has stored no telemetry yet/);
  });

  await t.step("unknown and malformed node ids are error pages", async () => {
    const unknown = await page("/nodes/n-000000000000");
    assertEquals(unknown.status, 404);
    assertMatch(await unknown.text(), /<h1>Not found<\/h1>/);
    assertEquals((await page("/nodes/not-a-node")).status, 400);
  });

  await t.step("the explorer preselects the query's nodes and metrics", async () => {
    const res = await page(
      `/telemetry?node=${leaves[0]!.node_id},n-999999999999&metric=cpu.usage,no.such`,
    );
    assertEquals(res.status, 200);
    const html = await res.text();
    assertMatch(html, /Unknown nodes ignored: n-999999999999/);
    assertMatch(html, /Unknown metrics ignored: no.such/);
    const [island] = islandData(html);
    assertEquals(island?.name, "telemetry_explorer");
    assertEquals(island?.props.selected, {
      nodes: [leaves[0]!.node_id],
      metrics: ["cpu.usage"],
    });
    assertMatch(html, /<input type="checkbox" name="metric" value="cpu.usage" checked/);
  });

  await t.step("an anonymous visitor is sent to the login", async () => {
    const res = await h.request(`/nodes/${gw.node_id}`);
    assertEquals(res.status, 303);
    assertEquals(
      res.headers.get("location"),
      `/login?next=${encodeURIComponent(`/nodes/${gw.node_id}`)}`,
    );
  });
});
