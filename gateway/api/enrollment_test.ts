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
    "re-enrolling the same hardware with its agent token returns the same node and revokes the old token",
    async () => {
      const res = await h.request("/v1/enroll", {
        method: "POST",
        json: {
          join_token: join,
          hardware: HW,
          hostname: "relay-1",
          role: "node",
          agent_token: first.agent_token,
        },
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

const WG_KEY = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
const OTHER_WG_KEY = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";

interface Enrolled {
  node_id: string;
  name: string;
  agent_token: string;
  reenrolled: boolean;
}

/** A gateway with one enrolled, reporting node, and what a test asks of it. */
async function enrolledNode() {
  const h = await createHarness();
  const admin = await h.tokenFor("admin");
  const enroll = (body: Record<string, unknown>) =>
    h.request("/v1/enroll", { method: "POST", json: { hostname: "intruder", ...body } });
  const res = await enroll({
    join_token: await h.joinToken(1),
    hardware: HW,
    hostname: "relay-1",
    wg_public_key: WG_KEY,
  });
  const node: Enrolled = await res.json();
  return {
    h,
    admin,
    node,
    enroll,
    /** The node's row as stored. */
    row: (id = node.node_id) => ({
      ...h.deps.db.prepare("SELECT * FROM nodes WHERE id = ?").get(id),
    }),
    /** The status a report sent with `token` gets. */
    async report(token: string, id = node.node_id) {
      const res = await h.request(`/v1/nodes/${id}/report`, {
        method: "POST",
        token,
        json: { boot_id: crypto.randomUUID(), uptime_s: 1 },
      });
      await res.body?.cancel();
      return res.status;
    },
    /** The node's events of `type`, newest first. */
    async events(type: string, id = node.node_id) {
      const res = await h.request(`/v1/events?node=${id}&type=${type}`, { token: admin });
      return (await res.json()).events as { message: string; data: Record<string, unknown> }[];
    },
    /** Audit entries of `action`, newest first. */
    async audit(action: string) {
      const res = await h.request(`/v1/audit?action=${action}`, { token: admin });
      return (await res.json()).entries as {
        actor: string;
        target: string;
        details: Record<string, unknown>;
      }[];
    },
    /** How often the newest join token was used. */
    lastJoinTokenUses: () =>
      (h.deps.db.prepare("SELECT uses FROM join_tokens ORDER BY id DESC LIMIT 1").get() as {
        uses: number;
      }).uses,
    async replacementToken(id = node.node_id, body: Record<string, unknown> = {}) {
      return await h.request(`/v1/nodes/${id}/replacement-token`, {
        method: "POST",
        token: admin,
        json: body,
      });
    },
  };
}

Deno.test("a known identity changes hands without proof: an enrollment claiming an enrolled node is refused", async (t) => {
  const w = await enrolledNode();
  await using _h = w.h;
  const attempts = [
    { what: "its board serial", hardware: { serial: HW.serial }, field: "hardware.serial" },
    {
      what: "its machine-id",
      hardware: { machine_id: HW.machine_id },
      field: "hardware.machine_id",
    },
    {
      what: "its WireGuard key and a new board serial",
      hardware: { serial: "F0000001" },
      wg_public_key: WG_KEY,
      field: "wg_public_key",
    },
    {
      what: "its WireGuard key and a new machine-id",
      hardware: { machine_id: "e".repeat(32) },
      wg_public_key: WG_KEY,
      field: "wg_public_key",
    },
  ];
  for (const [i, attempt] of attempts.entries()) {
    await t.step(
      `a fresh join token with ${attempt.what} gets 409, the node keeps its token`,
      async () => {
        const before = w.row();
        const res = await w.enroll({
          join_token: await w.h.joinToken(1),
          hardware: attempt.hardware,
          ...(attempt.wg_public_key ? { wg_public_key: attempt.wg_public_key } : {}),
        });
        assertEquals(res.status, 409);
        const { error } = await res.json();
        assertEquals(error.code, "node_already_enrolled");
        assertMatch(error.message, /ask an admin for a replacement token on relay-1's page/);
        assert(error.message.includes(`/nodes/${w.node.node_id}`), error.message);
        assertEquals(error.details, [{
          path: `body.${attempt.field}`,
          message: `belongs to the enrolled node relay-1 (${w.node.node_id})`,
        }]);
        assertEquals(w.row(), before, "the node row is unchanged");
        assertEquals(
          w.lastJoinTokenUses(),
          0,
          "the refused enrollment used none of the join token",
        );
        assertEquals(
          (w.h.deps.db.prepare("SELECT count(*) AS n FROM nodes").get() as { n: number }).n,
          1,
        );
        assertEquals(await w.report(w.node.agent_token), 200, "the running agent's token works");

        const events = await w.events("enroll_refused");
        assertEquals(events.length, i + 1);
        assertEquals(events[0]!.data, {
          reason: "known_identity",
          field: attempt.field,
          join_token: "test-batch",
          hostname: "intruder",
        });
        const audit = await w.audit("node.enroll_refused");
        assertEquals(audit.length, i + 1);
        assertEquals([audit[0]!.actor, audit[0]!.target], [
          "join-token:test-batch",
          w.node.node_id,
        ]);
        assertEquals(audit[0]!.details.field, attempt.field);
      },
    );
  }

  await t.step("another node's agent token proves nothing", async () => {
    const other: Enrolled = await (await w.enroll({
      join_token: await w.h.joinToken(1),
      hardware: { serial: "B0000002" },
      hostname: "leaf-2",
    })).json();
    const before = w.row();
    const res = await w.enroll({
      join_token: await w.h.joinToken(1),
      hardware: HW,
      agent_token: other.agent_token,
    });
    assertEquals(res.status, 409);
    const { error } = await res.json();
    assertEquals(error.code, "node_already_enrolled");
    assertEquals(error.details[0].path, "body.agent_token");
    assertEquals(w.row(), before);
    assertEquals(await w.report(w.node.agent_token), 200);
    assertEquals(await w.report(other.agent_token, other.node_id), 200);
    assertEquals((await w.events("enroll_refused"))[0]!.data.reason, "wrong_agent_token");
  });

  await t.step("the node's own agent token proves it: re-enrolled, recorded", async () => {
    const res = await w.enroll({
      join_token: await w.h.joinToken(1),
      hardware: { ...HW, machine_id: "c".repeat(32) },
      hostname: "relay-1",
      agent_token: w.node.agent_token,
    });
    assertEquals(res.status, 200);
    const again: Enrolled = await res.json();
    assertEquals([again.node_id, again.reenrolled], [w.node.node_id, true]);
    assertEquals(w.row().hw_machine_id, "c".repeat(32));
    assertEquals(await w.report(w.node.agent_token), 401, "the old agent token is revoked");
    assertEquals(await w.report(again.agent_token), 200);
    assertEquals((await w.events("enrolled"))[0]!.data.proof, "agent_token");
    const [entry] = await w.audit("node.reenroll");
    assertEquals([entry!.target, entry!.details.proof], [w.node.node_id, "agent_token"]);
  });
});

Deno.test("an admin's replacement token re-enrolls its one node, once", async (t) => {
  const w = await enrolledNode();
  await using _h = w.h;
  const other: Enrolled = await (await w.enroll({
    join_token: await w.h.joinToken(1),
    hardware: { serial: "B0000002", machine_id: "b".repeat(32) },
    hostname: "leaf-2",
  })).json();

  let secret = "";
  await t.step("an admin creates one; the secret is in that answer only", async () => {
    const res = await w.replacementToken(w.node.node_id, { expires_in_s: 3600 });
    assertEquals(res.status, 201);
    const created = await res.json();
    assertMatch(created.token, /^halo_join_/);
    assertEquals([created.replaces_node, created.max_uses, created.uses], [
      w.node.node_id,
      1,
      0,
    ]);
    assertEquals(created.name, "replace relay-1");
    secret = created.token;
    const list = await (await w.h.request("/v1/enrollment/tokens", { token: w.admin })).json();
    assertEquals(list.tokens[0].replaces_node, w.node.node_id);
    assert(!JSON.stringify(list).includes(secret));
    const [entry] = await w.audit("join_token.create");
    assertEquals(entry!.details.replaces_node, w.node.node_id);
  });

  await t.step("an unknown node has none, and an operator cannot make one", async () => {
    const res = await w.replacementToken("n-000000000000");
    assertEquals(res.status, 404);
    const operator = await w.h.request(`/v1/nodes/${w.node.node_id}/replacement-token`, {
      method: "POST",
      token: await w.h.tokenFor("operator"),
      json: {},
    });
    assertEquals(operator.status, 403);
  });

  await t.step("it is refused for another enrolled node's hardware and stays unused", async () => {
    const before = w.row(other.node_id);
    const res = await w.enroll({ join_token: secret, hardware: { serial: "B0000002" } });
    assertEquals(res.status, 409);
    const { error } = await res.json();
    assertEquals(error.code, "node_already_enrolled");
    assertEquals(error.details[0].path, "body.join_token");
    assertMatch(error.message, /replacement token is for relay-1/);
    assertEquals(w.row(other.node_id), before);
    assertEquals(await w.report(other.agent_token, other.node_id), 200);
    assertEquals(
      (await w.events("enroll_refused", other.node_id))[0]!.data.reason,
      "replacement_for_other_node",
    );
  });

  await t.step("a new board enrolls as the node, which takes its hardware identity", async () => {
    const hardware = { serial: "D0000004", machine_id: "d".repeat(32) };
    const res = await w.enroll({
      join_token: secret,
      hardware,
      hostname: "relay-1",
      wg_public_key: OTHER_WG_KEY,
    });
    assertEquals(res.status, 200);
    const replaced: Enrolled = await res.json();
    assertEquals([replaced.node_id, replaced.name, replaced.reenrolled], [
      w.node.node_id,
      "relay-1",
      true,
    ]);
    const row = w.row();
    assertEquals([row.hw_serial, row.hw_machine_id, row.wg_public_key], [
      hardware.serial,
      hardware.machine_id,
      OTHER_WG_KEY,
    ]);
    assertEquals(await w.report(w.node.agent_token), 401, "the old agent token is revoked");
    assertEquals(await w.report(replaced.agent_token), 200);
    const [event] = await w.events("enrolled");
    assertEquals(event!.data.proof, "replacement_token");
    const [entry] = await w.audit("node.replace");
    assertEquals(entry!.target, w.node.node_id);
    assertEquals(entry!.details.previous_hardware, {
      serial: HW.serial,
      machine_id: HW.machine_id,
      wg_public_key: WG_KEY,
    });
  });

  await t.step("it is used up after one enrollment", async () => {
    const res = await w.enroll({ join_token: secret, hardware: { serial: "E0000005" } });
    assertEquals(res.status, 401);
    assertEquals((await res.json()).error.code, "join_token_used_up");
  });

  await t.step("it expires, and a newer one revokes the older", async () => {
    const older = (await (await w.replacementToken(w.node.node_id, { expires_in_s: 60 })).json())
      .token;
    const newer = (await (await w.replacementToken(w.node.node_id, { expires_in_s: 60 })).json())
      .token;
    const revoked = await w.enroll({ join_token: older, hardware: { serial: "D0000004" } });
    assertEquals((await revoked.json()).error.code, "join_token_revoked");
    await w.h.clock.tick(61_000);
    const expired = await w.enroll({ join_token: newer, hardware: { serial: "D0000004" } });
    assertEquals((await expired.json()).error.code, "join_token_expired");
  });
});

Deno.test("a decommissioned node re-enrolls with a plain join token, with its history", async () => {
  const w = await enrolledNode();
  await using _h = w.h;
  const res = await w.h.request(`/v1/nodes/${w.node.node_id}/decommission`, {
    method: "POST",
    token: w.admin,
  });
  assertEquals(res.status, 200);
  await res.body?.cancel();
  const again = await w.enroll({ join_token: await w.h.joinToken(1), hardware: HW });
  assertEquals(again.status, 200);
  const revived: Enrolled = await again.json();
  assertEquals([revived.node_id, revived.reenrolled], [w.node.node_id, true]);
  assertEquals(w.row().decommissioned_at, null);
  assertEquals((await w.events("decommissioned")).length, 1, "its history stays");
  assertEquals(await w.report(revived.agent_token), 200);
});
