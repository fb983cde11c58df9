import { assert, assertEquals, assertMatch } from "../../../lib/testing/assert.ts";
import { createHarness, type Harness } from "../../testing/harness.ts";

async function cookieOf(h: Harness, username: string, password: string): Promise<string> {
  const res = await h.request("/v1/auth/login", { method: "POST", json: { username, password } });
  assertEquals(res.status, 200);
  await res.body?.cancel();
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

function islandNames(html: string): string[] {
  const m = /<script type="application\/json" id="halo-islands">(.*?)<\/script>/s.exec(html);
  return m
    ? [...new Set(JSON.parse(m[1]!).islands.map((i: { name: string }) => i.name))] as string[]
    : [];
}

/** The page's `<main>`, where the section's own controls are (the layout has a logout button). */
function mainOf(html: string): string {
  return /<main[\s\S]*<\/main>/.exec(html)![0];
}

Deno.test("alerts page", async (t) => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");
  await h.user("otto", "operator", "otto-password-1");
  const viewer = await cookieOf(h, "vera", "vera-password-1");
  const operator = await cookieOf(h, "otto", "otto-password-1");
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
      const res = await h.request("/alerts", { headers: { cookie: viewer } });
      assertEquals(res.status, 200);
      const html = await res.text();
      assertMatch(html, /<h1>Alerts<\/h1>/);
      assertMatch(html, /<a href="\/alerts" aria-current="page">Open &amp; acknowledged<\/a>/);
      assertMatch(
        html,
        new RegExp(`<article class="alert-card critical" id="alert-${raised!.id}"`),
      );
      assertMatch(
        html,
        new RegExp(
          `href="/flows/${flow.id}/executions/${run.execution_id}">execution #${run.execution_id}<`,
        ),
      );
      // The leaf's alert sits inside the relay's group, after "1 alert behind this one".
      const group = new RegExp(
        `id="alert-${root}"[\\s\\S]*?1 alert behind this one[\\s\\S]*?id="alert-${child}"`,
      );
      assertMatch(html, group);
      assertMatch(html, /leaf offline<\/span><span class="badge silenced">silenced<\/span>/);
      assert(!mainOf(html).includes("<button"), "a viewer sees no buttons");
      assertEquals(islandNames(html), []);
      assert(!html.includes('<script type="module"'), "a viewer's alerts page ships no JavaScript");
      assertMatch(html, /No silences/);
    },
  );

  await t.step("an operator gets Acknowledge and Resolve, and the silence form", async () => {
    const html = await (await h.request("/alerts", { headers: { cookie: operator } })).text();
    assertEquals(islandNames(html).sort(), ["alert_actions", "alerts_silences"]);
    assertEquals([...mainOf(html).matchAll(/>Acknowledge<\/button>/g)].length, 3);
    assertMatch(html, /<h3 id="silence-new-h">New silence<\/h3>/);
    assertMatch(html, /<option value="flow">a flow<\/option>/);
  });

  await t.step(
    "acknowledged and resolved alerts say when and by whom, in their views",
    async () => {
      await (await h.request(`/v1/alerts/${raised!.id}/acknowledge`, { method: "POST", token }))
        .body?.cancel();
      await (await h.request(`/v1/alerts/${child}/resolve`, { method: "POST", token })).body
        ?.cancel();
      const acked = await (await h.request("/alerts?status=acknowledged", {
        headers: { cookie: viewer },
      })).text();
      assertMatch(
        acked,
        /<span class="badge acknowledged">acknowledged<\/span><span>acknowledged <time/,
      );
      assertMatch(acked, /<\/time> by token:[a-z-]+<\/span>/);
      assert(!acked.includes(`id="alert-${root}"`), "open alerts are not in the acknowledged view");
      const resolved = await (await h.request("/alerts?status=resolved", {
        headers: { cookie: viewer },
      })).text();
      assertMatch(resolved, new RegExp(`id="alert-${child}"`));
      assertMatch(
        resolved,
        new RegExp(`Grouped under <a href="/alerts\\?status=all#alert-${root}">`),
      );
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
    const html = await (await h.request("/alerts", { headers: { cookie: viewer } })).text();
    assertMatch(html, new RegExp(`flow <a href="/flows/${flow.id}">Mast check</a>`));
    assertMatch(html, /<td>mast work<\/td>/);
    assert(!html.includes("End now"), "a viewer cannot end a silence");
    const asOperator = await (await h.request("/alerts", { headers: { cookie: operator } }))
      .text();
    assertMatch(asOperator, />End now<\/button>/);
  });
});
