import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { sampleReport } from "../../lib/testing/reports.ts";
import { flushLiveState } from "../nodes/apply_report.ts";
import { markOverdueNodesOffline } from "../nodes/offline_monitor.ts";
import { createHarness, type Harness } from "../testing/harness.ts";

async function enroll(h: Harness, hostname: string, serial: string, role = "node") {
  const res = await h.request("/v1/enroll", {
    method: "POST",
    json: { join_token: await h.joinToken(), hardware: { serial }, hostname, role },
  });
  assertEquals(res.status, 200);
  return await res.json() as { node_id: string; agent_token: string };
}

function eventTypes(h: Harness, nodeId: string): string[] {
  return (h.deps.db.prepare("SELECT type FROM events WHERE node_id = ? ORDER BY id").all(
    nodeId,
  ) as {
    type: string;
  }[]).map((r) => r.type);
}

Deno.test("node reports", async (t) => {
  await using h = await createHarness();
  const node = await enroll(h, "leaf-1", "SER00001");
  const report = (overrides = {}) =>
    h.request(`/v1/nodes/${node.node_id}/report`, {
      method: "POST",
      token: node.agent_token,
      json: sampleReport(overrides),
    });

  await t.step(
    "the first report brings the node online and answers the gateway's time",
    async () => {
      const res = await report();
      assertEquals(res.status, 200);
      const body = await res.json();
      assertEquals(body, {
        gateway_time_ms: h.clock.now(),
        report_interval_s: 10,
        events: ["online"],
      });
      assertEquals(eventTypes(h, node.node_id), ["enrolled", "online"]);
    },
  );

  await t.step(
    "stores interfaces, clients, sensors and overlay peers as the node's children",
    async () => {
      await report({
        interfaces: [
          {
            name: "eth0",
            kind: "eth",
            mac: "02:00:00:00:00:01",
            addresses: ["198.18.0.10/24"],
            up: true,
          },
          {
            name: "wlan1",
            kind: "halow",
            mac: "02:00:00:00:01:01",
            addresses: [],
            up: true,
            mtu: 1500,
          },
        ],
        clients: [{
          mac: "02:aa:00:00:00:01",
          ip: "198.18.5.20",
          hostname: "camera",
          iface: "eth1",
        }],
        sensors: [{ name: "bme280", kind: "bme280", bus: "i2c-1", address: "0x76" }],
        overlay_peers: [{
          public_key: "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
          allowed_ips: ["198.19.0.1/32"],
          rx_bytes: 10,
          tx_bytes: 20,
        }],
      });
      const res = await h.request(`/v1/nodes/${node.node_id}`, {
        token: await h.tokenFor("viewer"),
      });
      const detail = await res.json();
      assertEquals(detail.interfaces.map((i: { name: string }) => i.name), ["eth0", "wlan1"]);
      assertEquals(detail.clients[0].hostname, "camera");
      assertEquals(detail.clients[0].present, true);
      assertEquals(detail.sensors[0].address, "0x76");
      assertEquals(detail.data_provider, true);
      assertEquals(detail.overlay_peers[0].allowed_ips, ["198.19.0.1/32"]);
      assertEquals(detail.addresses, ["198.18.0.10/24"]);
    },
  );

  await t.step("a client missing from the next report is kept but no longer present", async () => {
    await h.clock.tick(10_000);
    await report();
    const detail =
      await (await h.request(`/v1/nodes/${node.node_id}`, { token: await h.tokenFor("viewer") }))
        .json();
    assertEquals(detail.clients.length, 1);
    assertEquals(detail.clients[0].present, false);
    assertEquals(detail.data_provider, false);
  });

  await t.step("a new boot id records a reboot", async () => {
    const res = await report({ boot_id: "11111111-2222-4333-8444-555555555555", uptime_s: 3 });
    assertEquals((await res.json()).events, ["rebooted"]);
  });

  await t.step(
    "a changed address records address_changed with what was added and removed",
    async () => {
      const res = await report({
        boot_id: "11111111-2222-4333-8444-555555555555",
        interfaces: [{
          name: "eth0",
          kind: "eth",
          addresses: ["198.18.0.99/24", "fe80::1/64"],
          up: true,
        }],
      });
      assertEquals((await res.json()).events, ["address_changed"]);
      const event = h.deps.events.query({ node: node.node_id, types: ["address_changed"] })[0]!;
      assertEquals(event.data, { added: ["198.18.0.99/24"], removed: ["198.18.0.10/24"] });
    },
  );

  await t.step(
    "the node goes offline after the configured missed reports, and back online",
    async () => {
      await h.clock.tick(29_000);
      assertEquals(markOverdueNodesOffline(h.deps, h.clock.now(), 0), []);
      await h.clock.tick(2_000);
      assertEquals(markOverdueNodesOffline(h.deps, h.clock.now(), 0), [node.node_id]);
      assertEquals(eventTypes(h, node.node_id).slice(-1), ["offline"]);
      const res = await report({
        boot_id: "11111111-2222-4333-8444-555555555555",
        interfaces: [{
          name: "eth0",
          kind: "eth",
          addresses: ["198.18.0.99/24", "fe80::1/64"],
          up: true,
        }],
      });
      assertEquals((await res.json()).events, ["online"]);
    },
  );

  await t.step("the offline threshold follows the settings without a restart", async () => {
    const admin = await h.tokenFor("admin");
    const res = await h.request("/v1/settings", {
      method: "PATCH",
      token: admin,
      json: { report_interval_s: 5, offline_after_missed: 2 },
    });
    assertEquals(res.status, 200);
    await h.clock.tick(10_500);
    assertEquals(markOverdueNodesOffline(h.deps, h.clock.now(), 0), [node.node_id]);
  });

  await t.step(
    "a gateway restart gives every node a full threshold before marking it offline",
    async () => {
      await report();
      await h.clock.tick(60_000);
      const restartedAt = h.clock.now() - 1000;
      assertEquals(markOverdueNodesOffline(h.deps, h.clock.now(), restartedAt), []);
    },
  );

  await t.step("an agent may report only for its own node", async () => {
    const other = await enroll(h, "leaf-2", "SER00002");
    const res = await h.request(`/v1/nodes/${node.node_id}/report`, {
      method: "POST",
      token: other.agent_token,
      json: sampleReport(),
    });
    assertEquals(res.status, 403);
    const admin = await h.request(`/v1/nodes/${node.node_id}/report`, {
      method: "POST",
      token: await h.tokenFor("admin"),
      json: sampleReport(),
    });
    assertEquals(admin.status, 403);
  });

  await t.step("a bad report is refused whole, naming each field", async () => {
    const before = h.deps.db.prepare("SELECT * FROM interfaces WHERE node_id = ?").all(
      node.node_id,
    );
    const res = await report({
      uptime_s: -1,
      interfaces: [{ name: "eth0", kind: "eth", addresses: ["not-an-ip"], up: true }],
    });
    assertEquals(res.status, 400);
    const body = await res.json();
    assertEquals(
      body.error.details.map((d: { path: string }) => d.path).sort(),
      ["body.interfaces.0.addresses.0", "body.uptime_s"],
    );
    assertEquals(
      h.deps.db.prepare("SELECT * FROM interfaces WHERE node_id = ?").all(node.node_id),
      before,
    );
  });
});

Deno.test("node administration", async (t) => {
  await using h = await createHarness();
  const admin = await h.tokenFor("admin");
  const a = await enroll(h, "alpha", "SER0000A");
  await enroll(h, "beta", "SER0000B");

  await t.step("rename, tag and assign a mesh; the audit log records it", async () => {
    const mesh = await (await h.request("/v1/meshes", {
      method: "POST",
      token: admin,
      json: { ssid: "ETHRX0001-8A", channel: 28, psk: "correct horse battery" },
    })).json();
    const res = await h.request(`/v1/nodes/${a.node_id}`, {
      method: "PATCH",
      token: admin,
      json: { name: "alpha-north", tags: ["site:north", "solar"], mesh_id: mesh.id },
    });
    assertEquals(res.status, 200);
    const node = await res.json();
    assertEquals([node.name, node.tags, node.mesh], [
      "alpha-north",
      ["site:north", "solar"],
      "ETHRX0001-8A",
    ]);
    const audit = await (await h.request("/v1/audit?action=node", { token: admin })).json();
    assertEquals(audit.entries[0].action, "node.update");
    assertEquals(audit.entries[0].actor, "token:test-admin");
  });

  await t.step("a name already in use is a conflict", async () => {
    const res = await h.request(`/v1/nodes/${a.node_id}`, {
      method: "PATCH",
      token: admin,
      json: { name: "beta" },
    });
    assertEquals(res.status, 409);
  });

  await t.step("filters by tag, mesh and role", async () => {
    const viewer = await h.tokenFor("viewer");
    const byTag = await (await h.request("/v1/nodes?tag=solar", { token: viewer })).json();
    assertEquals(byTag.nodes.map((n: { name: string }) => n.name), ["alpha-north"]);
    const byMesh = await (await h.request("/v1/nodes?mesh=ETHRX0001-8A", { token: viewer })).json();
    assertEquals(byMesh.nodes.length, 1);
  });

  await t.step("a viewer cannot change nodes", async () => {
    const res = await h.request(`/v1/nodes/${a.node_id}`, {
      method: "PATCH",
      token: await h.tokenFor("viewer"),
      json: { name: "x" },
    });
    assertEquals(res.status, 403);
  });

  await t.step("decommissioning revokes the agent token and keeps the history", async () => {
    const res = await h.request(`/v1/nodes/${a.node_id}/decommission`, {
      method: "POST",
      token: admin,
    });
    assertEquals(res.status, 200);
    const report = await h.request(`/v1/nodes/${a.node_id}/report`, {
      method: "POST",
      token: a.agent_token,
      json: sampleReport(),
    });
    assertEquals(report.status, 401);
    const list = await (await h.request("/v1/nodes", { token: admin })).json();
    assert(!list.nodes.some((n: { id: string }) => n.id === a.node_id));
    assertEquals(eventTypes(h, a.node_id), ["enrolled", "decommissioned"]);
    const detail = await (await h.request(`/v1/nodes/${a.node_id}`, { token: admin })).json();
    assertEquals(detail.status, "decommissioned");
  });
});

Deno.test("a report that changes nothing structural is written only at the next flush", async () => {
  await using h = await createHarness();
  const node = await enroll(h, "leaf-9", "SER00009");
  const send = (uptime: number) =>
    h.request(`/v1/nodes/${node.node_id}/report`, {
      method: "POST",
      token: node.agent_token,
      json: sampleReport({ uptime_s: uptime }),
    });
  await send(100);
  const changes = () => (h.deps.db.prepare("SELECT total_changes() AS n").get() as { n: number }).n;
  const before = changes();
  await h.clock.tick(10_000);
  assertEquals((await send(110)).status, 200);
  assertEquals(changes(), before);
  const detail =
    await (await h.request(`/v1/nodes/${node.node_id}`, { token: await h.tokenFor("viewer") }))
      .json();
  assertEquals([detail.uptime_s, detail.last_seen_at], [
    110,
    new Date(h.clock.now()).toISOString(),
  ]);
  assertEquals(flushLiveState(h.deps), 1);
  const row = h.deps.db.prepare("SELECT uptime_s, last_report_at FROM nodes WHERE id = ?").get(
    node.node_id,
  );
  assertEquals({ ...row }, { uptime_s: 110, last_report_at: h.clock.now() });
  assertEquals(flushLiveState(h.deps), 0);
});
