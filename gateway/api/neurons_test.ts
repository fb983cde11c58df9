import { assertEquals } from "../../lib/testing/assert.ts";
import { createHarness } from "../testing/harness.ts";

Deno.test("brain/neuron model", async (t) => {
  await using h = await createHarness();
  const admin = await h.tokenFor("admin");
  const join = await h.joinToken();
  const ids: string[] = [];
  for (const [i, hostname] of ["gw", "relay", "leaf"].entries()) {
    const res = await h.request("/v1/enroll", {
      method: "POST",
      json: { join_token: join, hardware: { serial: `SERIAL0${i}` }, hostname },
    });
    ids.push((await res.json()).node_id);
  }
  const [gw, relay, leaf] = ids as [string, string, string];

  await t.step("a neuron has the four standard components", async () => {
    const res = await h.request("/v1/neurons", {
      method: "POST",
      token: admin,
      json: { id: "n01" },
    });
    assertEquals(res.status, 201);
    const neuron = await res.json();
    assertEquals(neuron.components.map((c: { name: string }) => c.name), [
      "brain-sensor-n01",
      "brain-thought-n01",
      "brain-memory-n01",
      "brain-send-n01",
    ]);
  });

  await t.step("components map many-to-many onto devices", async () => {
    for (
      const [component, node] of [
        ["brain-sensor-n01", leaf],
        ["brain-sensor-n01", relay],
        ["brain-thought-n01", gw],
        ["brain-memory-n01", gw],
      ] as const
    ) {
      const res = await h.request("/v1/neurons/placements", {
        method: "POST",
        token: admin,
        json: { component, node_id: node },
      });
      assertEquals(res.status, 200);
    }
    await h.request("/v1/neurons", { method: "POST", token: admin, json: { id: "n02" } });
    await h.request("/v1/neurons/placements", {
      method: "POST",
      token: admin,
      json: { component: "brain-send-n02", node_id: gw },
    });
  });

  await t.step("answers which devices host neuron n01", async () => {
    const res = await h.request("/v1/neurons/n01", { token: await h.tokenFor("viewer") });
    const body = await res.json();
    assertEquals(body.devices.map((d: { name: string }) => d.name).sort(), ["gw", "leaf", "relay"]);
  });

  await t.step("answers which neuron components run on a device", async () => {
    const res = await h.request(`/v1/nodes/${gw}/neurons`, { token: await h.tokenFor("viewer") });
    assertEquals((await res.json()).components.map((c: { name: string }) => c.name), [
      "brain-memory-n01",
      "brain-thought-n01",
      "brain-send-n02",
    ]);
  });

  await t.step("component names are validated against brain-<component>-<neuron>", async () => {
    const res = await h.request("/v1/neurons/placements", {
      method: "POST",
      token: admin,
      json: { component: "brain-dream-n01", node_id: gw },
    });
    assertEquals(res.status, 400);
    assertEquals(
      (await res.json()).error.details[0].message,
      "expected brain-<sensor|thought|memory|send>-<neuron>, e.g. brain-sensor-n01",
    );
    const unknown = await h.request("/v1/neurons/placements", {
      method: "POST",
      token: admin,
      json: { component: "brain-sensor-n99", node_id: gw },
    });
    assertEquals(unknown.status, 404);
  });

  await t.step("a placement can be removed", async () => {
    const res = await h.request(`/v1/neurons/placements/brain-sensor-n01/${relay}`, {
      method: "DELETE",
      token: admin,
    });
    assertEquals(res.status, 200);
    const body = await (await h.request("/v1/neurons/n01", { token: admin })).json();
    assertEquals(body.devices.map((d: { name: string }) => d.name).sort(), ["gw", "leaf"]);
  });
});

Deno.test("meshes never return their PSK", async () => {
  await using h = await createHarness();
  const admin = await h.tokenFor("admin");
  const res = await h.request("/v1/meshes", {
    method: "POST",
    token: admin,
    json: { ssid: "ETHRX0001-8A", channel: 28, psk: "super-secret-psk" },
  });
  assertEquals(res.status, 201);
  const created = await res.text();
  assertEquals(created.includes("super-secret-psk"), false);
  const patched = await h.request(`/v1/meshes/${JSON.parse(created).id}`, {
    method: "PATCH",
    token: admin,
    json: { psk: "another-secret-psk" },
  });
  assertEquals((await patched.text()).includes("another-secret-psk"), false);
  const list = await (await h.request("/v1/meshes", { token: await h.tokenFor("viewer") })).text();
  assertEquals(list.includes("secret"), false);
  assertEquals(JSON.parse(list).meshes[0].psk_set, true);
  const audit = await (await h.request("/v1/audit?action=mesh", { token: admin })).text();
  assertEquals(audit.includes("secret-psk"), false);
  const bad = await h.request("/v1/meshes", {
    method: "POST",
    token: admin,
    json: { ssid: "bad ssid!", channel: 99, psk: "short" },
  });
  assertEquals(
    (await bad.json()).error.details.map((d: { path: string }) => d.path).sort(),
    ["body.channel", "body.psk", "body.ssid"],
  );
});
