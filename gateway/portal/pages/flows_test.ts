import { assert, assertEquals, assertMatch } from "../../../lib/testing/assert.ts";
import {
  all,
  attributes,
  has,
  islandsOf,
  one,
  type Page,
  readPage,
  text,
  texts,
} from "../../../tests/_helpers/html.ts";
import { loginAs, type Session } from "../../../tests/_helpers/login.ts";
import { createHarness, type Harness } from "../../testing/harness.ts";

async function page(h: Harness, path: string, as: Session): Promise<Page> {
  return await readPage(await h.request(path, { headers: { cookie: as.cookie } }));
}

const ALERT_FLOW = {
  name: "Manual alert",
  description: "Raised by hand",
  steps: [
    { id: "go", type: "manual", config: {}, position: { x: 24, y: 40 } },
    {
      id: "raise",
      type: "alert",
      config: { severity: "critical", message: "Raised by {flow_name}" },
      position: { x: 300, y: 40 },
    },
    { id: "after", type: "cooldown", config: { duration_s: 60 } },
    { id: "never", type: "alert", config: { message: "not reached" } },
  ],
  edges: [
    { from: "go", to: "raise" },
    { from: "raise", to: "after", branch: "failure" },
    { from: "after", to: "never", branch: "true" },
  ],
};

Deno.test("Flows pages", async (t) => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");
  await h.user("otto", "operator", "otto-password-1");
  await h.user("ada", "admin", "ada-password-123");
  const viewer = await loginAs(h, "vera", "vera-password-1");
  const operator = await loginAs(h, "otto", "otto-password-1");
  const admin = await loginAs(h, "ada", "ada-password-123");
  const token = await h.tokenFor("admin");

  const created = await h.request("/v1/flows", { method: "POST", token, json: ALERT_FLOW });
  assertEquals(created.status, 201);
  const flowId = (await created.json()).id as number;
  const fired = await h.request(`/v1/flows/${flowId}/trigger`, {
    method: "POST",
    token,
    json: { payload: {} },
  });
  assertEquals(fired.status, 202);
  const executionId = (await fired.json()).execution_id as number;
  for (let i = 0; i < 100; i++) {
    const e = await (await h.request(`/v1/flows/${flowId}/executions/${executionId}`, { token }))
      .json();
    if (e.status !== "running") break;
    await new Promise((r) => setTimeout(r, 10));
  }

  await t.step(
    "the list shows each flow's trigger and last run; a viewer gets no switch",
    async () => {
      const { status, doc } = await page(h, "/flows", viewer);
      assertEquals(status, 200);
      assert(texts(doc, `a[href="/flows/${flowId}"]`).includes("Manual alert"), "the flow links");
      assert(texts(doc, "td").includes("Manual"), "the trigger is shown");
      assertEquals(texts(doc, 'span[class="badge succeeded"]'), ["succeeded"]);
      assert(has(doc, `[href="/flows/${flowId}/executions/${executionId}"]`), "the last run links");
      assert(!text(doc.body).includes("New flow"), "a viewer is not offered a new flow");
      assertEquals(islandsOf(doc), [], "a viewer's list ships no JavaScript");
      assertEquals(all(doc, "[style]").length, 0, "no inline style attributes");
    },
  );

  await t.step("an operator gets the switch and the New flow button", async () => {
    const { doc } = await page(h, "/flows", operator);
    const create = one(doc, 'a[href="/flows/new"]');
    assertEquals([attributes(create), text(create)], [
      { class: "button", href: "/flows/new" },
      "New flow",
    ]);
    const toggles = islandsOf(doc).filter((i) => i.name === "flow_toggle");
    assertEquals(toggles.map((i) => i.props), [{
      id: flowId,
      name: "Manual alert",
      enabled: true,
    }]);
  });

  await t.step("the builder gets the metadata as props; editing by role", async () => {
    const fresh = await page(h, "/flows/new", operator);
    assertEquals(fresh.status, 200);
    const [builder] = islandsOf(fresh.doc);
    assertEquals(builder!.name, "flow_builder");
    const props = builder!.props as {
      canEdit: boolean;
      flow: unknown;
      metadata: { step_types: { type: string }[] };
    };
    assertEquals(props.canEdit, true);
    assertEquals(props.flow, null);
    assert(props.metadata.step_types.some((s) => s.type === "set_variable"));
    assertEquals(text(one(fresh.doc, "h1")), "New flow");
    const adds = all(fresh.doc, "button").filter((b) => b.firstChild?.textContent === "Add");
    assert(
      adds.some((b) => b.querySelector("span.sr-only")?.textContent === " Threshold"),
      "the palette offers Threshold",
    );

    const viewed = await page(h, `/flows/${flowId}`, viewer);
    assertEquals(viewed.status, 200);
    const viewerProps = islandsOf(viewed.doc)[0]!.props as { canEdit: boolean };
    assertEquals(viewerProps.canEdit, false);
    assertMatch(text(viewed.doc.body), /changing it needs the operator role/);
    assertEquals(all(viewed.doc, ".palette-item").length, 0, "a viewer sees no palette");
    assert(!texts(viewed.doc, "button").includes("Save"), "a viewer sees no save button");
    // The server render draws the stored positions.
    assert(
      all(viewed.doc, '[data-step="raise"][transform]')
        .some((e) => e.getAttribute("transform") === "translate(300,40)"),
      "the step is drawn where it was stored",
    );
  });

  await t.step("a flow that runs SSH commands is read-only for an operator", async () => {
    const res = await h.request("/v1/flows", {
      method: "POST",
      token,
      json: {
        name: "Restart",
        steps: [
          { id: "t", type: "manual", config: {} },
          { id: "c", type: "command", config: { command: "systemctl restart halo-agent" } },
        ],
        edges: [{ from: "t", to: "c" }],
      },
    });
    const id = (await res.json()).id;
    const asOperator = await page(h, `/flows/${id}`, operator);
    assertEquals((islandsOf(asOperator.doc)[0]!.props as { canEdit: boolean }).canEdit, false);
    assertMatch(text(asOperator.doc.body), /changing it needs the admin role/);
    const list = await page(h, "/flows", operator);
    assertEquals(islandsOf(list.doc).filter((i) => i.name === "flow_toggle").length, 1);
    assertMatch(text(list.doc.body), /SSH · admin/);
    const asAdmin = await page(h, `/flows/${id}`, admin);
    assertEquals((islandsOf(asAdmin.doc)[0]!.props as { canEdit: boolean }).canEdit, true);
  });

  await t.step("the history lists executions with status and duration", async () => {
    const { status, doc } = await page(h, `/flows/${flowId}/executions`, viewer);
    assertEquals(status, 200);
    assertEquals(texts(doc, `a[href="/flows/${flowId}/executions/${executionId}"]`), [
      `#${executionId}`,
    ]);
    assertEquals(texts(doc, 'span[class="badge succeeded"]'), ["succeeded"]);
    assertEquals(islandsOf(doc), []);
  });

  await t.step("an execution shows its path on the server-drawn graph and each step", async () => {
    const { status, doc } = await page(h, `/flows/${flowId}/executions/${executionId}`, viewer);
    assertEquals(status, 200);
    assertEquals(islandsOf(doc), [], "the execution view ships no JavaScript");
    assertEquals(all(doc, "[style]").length, 0, "no inline style attributes");
    for (
      const drawn of [
        'svg[class="flow-graph"]',
        '[class="flow-step kind-trigger run-succeeded"]',
        '[class="flow-step kind-action run-succeeded"][data-step="raise"]',
        '[class="flow-step kind-condition run-skipped"][data-step="after"]',
        '[class="flow-edge always taken"]',
        '[class="flow-edge failure not-taken"]',
        '[data-step-row="raise"]',
      ]
    ) {
      assert(has(doc, drawn), `the execution view has ${drawn}`);
    }
    assertMatch(text(doc.body), /Raised by Manual alert/);
  });

  await t.step(
    "after an edit, an execution still shows the graph of the version it ran",
    async () => {
      const current = await (await h.request(`/v1/flows/${flowId}`, { token })).json();
      const edited = await h.request(`/v1/flows/${flowId}`, {
        method: "PUT",
        token,
        json: {
          name: current.name,
          steps: current.steps.filter((s: { id: string }) => s.id !== "never"),
          edges: current.edges.filter((e: { to: string }) => e.to !== "never"),
        },
      });
      assertEquals(edited.status, 200);
      const { doc } = await page(h, `/flows/${flowId}/executions/${executionId}`, viewer);
      assert(has(doc, '[data-step="never"]'), "the removed step is still drawn");
      assertMatch(
        text(doc.body),
        /This execution ran version 1, drawn below; the flow is now at version 2/,
      );
    },
  );

  await t.step("an unknown flow or execution is a 404 page", async () => {
    assertEquals((await page(h, "/flows/999", viewer)).status, 404);
    assertEquals((await page(h, `/flows/${flowId}/executions/999`, viewer)).status, 404);
  });

  await t.step("anonymous visitors are sent to the login", async () => {
    const res = await h.request(`/flows/${flowId}`);
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), `/login?next=%2Fflows%2F${flowId}`);
  });
});
