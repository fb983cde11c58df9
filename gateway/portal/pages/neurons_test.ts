import { assert, assertEquals, assertMatch } from "../../../lib/testing/assert.ts";
import { all, byTestId, has, one, readPage, text, texts } from "../../../tests/_helpers/html.ts";
import { loginAs, type Session } from "../../../tests/_helpers/login.ts";
import { createHarness } from "../../testing/harness.ts";

Deno.test("neurons page", async (t) => {
  await using h = await createHarness();
  await h.user("vera", "viewer", "vera-password-1");
  await h.user("ada", "admin", "ada-password-12");
  const viewer = await loginAs(h, "vera", "vera-password-1");
  const admin = await loginAs(h, "ada", "ada-password-12");
  const neurons = async (as: Session) =>
    await readPage(await h.request("/neurons", { headers: { cookie: as.cookie } }));
  const token = await h.tokenFor("admin");

  await t.step("says plainly when no neuron is configured", async () => {
    const { doc } = await neurons(viewer);
    assertEquals(text(one(doc, "h1")), "Neurons");
    assertMatch(text(doc.body), /No neurons are configured\./);
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
    const { status, doc } = await neurons(viewer);
    assertEquals(status, 200);
    const heading = one(doc, "#neuron-n01-h");
    assertEquals([heading.localName, text(heading)], ["h2", "Neuron n01"]);
    const description = heading.nextElementSibling;
    assertEquals([description?.localName, text(description)], ["p", "Field environment"]);
    const rows = all(byTestId(doc, "neuron-n01"), "tbody tr");
    const cells = (component: string) => {
      const row = rows.find((r) => text(r.querySelector("td:first-child > code")) === component);
      assert(row, `component ${component} is listed`);
      return [...row.children];
    };
    for (const c of ["sensor", "thought", "memory", "send"]) cells(`brain-${c}-n01`);
    const [, sensorRole, sensorHosts] = cells("brain-sensor-n01");
    assertMatch(text(sensorRole), /^Gathers input/);
    const host = one(sensorHosts!, "ul.neuron-hosts > li:first-child > a");
    assertEquals([host.getAttribute("href"), text(host)], [`/nodes/${node_id}`, "mast"]);
    const thoughtHosts = cells("brain-thought-n01")[2]!.firstElementChild;
    assertEquals(thoughtHosts?.getAttribute("class"), "muted");
    assertMatch(text(thoughtHosts), /^not placed/);
    // Seen from the device: both components it hosts.
    assertEquals(texts(byTestId(doc, "neuron-devices"), "ul.neuron-hosts > li > code"), [
      "brain-sensor-n01",
      "brain-send-n01",
    ]);
    assertEquals(all(doc, "script").length, 0, "the neurons page ships no JavaScript");
    assert(
      !has(doc, '[data-testid="neurons-admin-note"]'),
      "a viewer is not told how to change them",
    );
  });

  await t.step("an admin is told where neurons are changed", async () => {
    const { doc } = await neurons(admin);
    assert(has(doc, '[data-testid="neurons-admin-note"]'), "an admin is told");
  });
});
