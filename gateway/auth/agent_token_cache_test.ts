import { assertEquals } from "../../lib/testing/assert.ts";
import { createHarness, type Harness } from "../testing/harness.ts";

const HARDWARE = { serial: "CACHE0001" };

/** Enrolls the node; a node that is enrolled now proves itself with its current agent token. */
async function enroll(
  h: Harness,
  agentToken?: string,
): Promise<{ node_id: string; agent_token: string }> {
  const res = await h.request("/v1/enroll", {
    method: "POST",
    json: {
      join_token: await h.joinToken(),
      hardware: HARDWARE,
      hostname: "cache-1",
      ...(agentToken ? { agent_token: agentToken } : {}),
    },
  });
  return await res.json();
}

/** What the gateway answers a telemetry batch sent with `token` (the cache is used by every agent route). */
async function send(h: Harness, token: string, nodeId: string, seq: number): Promise<number> {
  const res = await h.request("/v1/telemetry", {
    method: "POST",
    token,
    json: {
      node_id: nodeId,
      epoch: "e",
      batch_seq: seq,
      samples: [{ metric: "cpu.usage", ts: h.clock.now(), value: seq }],
    },
  });
  await res.body?.cancel();
  return res.status;
}

Deno.test("an agent token is refused at once after it stops being valid", async (t) => {
  await using h = await createHarness();
  const admin = await h.tokenFor("admin");

  let latest = "";
  await t.step("a re-enrolment refuses the old token on its next request", async () => {
    const first = await enroll(h);
    // Accepted twice: the second answer comes from the remembered token.
    assertEquals(await send(h, first.agent_token, first.node_id, 1), 200);
    assertEquals(await send(h, first.agent_token, first.node_id, 2), 200);
    const second = await enroll(h, first.agent_token);
    assertEquals(second.node_id, first.node_id);
    assertEquals(await send(h, first.agent_token, first.node_id, 3), 401);
    assertEquals(await send(h, second.agent_token, second.node_id, 4), 200);
    latest = second.agent_token;
  });

  await t.step("decommissioning the node refuses its token on its next request", async () => {
    const current = await enroll(h, latest);
    assertEquals(await send(h, current.agent_token, current.node_id, 5), 200);
    const res = await h.request(`/v1/nodes/${current.node_id}/decommission`, {
      method: "POST",
      token: admin,
    });
    assertEquals(res.status, 200);
    assertEquals(await send(h, current.agent_token, current.node_id, 6), 401);
  });

  await t.step("a token revoked in the database by any path is refused at once", async () => {
    const again = await enroll(h);
    assertEquals(await send(h, again.agent_token, again.node_id, 7), 200);
    h.deps.db.prepare("UPDATE agent_tokens SET revoked_at = ? WHERE node_id = ?")
      .run(h.clock.now(), again.node_id);
    assertEquals(await send(h, again.agent_token, again.node_id, 8), 401);
  });
});
