import { assert, assertEquals, assertMatch } from "../../../lib/testing/assert.ts";
import { createHarness, type Harness } from "../../testing/harness.ts";

async function cookieOf(h: Harness, username: string, password: string): Promise<string> {
  const res = await h.request("/v1/auth/login", { method: "POST", json: { username, password } });
  assertEquals(res.status, 200);
  await res.body?.cancel();
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

Deno.test("neurons page", async (t) => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");
  await h.user("ada", "admin", "ada-password-12");
  const viewer = await cookieOf(h, "vera", "vera-password-1");
  const admin = await cookieOf(h, "ada", "ada-password-12");
  const token = await h.tokenFor("admin");

  await t.step("says plainly when no neuron is configured", async () => {
    const html = await (await h.request("/neurons", { headers: { cookie: viewer } })).text();
    assertMatch(html, /<h1>Neurons<\/h1>/);
    assertMatch(html, /No neurons are configured\./);
  });

  const enrolled = await h.request("/v1/enroll", {
    method: "POST",
    json: { join_token: await h.joinToken(), hardware: { serial: "SERMAST01" }, hostname: "mast" },
  });
  const { node_id } = await enrolled.json();
  for (
    const [method, path, json] of [
      ["POST", "/v1/neurons", { id: "n01", description: "Field environment" }],
      ["POST", "/v1/neurons/placements", { component: "brain-sensor-n01", node_id }],
      ["POST", "/v1/neurons/placements", { component: "brain-send-n01", node_id }],
    ] as const
  ) {
    const res = await h.request(path, { method, token, json });
    assert(res.ok, `${method} ${path}: ${res.status}`);
    await res.body?.cancel();
  }

  await t.step("lists each neuron's four components and the devices hosting them", async () => {
    const res = await h.request("/neurons", { headers: { cookie: viewer } });
    assertEquals(res.status, 200);
    const html = await res.text();
    assertMatch(html, /<h2 id="neuron-n01-h">Neuron n01<\/h2><p>Field environment<\/p>/);
    for (const c of ["sensor", "thought", "memory", "send"]) {
      assert(html.includes(`<code>brain-${c}-n01</code>`), `component ${c} is listed`);
    }
    assertMatch(
      html,
      new RegExp(
        `<code>brain-sensor-n01</code></td><td>Gathers input[^<]*</td><td><ul class="neuron-hosts"><li><a href="/nodes/${node_id}">mast</a>`,
      ),
    );
    assertMatch(
      html,
      /<code>brain-thought-n01<\/code><\/td><td>[^<]*<\/td><td><span class="muted">not placed/,
    );
    // Seen from the device: both components it hosts.
    assertMatch(html, /<code>brain-sensor-n01<\/code><\/li><li><code>brain-send-n01<\/code>/);
    assert(!html.includes("<script"), "the neurons page ships no JavaScript");
    assert(!html.includes("neurons-admin-note"), "a viewer is not told how to change them");
  });

  await t.step("an admin is told where neurons are changed", async () => {
    const html = await (await h.request("/neurons", { headers: { cookie: admin } })).text();
    assertMatch(html, /data-testid="neurons-admin-note"/);
  });
});
