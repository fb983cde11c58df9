import { assert, assertEquals, assertMatch } from "../../../lib/testing/assert.ts";
import { MetricCatalogue } from "../../../lib/metrics/catalogue.ts";
import { sampleReport } from "../../../lib/testing/reports.ts";
import {
  all,
  attributes,
  byTestId,
  islandsOf,
  one,
  readPage,
  text,
  texts,
} from "../../../tests/_helpers/html.ts";
import { loginAs } from "../../../tests/_helpers/login.ts";
import { createHarness, type Harness } from "../../testing/harness.ts";

async function enroll(h: Harness, hostname: string, serial: string, role = "node") {
  const res = await h.request("/v1/enroll", {
    method: "POST",
    json: { join_token: await h.joinToken(), hardware: { serial }, hostname, role },
  });
  assertEquals(res.status, 200);
  return await res.json() as { node_id: string; agent_token: string };
}

/** The node names in the list's table, in order. */
function listedNames(doc: Document): string[] {
  const body = doc.querySelector("tbody");
  if (!body) return [];
  return all(body, "a")
    .filter((a) => /^\/nodes\/n-[0-9a-f]{12}$/.test(a.getAttribute("href") ?? ""))
    .map((a) => text(a));
}

/** The counts line: its text and the number shown. */
function counts(doc: Document): [string, string] {
  const line = byTestId(doc, "node-counts");
  return [text(line), text(one(line, "strong"))];
}

Deno.test("nodes pages", async (t) => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");
  const { cookie } = await loginAs(h, "vera", "vera-password-1");
  const page = async (path: string) =>
    await readPage(await h.request(path, { headers: { cookie } }));
  const names = async (path: string) => listedNames((await page(path)).doc);
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
    const { status, doc } = await page("/nodes");
    assertEquals(status, 200);
    assertEquals(text(one(doc, "h1")), "Nodes");
    assertEquals(listedNames(doc), ["gw-1", "leaf-2", "leaf-3", "leaf-10"]);
    const [line, shown] = counts(doc);
    assertMatch(line, /^Showing 4 of 4 nodes/);
    assertEquals(shown, "4");
    assertMatch(line, /3 online/);
    assertEquals(all(doc, "script").length, 0, "the nodes list ships no JavaScript");
    assertEquals(all(doc, "[style]").length, 0, "no inline style attributes");
    const [sorted, ...unsorted] = all(doc, "th[aria-sort]");
    assertEquals(unsorted.length, 0, "one column says it is sorted");
    assertEquals(attributes(sorted!), { scope: "col", "aria-sort": "ascending" });
    assertEquals(sorted!.firstElementChild?.getAttribute("href"), "/nodes?dir=desc");
    assertMatch(text(sorted!.firstElementChild), /^Name/);
  });

  await t.step("column links sort, and the sorted column says so", async () => {
    assertEquals(await names("/nodes?sort=name&dir=desc"), ["leaf-10", "leaf-3", "leaf-2", "gw-1"]);
    const byAddress = (await page("/nodes?sort=address")).doc;
    assertEquals(listedNames(byAddress), ["gw-1", "leaf-2", "leaf-10", "leaf-3"]);
    assertEquals(
      one(byAddress, 'th[aria-sort="ascending"] > a:first-child').getAttribute("href"),
      "/nodes?sort=address&dir=desc",
    );
    assertEquals((await names("/nodes?sort=status"))[0], "leaf-3", "enrolled before online");
  });

  await t.step("the GET form filters by status, role, tag and text", async () => {
    assertEquals(await names("/nodes?status=enrolled"), ["leaf-3"]);
    assertEquals(await names("/nodes?role=gateway"), ["gw-1"]);
    assertEquals(await names("/nodes?tag=roof"), ["leaf-2"]);
    const searched = (await page("/nodes?q=198.18.0.10")).doc;
    assertEquals(listedNames(searched), ["leaf-10"]);
    const [line, shown] = counts(searched);
    assertMatch(line, /^Showing 1 of 4 nodes/);
    assertEquals(shown, "1");
    const search = one(searched, 'input[name="q"]');
    assertEquals([search.getAttribute("type"), search.getAttribute("value")], [
      "search",
      "198.18.0.10",
    ]);
    const clear = all(searched, "a").find((a) => text(a) === "Clear filters");
    assertEquals(clear && attributes(clear), { class: "button secondary", href: "/nodes" });
    const none = (await page("/nodes?q=nothing-like-it")).doc;
    assertMatch(text(none.body), /No nodes match these filters/);
  });

  await t.step("an unknown column or status is ignored with a notice naming it", async () => {
    const { status, doc } = await page("/nodes?sort=colour&status=sleepy");
    assertEquals(status, 200);
    const notices = texts(doc, 'p.notice[role="status"]').join("\n");
    assertMatch(notices, /Cannot sort by "colour": sorted by name instead/);
    assertMatch(notices, /Unknown status "sleepy" ignored/);
    assertEquals(listedNames(doc), ["gw-1", "leaf-2", "leaf-3", "leaf-10"]);
  });

  await t.step("a decommissioned node shows only under its status", async () => {
    const res = await h.request(`/v1/nodes/${leaves[2]!.node_id}/decommission`, {
      method: "POST",
      token: admin,
    });
    assertEquals(res.status, 200);
    assertEquals(await names("/nodes"), ["gw-1", "leaf-2", "leaf-10"]);
    assertEquals(await names("/nodes?status=decommissioned"), ["leaf-3"]);
  });

  await t.step("the detail shows facts, children, events, and the chart island", async () => {
    const { status, doc } = await page(`/nodes/${leaves[0]!.node_id}`);
    assertEquals(status, 200);
    assertEquals(text(one(doc, "h1")), "leaf-10");
    const facts = texts(doc, 'dd[class="mono"]');
    assert(facts.includes(leaves[0]!.node_id), "the node's id is shown");
    assert(facts.includes("SER00001"), "the serial is shown");
    assert(texts(doc, 'td[class="mono"]').includes("eth0"), "the interface is listed");
    assertMatch(text(doc.body), /camera-7/);
    assert(texts(doc, "td:not([class])").includes("bme280"), "the sensor is listed");
    const events = one(doc, "#events-h");
    assertEquals([events.localName, text(events)], ["h2", "Recent events"]);
    assert(texts(doc, 'span[class="badge"]').includes("online"), "the status is shown");
    assertMatch(text(doc.body), /No recovery traces are recorded yet/);
    assertMatch(text(doc.body), /Operators can take a snapshot with this node's camera here/);
    assert(
      !texts(doc, "button").some((b) => /snapshot$/i.test(b)),
      "no camera snapshot button for a viewer",
    );
    assertEquals(all(doc, "[style]").length, 0, "no inline style attributes");
    const [island] = islandsOf(doc);
    assertEquals(island?.name, "node_chart");
    const meaning = (name: string) => new MetricCatalogue().lookup(name)!.description;
    assertEquals(island?.props.metrics, [
      { metric: "cpu.usage", unit: "%", description: meaning("cpu.usage") },
      { metric: "soc.temp", unit: "°C", description: meaning("soc.temp") },
    ]);
    assertEquals(
      text(one(doc, 'p[class="metric-meaning"]')),
      `cpu.usage: ${meaning("cpu.usage")} (%)`,
      "the charted metric is explained",
    );
    assertEquals(
      (island?.props.latest as { metric: string; value: number }[]).map((l) => [
        l.metric,
        l.value,
      ]),
      [["cpu.usage", 12], ["soc.temp", 42.5]],
    );
    // The chart box is rendered empty; uPlot fills it in the browser.
    const chart = one(doc, 'div[class="chart chart-empty"][role="img"]');
    assertMatch(chart.getAttribute("aria-label") ?? "", /^Chart of cpu.usage of leaf-10/);
  });

  await t.step("only an admin is offered a replacement token, for a live node", async () => {
    await h.user("ada", "admin", "ada-password-1");
    const admin = await loginAs(h, "ada", "ada-password-1");
    const asAdmin = async (path: string) =>
      islandsOf((await readPage(await h.request(path, { headers: { cookie: admin.cookie } }))).doc);
    const offered = (await asAdmin(`/nodes/${leaves[0]!.node_id}`))
      .find((i) => i.name === "node_replacement");
    assertEquals(offered?.props, { nodeId: leaves[0]!.node_id, nodeName: "leaf-10" });
    const viewerIslands = islandsOf((await page(`/nodes/${leaves[0]!.node_id}`)).doc);
    assertEquals(viewerIslands.map((i) => i.name), ["node_chart"]);
    // A decommissioned node re-enrolls with any join token: nothing to approve.
    const retired = await asAdmin(`/nodes/${leaves[2]!.node_id}`);
    assertEquals(retired.map((i) => i.name), ["node_chart"]);
  });

  await t.step("operators get the camera's snapshot button, for a live node", async () => {
    await h.user("otto", "operator", "otto-password-1");
    const operator = await loginAs(h, "otto", "otto-password-1");
    const asOperator = async (path: string) =>
      (await readPage(await h.request(path, { headers: { cookie: operator.cookie } }))).doc;
    const doc = await asOperator(`/nodes/${leaves[0]!.node_id}`);
    const camera = islandsOf(doc).find((i) => i.name === "camera_snapshot");
    assertEquals(camera?.props, { nodeId: leaves[0]!.node_id, nodeName: "leaf-10" });
    assert(texts(doc, "button").includes("Take a snapshot"), "the button is rendered");
    const retired = await asOperator(`/nodes/${leaves[2]!.node_id}`);
    assertEquals(islandsOf(retired).map((i) => i.name), ["node_chart"]);
    assertMatch(text(retired.body), /A decommissioned node takes no snapshots/);
  });

  await t.step("a node without telemetry says so", async () => {
    const { doc } = await page(`/nodes/${gw.node_id}`);
    assertMatch(text(doc.body), /This node has stored no telemetry yet/);
  });

  await t.step("unknown and malformed node ids are error pages", async () => {
    const unknown = await page("/nodes/n-000000000000");
    assertEquals(unknown.status, 404);
    assertEquals(text(one(unknown.doc, "h1")), "Not found");
    assertEquals((await page("/nodes/not-a-node")).status, 400);
  });

  await t.step("the explorer preselects the query's nodes and metrics", async () => {
    const { status, doc } = await page(
      `/telemetry?node=${leaves[0]!.node_id},n-999999999999&metric=cpu.usage,no.such`,
    );
    assertEquals(status, 200);
    assertMatch(text(doc.body), /Unknown nodes ignored: n-999999999999/);
    assertMatch(text(doc.body), /Unknown metrics ignored: no.such/);
    const [island] = islandsOf(doc);
    assertEquals(island?.name, "telemetry_explorer");
    assertEquals(island?.props.selected, {
      nodes: [leaves[0]!.node_id],
      metrics: ["cpu.usage"],
    });
    const metric = one(doc, 'input[name="metric"][value="cpu.usage"]');
    assertEquals([metric.getAttribute("type"), metric.hasAttribute("checked")], ["checkbox", true]);
    assertEquals(
      text(one(metric.parentElement!, 'small[class="metric-meaning"]')),
      new MetricCatalogue().lookup("cpu.usage")!.description,
      "each metric says what it measures",
    );
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
