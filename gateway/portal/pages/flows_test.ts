import { assert, assertEquals, assertMatch } from "../../../lib/testing/assert.ts";
import { createHarness, type Harness } from "../../testing/harness.ts";

async function cookieOf(h: Harness, username: string, password: string): Promise<string> {
  const res = await h.request("/v1/auth/login", { method: "POST", json: { username, password } });
  assertEquals(res.status, 200);
  await res.body?.cancel();
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

function islands(html: string): { name: string; props: Record<string, unknown> }[] {
  const m = /<script type="application\/json" id="halo-islands">(.*?)<\/script>/s.exec(html);
  return m ? JSON.parse(m[1]!).islands : [];
}

async function page(
  h: Harness,
  path: string,
  cookie: string,
): Promise<{ status: number; html: string }> {
  const res = await h.request(path, { headers: { cookie } });
  return { status: res.status, html: await res.text() };
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
  const viewer = await cookieOf(h, "vera", "vera-password-1");
  const operator = await cookieOf(h, "otto", "otto-password-1");
  const admin = await cookieOf(h, "ada", "ada-password-123");
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
      const { status, html } = await page(h, "/flows", viewer);
      assertEquals(status, 200);
      assertMatch(html, new RegExp(`<a href="/flows/${flowId}">Manual alert</a>`));
      assertMatch(html, /<td>Manual<\/td>/);
      assertMatch(html, /<span class="badge succeeded">succeeded<\/span>/);
      assertMatch(html, new RegExp(`href="/flows/${flowId}/executions/${executionId}"`));
      assert(!html.includes("New flow"), "a viewer is not offered a new flow");
      assertEquals(islands(html), [], "a viewer's list ships no JavaScript");
      assert(!/ style="/.test(html), "no inline style attributes");
    },
  );

  await t.step("an operator gets the switch and the New flow button", async () => {
    const { html } = await page(h, "/flows", operator);
    assertMatch(html, /<a class="button" href="\/flows\/new">New flow<\/a>/);
    const toggles = islands(html).filter((i) => i.name === "flow_toggle");
    assertEquals(toggles.map((i) => i.props), [{
      id: flowId,
      name: "Manual alert",
      enabled: true,
    }]);
  });

  await t.step("the builder gets the metadata as props; editing by role", async () => {
    const fresh = await page(h, "/flows/new", operator);
    assertEquals(fresh.status, 200);
    const [builder] = islands(fresh.html);
    assertEquals(builder!.name, "flow_builder");
    const props = builder!.props as {
      canEdit: boolean;
      flow: unknown;
      metadata: { step_types: { type: string }[] };
    };
    assertEquals(props.canEdit, true);
    assertEquals(props.flow, null);
    assert(props.metadata.step_types.some((s) => s.type === "set_variable"));
    assertMatch(fresh.html, /<h1>New flow<\/h1>/);
    assertMatch(fresh.html, /Add<span class="sr-only"> Threshold<\/span>/);

    const viewed = await page(h, `/flows/${flowId}`, viewer);
    assertEquals(viewed.status, 200);
    const viewerProps = islands(viewed.html)[0]!.props as { canEdit: boolean };
    assertEquals(viewerProps.canEdit, false);
    assertMatch(viewed.html, /changing it needs the operator role/);
    assert(!viewed.html.includes("palette-item"), "a viewer sees no palette");
    assert(!viewed.html.includes(">Save<"), "a viewer sees no save button");
    // The server render draws the stored positions.
    assertMatch(
      viewed.html,
      /data-step="raise"[^>]*transform="translate\(300,40\)"|transform="translate\(300,40\)"[^>]*data-step="raise"/,
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
    assertEquals((islands(asOperator.html)[0]!.props as { canEdit: boolean }).canEdit, false);
    assertMatch(asOperator.html, /changing it needs the admin role/);
    const list = await page(h, "/flows", operator);
    assertEquals(islands(list.html).filter((i) => i.name === "flow_toggle").length, 1);
    assertMatch(list.html, /SSH · admin/);
    const asAdmin = await page(h, `/flows/${id}`, admin);
    assertEquals((islands(asAdmin.html)[0]!.props as { canEdit: boolean }).canEdit, true);
  });

  await t.step("the history lists executions with status and duration", async () => {
    const { status, html } = await page(h, `/flows/${flowId}/executions`, viewer);
    assertEquals(status, 200);
    assertMatch(
      html,
      new RegExp(`<a href="/flows/${flowId}/executions/${executionId}">#${executionId}</a>`),
    );
    assertMatch(html, /<span class="badge succeeded">succeeded<\/span>/);
    assertEquals(islands(html), []);
  });

  await t.step("an execution shows its path on the server-drawn graph and each step", async () => {
    const { status, html } = await page(h, `/flows/${flowId}/executions/${executionId}`, viewer);
    assertEquals(status, 200);
    assertEquals(islands(html), [], "the execution view ships no JavaScript");
    assert(!/ style="/.test(html), "no inline style attributes");
    assertMatch(html, /<svg class="flow-graph"/);
    assertMatch(html, /class="flow-step kind-trigger run-succeeded"/);
    assertMatch(html, /class="flow-step kind-action run-succeeded"[^>]*data-step="raise"/);
    assertMatch(html, /class="flow-step kind-condition run-skipped"[^>]*data-step="after"/);
    assertMatch(html, /class="flow-edge always taken"/);
    assertMatch(html, /class="flow-edge failure not-taken"/);
    assertMatch(html, /data-step-row="raise"/);
    assertMatch(html, /Raised by Manual alert/);
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
      const { html } = await page(h, `/flows/${flowId}/executions/${executionId}`, viewer);
      assertMatch(html, /data-step="never"/);
      assertMatch(html, /This execution ran version 1, drawn below; the flow is now at version 2/);
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
