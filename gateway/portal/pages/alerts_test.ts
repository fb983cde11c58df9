import { assert, assertEquals, assertMatch } from "../../../lib/testing/assert.ts";
import { all, islandNames, one, readPage, text, texts } from "../../../tests/_helpers/html.ts";
import { loginAs } from "../../../tests/_helpers/login.ts";
import { createHarness } from "../../testing/harness.ts";

Deno.test("alerts page", async (t) => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");
  await h.user("otto", "operator", "otto-password-1");
  const viewer = await loginAs(h, "vera", "vera-password-1");
  const operator = await loginAs(h, "otto", "otto-password-1");
  const alertsPage = async (path: string, as: { cookie: string }) =>
    await readPage(await h.request(path, { headers: { cookie: as.cookie } }));
  const token = await h.tokenFor("operator");

  // A flow raises one alert through a real execution.
  const flow = await (await h.request("/v1/flows", {
    method: "POST",
    token,
    json: {
      name: "Mast check",
      enabled: true,
      steps: [
        { id: "t", type: "manual", config: {} },
        { id: "a", type: "alert", config: { severity: "critical", message: "Mast power lost" } },
      ],
      edges: [{ from: "t", to: "a" }],
    },
  })).json();
  const run = await (await h.request(`/v1/flows/${flow.id}/trigger`, {
    method: "POST",
    token,
    json: {},
  })).json();
  let raised: { id: number; execution_id: number } | undefined;
  for (let i = 0; i < 50 && !raised; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const list = await (await h.request("/v1/alerts", { token })).json();
    raised = list.alerts.find((a: { message: string }) => a.message === "Mast power lost");
  }
  assert(raised, "the flow raised its alert");
  assertEquals(raised.execution_id, run.execution_id);
  // Two offline alerts grouped as root-cause grouping does: the leaf's under the relay's.
  const raise = (message: string) =>
    h.deps.alerts.raise({
      flowId: flow.id,
      executionId: null,
      dedupeKey: message,
      nodeId: null,
      severity: "warning",
      message,
      autoResolve: false,
      silenced: message.includes("leaf"),
    }, h.clock.now()).id;
  const root = raise("relay offline");
  const child = raise("leaf offline");
  h.deps.db.prepare("UPDATE flow_alerts SET parent_id = ? WHERE id = ?").run(root, child);

  await t.step(
    "a viewer reads the alerts grouped by root cause, with no buttons and no script",
    async () => {
      const { status, doc } = await alertsPage("/alerts", viewer);
      assertEquals(status, 200);
      assertEquals(text(one(doc, "h1")), "Alerts");
      const tab = one(doc, '.alert-tabs a[aria-current="page"]');
      assertEquals([tab.getAttribute("href"), text(tab)], ["/alerts", "Open & acknowledged"]);
      const card = one(doc, `#alert-${raised!.id}`);
      assertEquals([card.localName, card.getAttribute("class")], [
        "article",
        "alert-card critical",
      ]);
      const raisedBy = one(card, `a[href="/flows/${flow.id}/executions/${run.execution_id}"]`);
      assertEquals(text(raisedBy), `execution #${run.execution_id}`);
      // The leaf's alert sits inside the relay's group, after "1 alert behind this one".
      const group = one(doc, `#alert-${root}`).closest("li.alert-group")!;
      assertMatch(text(one(group, ".alert-children .alert-note")), /^1 alert behind this one/);
      assertEquals(all(group, `.alert-children #alert-${child}`).length, 1);
      const leafTitle = all(one(doc, `#alert-${child} .alert-title`), "span");
      assertEquals(leafTitle.map((s) => text(s)), ["warning", "leaf offline", "silenced"]);
      assertEquals(leafTitle[2]!.getAttribute("class"), "badge silenced");
      assertEquals(all(one(doc, "main"), "button").length, 0, "a viewer sees no buttons");
      assertEquals(islandNames(doc), []);
      assertEquals(
        all(doc, 'script[type="module"]').length,
        0,
        "a viewer's alerts page ships no JavaScript",
      );
      assertMatch(text(doc.body), /No silences/);
    },
  );

  await t.step("an operator gets Acknowledge and Resolve, and the silence form", async () => {
    const { doc } = await alertsPage("/alerts", operator);
    assertEquals(islandNames(doc).sort(), ["alert_actions", "alerts_silences"]);
    assertEquals(texts(one(doc, "main"), "button").filter((b) => b === "Acknowledge").length, 3);
    const heading = one(doc, "#silence-new-h");
    assertEquals([heading.localName, text(heading)], ["h3", "New silence"]);
    assert(texts(doc, 'option[value="flow"]').includes("a flow"), "silences can cover a flow");
  });

  await t.step(
    "acknowledged and resolved alerts say when and by whom, in their views",
    async () => {
      await (await h.request(`/v1/alerts/${raised!.id}/acknowledge`, { method: "POST", token }))
        .body?.cancel();
      await (await h.request(`/v1/alerts/${child}/resolve`, { method: "POST", token })).body
        ?.cancel();
      const acked = (await alertsPage("/alerts?status=acknowledged", viewer)).doc;
      const [badge, by] = one(acked, `#alert-${raised!.id} [data-testid="alert-state"]`).children;
      assertEquals([badge!.getAttribute("class"), text(badge)], [
        "badge acknowledged",
        "acknowledged",
      ]);
      assertEquals(by!.localName, "span");
      assertEquals(by!.firstChild?.textContent, "acknowledged ");
      assertMatch(one(by!, "time").nextSibling?.textContent ?? "", /^ by token:[a-z-]+$/);
      assertEquals(
        all(acked, `#alert-${root}`).length,
        0,
        "open alerts are not in the acknowledged view",
      );
      const resolved = (await alertsPage("/alerts?status=resolved", viewer)).doc;
      assertEquals(all(resolved, `#alert-${child}`).length, 1);
      const parent = one(resolved, `a[href="/alerts?status=all#alert-${root}"]`);
      assertMatch(text(parent.parentElement), /^Grouped under alert #\d+/);
    },
  );

  await t.step("silences are listed with what they cover", async () => {
    const created = await h.request("/v1/silences", {
      method: "POST",
      token,
      json: { target: "flow", value: String(flow.id), reason: "mast work", duration_s: 3600 },
    });
    assertEquals(created.status, 201);
    await created.body?.cancel();
    const { doc } = await alertsPage("/alerts", viewer);
    const [covers, , reason] = all(doc, '[data-testid="silences"] tbody td');
    assertEquals(text(covers), "flow Mast check");
    assertEquals(one(covers!, "a").getAttribute("href"), `/flows/${flow.id}`);
    assertEquals(text(reason), "mast work");
    assert(!text(doc.body).includes("End now"), "a viewer cannot end a silence");
    const asOperator = (await alertsPage("/alerts", operator)).doc;
    assert(texts(asOperator, "button").includes("End now"), "an operator can end it");
  });
});
