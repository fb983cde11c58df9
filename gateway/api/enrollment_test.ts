import { assert, assertEquals, assertMatch } from "../../lib/testing/assert.ts";
import { createHarness } from "../testing/harness.ts";

const HW = { serial: "10000000abcdef01", machine_id: "0123456789abcdef0123456789abcdef" };

Deno.test("POST /v1/enroll", async (t) => {
  await using h = await createHarness();
  const join = await h.joinToken(3);

  let first: { node_id: string; agent_token: string; name: string };
  await t.step("creates a node and answers its id and agent token", async () => {
    const res = await h.request("/v1/enroll", {
      method: "POST",
      json: { join_token: join, hardware: HW, hostname: "relay-1", role: "node" },
    });
    assertEquals(res.status, 200);
    first = await res.json();
    assertMatch(first.node_id, /^n-[0-9a-f]{12}$/);
    assertMatch(first.agent_token, /^halo_agent_/);
    assertEquals(first.name, "relay-1");
    const row = h.deps.db.prepare("SELECT status, hw_serial FROM nodes WHERE id = ?").get(
      first.node_id,
    );
    assertEquals({ ...row }, { status: "enrolled", hw_serial: HW.serial });
  });

  await t.step(
    "re-enrolling the same hardware returns the same node and revokes the old token",
    async () => {
      const res = await h.request("/v1/enroll", {
        method: "POST",
        json: { join_token: join, hardware: HW, hostname: "relay-1", role: "node" },
      });
      const second = await res.json();
      assertEquals(second.node_id, first.node_id);
      assertEquals(second.reenrolled, true);
      const old = await h.request(`/v1/nodes/${first.node_id}/report`, {
        method: "POST",
        token: first.agent_token,
        json: { boot_id: crypto.randomUUID(), uptime_s: 1 },
      });
      assertEquals(old.status, 401);
      const fresh = await h.request(`/v1/nodes/${first.node_id}/report`, {
        method: "POST",
        token: second.agent_token,
        json: { boot_id: crypto.randomUUID(), uptime_s: 1 },
      });
      assertEquals(fresh.status, 200);
    },
  );

  await t.step("a token is refused once its uses are spent", async () => {
    const ok = await h.request("/v1/enroll", {
      method: "POST",
      json: { join_token: join, hardware: { machine_id: "f".repeat(32) }, hostname: "leaf-1" },
    });
    assertEquals(ok.status, 200);
    const res = await h.request("/v1/enroll", {
      method: "POST",
      json: { join_token: join, hardware: { machine_id: "e".repeat(32) }, hostname: "leaf-2" },
    });
    assertEquals(res.status, 401);
    assertEquals((await res.json()).error.code, "join_token_used_up");
    assertEquals(
      (h.deps.db.prepare("SELECT count(*) AS n FROM nodes").get() as { n: number }).n,
      2,
    );
  });

  await t.step("a second gateway is refused with a message naming the first", async () => {
    const join2 = await h.joinToken(5);
    const gw = await h.request("/v1/enroll", {
      method: "POST",
      json: {
        join_token: join2,
        hardware: { serial: "AAAA0001" },
        hostname: "gw",
        role: "gateway",
      },
    });
    assertEquals(gw.status, 200);
    const res = await h.request("/v1/enroll", {
      method: "POST",
      json: {
        join_token: join2,
        hardware: { serial: "AAAA0002" },
        hostname: "gw2",
        role: "gateway",
      },
    });
    assertEquals(res.status, 409);
    assert((await res.json()).error.message.includes("already has a gateway (gw,"));
  });

  await t.step("invalid bodies list each bad field", async () => {
    const res = await h.request("/v1/enroll", {
      method: "POST",
      json: { join_token: "nope", hardware: {}, hostname: "" },
    });
    assertEquals(res.status, 400);
    const body = await res.json();
    assertEquals(body.error.code, "validation_failed");
    const paths = body.error.details.map((d: { path: string }) => d.path).sort();
    assertEquals(paths, ["body.hardware", "body.hostname", "body.join_token"]);
  });
});
