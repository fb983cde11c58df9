import { GatewayClient } from "../lib/api_client.ts";
import { createLogger } from "../lib/log.ts";
import { DEMO_NETWORK } from "../lib/sim/network_plan.ts";
import { assert, assertEquals } from "../lib/testing/assert.ts";
import { createHarness, type Harness } from "../gateway/testing/harness.ts";
import { provision, type Provisioned, type StoredAgent } from "../lib/sim/provision.ts";

const log = createLogger({ component: "provision-test", level: "error", write: () => {} });

/** An admin client whose requests go straight to the harness's gateway. */
async function adminOf(h: Harness): Promise<GatewayClient> {
  return new GatewayClient({
    baseUrl: "http://localhost",
    token: await h.tokenFor("admin"),
    http: (request) =>
      Promise.resolve(h.handler(request, { remoteAddr: { hostname: "127.0.0.1" } })),
  });
}

const kept = (setup: Provisioned): Map<string, StoredAgent> =>
  new Map(setup.devices.map((d) => [d.key, { nodeId: d.nodeId, agentToken: d.agentToken }]));

const count = (h: Harness, sql: string) => (h.deps.db.prepare(sql).get() as { n: number }).n;

Deno.test("the demo's devices keep their agent tokens across runs", async (t) => {
  await using h = await createHarness();
  const admin = await adminOf(h);
  const first = await provision(admin, DEMO_NETWORK, { log });
  const agents = kept(first);

  await t.step("a first run enrolls every device", () => {
    assertEquals(new Set(first.devices.map((d) => d.joined)), new Set(["enrolled"]));
    assertEquals(count(h, "SELECT count(*) AS n FROM nodes"), DEMO_NETWORK.devices.length);
  });

  await t.step("a second run keeps the tokens: no enrollment, the same nodes", async () => {
    const enrolledBefore = count(h, "SELECT count(*) AS n FROM events WHERE type = 'enrolled'");
    const second = await provision(admin, DEMO_NETWORK, { log, agents });
    assertEquals(kept(second), agents);
    assertEquals(new Set(second.devices.map((d) => d.joined)), new Set(["kept"]));
    assertEquals(
      count(h, "SELECT count(*) AS n FROM events WHERE type = 'enrolled'"),
      enrolledBefore,
    );
    assertEquals(count(h, "SELECT count(*) AS n FROM events WHERE type = 'enroll_refused'"), 0);
  });

  await t.step("tokens lost with the data kept: the admin approves replacements", async () => {
    const third = await provision(admin, DEMO_NETWORK, { log });
    assertEquals(third.devices.map((d) => d.nodeId), first.devices.map((d) => d.nodeId));
    assertEquals(new Set(third.devices.map((d) => d.joined)), new Set(["replaced"]));
    assertEquals(
      count(h, "SELECT count(*) AS n FROM audit_log WHERE action = 'node.replace'"),
      DEMO_NETWORK.devices.length,
    );
    const reports = await Promise.all(
      third.devices.map((d) =>
        h.request(`/v1/nodes/${d.nodeId}/report`, {
          method: "POST",
          token: agents.get(d.key)!.agentToken,
          json: { boot_id: crypto.randomUUID(), uptime_s: 1 },
        })
      ),
    );
    for (const res of reports) await res.body?.cancel();
    assertEquals(reports.map((r) => r.status), third.devices.map(() => 401), "old tokens revoked");
  });
});

Deno.test("the demo enrolls afresh when the gateway refuses its kept tokens", async () => {
  const agents = await (async () => {
    await using earlier = await createHarness();
    return kept(await provision(await adminOf(earlier), DEMO_NETWORK, { log }));
  })();
  // A new database: the kept tokens are unknown to it.
  await using h = await createHarness();
  const setup = await provision(await adminOf(h), DEMO_NETWORK, { log, agents });
  assertEquals(new Set(setup.devices.map((d) => d.joined)), new Set(["enrolled"]));
  for (const device of setup.devices) {
    assert(device.agentToken !== agents.get(device.key)!.agentToken, device.key);
  }
});
