/**
 * The canonical device model (seed 001): one node per physical device, keyed
 * by its hardware identity, whatever network it is reached over and whatever
 * address it has, until it is decommissioned.
 */
import { assert, assertEquals } from "../lib/testing/assert.ts";
import type { NodeReportInput } from "../lib/schemas/report.ts";
import { sampleReport } from "../lib/testing/reports.ts";
import { createHarness, type Harness } from "../gateway/testing/harness.ts";

const SERIAL = "10000000c0ffee42";
const FIRST_MACHINE_ID = "a".repeat(32);
const REFLASHED_MACHINE_ID = "b".repeat(32);
const BOOT_ID = "3b9c1f0e-2d4a-4c6b-8e1f-0a1b2c3d4e5f";

const ETH0 = { name: "eth0", kind: "eth", mac: "02:00:00:00:10:01" } as const;
const HALOW0 = { name: "halow0", kind: "halow", mac: "02:00:00:00:11:01" } as const;
const BAT0 = { name: "bat0", kind: "batman", mac: "02:00:00:00:12:01" } as const;
const WG0 = { name: "wg0", kind: "wireguard" } as const;

interface HaloEvent {
  id: number;
  type: string;
  node_id: string | null;
  data: Record<string, unknown>;
}

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status}: ${JSON.stringify(body)}`);
  return body as T;
}

Deno.test("a device stays one node as it moves between networks and addresses", async (t) => {
  await using h = await createHarness();
  const admin = await h.tokenFor("admin");
  const viewer = await h.tokenFor("viewer");
  const join = await h.joinToken(10);

  const enroll = (
    hardware: { serial?: string; machine_id?: string },
    hostname = "field-7",
    credentials: { join_token?: string; agent_token?: string } = {},
  ) =>
    h.request("/v1/enroll", {
      method: "POST",
      json: { join_token: join, hardware, hostname, ...credentials },
    });
  const nodeCount = () =>
    (h.deps.db.prepare("SELECT count(*) AS n FROM nodes").get() as { n: number }).n;
  const events = async (nodeId: string, type?: string) =>
    (await json<{ events: HaloEvent[] }>(
      await h.request(`/v1/events?node=${nodeId}${type ? `&type=${type}` : ""}&limit=1000`, {
        token: viewer,
      }),
    )).events.reverse();

  // Another device on the network, so "one node" is not the trivial "the only node".
  const neighbour = await json<{ node_id: string }>(
    await enroll({ serial: "20000000beef0001" }, "relay-1"),
  );
  const first = await json<{ node_id: string; agent_token: string; name: string }>(
    await enroll({ serial: SERIAL, machine_id: FIRST_MACHINE_ID }),
  );
  const id = first.node_id;
  let agentToken = first.agent_token;
  assertEquals(nodeCount(), 2);

  let bootId = BOOT_ID;
  const report = async (interfaces: NodeReportInput["interfaces"]) => {
    await h.clock.tick(10_000);
    const res = await h.request(`/v1/nodes/${id}/report`, {
      method: "POST",
      token: agentToken,
      json: sampleReport({ boot_id: bootId, hostname: "field-7", interfaces }),
    });
    return json<{ events: string[] }>(res);
  };
  const detail = async () =>
    json<{ id: string; addresses: string[]; interfaces: { name: string }[]; status: string }>(
      await h.request(`/v1/nodes/${id}`, { token: viewer }),
    );

  await t.step("on Ethernet it reports only its eth0 address and comes online", async () => {
    const answer = await report([{ ...ETH0, addresses: ["198.18.0.42/24"], up: true }]);
    assertEquals(answer.events, ["online"]);
    const node = await detail();
    assertEquals(node.status, "online");
    assertEquals(node.addresses, ["198.18.0.42/24"]);
  });

  await t.step("a new DHCP lease is an address change of the same node", async () => {
    const answer = await report([{ ...ETH0, addresses: ["198.18.0.77/24"], up: true }]);
    assertEquals(answer.events, ["address_changed"]);
    const [changed] = await events(id, "address_changed");
    assertEquals(changed?.data, { added: ["198.18.0.77/24"], removed: ["198.18.0.42/24"] });
    assertEquals(nodeCount(), 2);
  });

  await t.step("moving to the HaLow mesh (halow0, bat0) keeps the node id", async () => {
    const answer = await report([
      { ...HALOW0, addresses: ["fe80::ff:fe00:1101/64"], up: true },
      { ...BAT0, addresses: ["10.42.0.17/16", "fe80::ff:fe00:1201/64"], up: true },
    ]);
    assertEquals(answer.events, ["address_changed"]);
    const changes = await events(id, "address_changed");
    // Link-local addresses change freely and do not say where a node is reachable.
    assertEquals(changes.at(-1)?.data, { added: ["10.42.0.17/16"], removed: ["198.18.0.77/24"] });
    const node = await detail();
    assertEquals(node.id, id);
    assertEquals(node.interfaces.map((i) => i.name), ["bat0", "halow0"]);
    assertEquals(nodeCount(), 2);
  });

  await t.step("moving to the overlay (wg0 only) keeps the node id", async () => {
    const answer = await report([{ ...WG0, addresses: ["fd4a:4c4f::17/128"], up: true }]);
    assertEquals(answer.events, ["address_changed"]);
    const changes = await events(id, "address_changed");
    assertEquals(changes.at(-1)?.data, {
      added: ["fd4a:4c4f::17/128"],
      removed: ["10.42.0.17/16"],
    });
    const node = await detail();
    assertEquals(node.addresses, ["fd4a:4c4f::17/128"]);
    assertEquals(node.interfaces.map((i) => i.name), ["wg0"]);
    const list = await json<{ nodes: { id: string }[] }>(
      await h.request("/v1/nodes", { token: viewer }),
    );
    assertEquals(list.nodes.map((n) => n.id).sort(), [id, neighbour.node_id].sort());
  });

  await t.step(
    "a re-flashed SD card (same serial, new machine-id) maps to the same node",
    async () => {
      // The re-flash lost the agent token: the node rejoins with an admin's replacement token.
      const replacement = await json<{ token: string }>(
        await h.request(`/v1/nodes/${id}/replacement-token`, {
          method: "POST",
          token: admin,
          json: {},
        }),
      );
      const again = await json<{ node_id: string; agent_token: string; reenrolled: boolean }>(
        await enroll({ serial: SERIAL, machine_id: REFLASHED_MACHINE_ID }, "field-7", {
          join_token: replacement.token,
        }),
      );
      assertEquals(again.node_id, id);
      assertEquals(again.reenrolled, true);
      assertEquals(nodeCount(), 2);
      const hardware = (await json<{ hardware: { serial: string; machine_id: string } }>(
        await h.request(`/v1/nodes/${id}`, { token: viewer }),
      )).hardware;
      assertEquals(hardware.serial, SERIAL);
      assertEquals(hardware.machine_id, REFLASHED_MACHINE_ID);

      const old = await h.request(`/v1/nodes/${id}/report`, {
        method: "POST",
        token: agentToken,
        json: sampleReport(),
      });
      assertEquals(old.status, 401, "the token from before the re-flash still works");
      await old.body?.cancel();
      agentToken = again.agent_token;
      bootId = "9d0e3f5a-1b2c-4d3e-8f4a-5b6c7d8e9f01";
      const answer = await report([{ ...WG0, addresses: ["fd4a:4c4f::17/128"], up: true }]);
      assertEquals(answer.events, ["rebooted"]);
    },
  );

  await t.step("the same machine-id without a serial still finds the node", async () => {
    const again = await json<{ node_id: string; agent_token: string }>(
      await enroll({ machine_id: REFLASHED_MACHINE_ID }, "field-7", { agent_token: agentToken }),
    );
    assertEquals(again.node_id, id);
    agentToken = again.agent_token;
    assertEquals(nodeCount(), 2);
  });

  let eventsBefore: HaloEvent[] = [];
  await t.step("decommissioning revokes the agent token", async () => {
    eventsBefore = await events(id);
    const res = await h.request(`/v1/nodes/${id}/decommission`, { method: "POST", token: admin });
    assertEquals(res.status, 200);
    await res.body?.cancel();
    const refused = await h.request(`/v1/nodes/${id}/report`, {
      method: "POST",
      token: agentToken,
      json: sampleReport(),
    });
    assertEquals(refused.status, 401);
    assertEquals((await refused.json()).error.code, "unauthorized");
  });

  await t.step("a decommissioned node is hidden from the live views", async () => {
    const list = await json<{ nodes: { id: string }[] }>(
      await h.request("/v1/nodes", { token: viewer }),
    );
    assertEquals(list.nodes.map((n) => n.id), [neighbour.node_id]);
    const topology = await json<{ nodes: { id: string }[] }>(
      await h.request("/v1/topology", { token: viewer }),
    );
    assert(!topology.nodes.some((n) => n.id === id), "still in the topology");
    const all = await json<{ nodes: { id: string; status: string }[] }>(
      await h.request("/v1/nodes?include_decommissioned=true", { token: viewer }),
    );
    assertEquals(all.nodes.find((n) => n.id === id)?.status, "decommissioned");
  });

  await t.step("its history stays, ending with a decommissioned event", async () => {
    const after = await events(id);
    assertEquals(after.slice(0, eventsBefore.length), eventsBefore);
    assertEquals(after.slice(eventsBefore.length).map((e) => e.type), ["decommissioned"]);
    assertEquals(
      eventsBefore.map((e) => e.type),
      [
        "enrolled",
        "online",
        "address_changed",
        "address_changed",
        "address_changed",
        "enrolled",
        "rebooted",
        "enrolled",
      ],
    );
  });

  await t.step("its name can be given to a new device", async () => {
    const newcomer = await json<{ node_id: string; name: string }>(
      await enroll({ serial: "30000000feed0001" }, first.name),
    );
    assert(newcomer.node_id !== id);
    assertEquals(newcomer.name, first.name);
  });

  await t.step("re-enrolling the decommissioned device revives it under a free name", async () => {
    const revived = await json<{ node_id: string; name: string; reenrolled: boolean }>(
      await enroll({ serial: SERIAL }),
    );
    assertEquals(revived.node_id, id);
    assertEquals(revived.reenrolled, true);
    assertEquals(revived.name, `${first.name}-2`);
    assertEquals(nodeCount(), 3);
  });
});

/** Enrolls one device (an enrolled one proves itself with `agentToken`); returns its node id. */
async function enrollDevice(
  h: Harness,
  join: string,
  hardware: object,
  hostname: string,
  agentToken?: string,
) {
  return (await enrollWithToken(h, join, hardware, hostname, agentToken)).node_id;
}

async function enrollWithToken(
  h: Harness,
  join: string,
  hardware: object,
  hostname: string,
  agentToken?: string,
) {
  const res = await h.request("/v1/enroll", {
    method: "POST",
    json: {
      join_token: join,
      hardware,
      hostname,
      ...(agentToken ? { agent_token: agentToken } : {}),
    },
  });
  return await json<{ node_id: string; agent_token: string }>(res);
}

Deno.test("an SD card moved to another board becomes that board's node", async () => {
  await using h = await createHarness();
  const join = await h.joinToken(10);
  const boardA = await enrollDevice(
    h,
    join,
    { serial: "A0000001", machine_id: "c".repeat(32) },
    "a",
  );
  // The card from board A now boots on board B: the serial decides which device this is.
  const boardB = await enrollDevice(
    h,
    join,
    { serial: "B0000002", machine_id: "c".repeat(32) },
    "b",
  );
  assert(boardA !== boardB, "board B was merged into board A's node");
  const rows = h.deps.db.prepare("SELECT id, hw_machine_id FROM nodes ORDER BY hw_serial").all();
  assertEquals(rows.map((r) => ({ ...r })), [
    { id: boardA, hw_machine_id: null },
    { id: boardB, hw_machine_id: "c".repeat(32) },
  ]);
});

Deno.test("a device first known by machine-id keeps its node once it reports its serial", async () => {
  await using h = await createHarness();
  const join = await h.joinToken(10);
  const machineId = "d".repeat(32);
  const before = await enrollWithToken(h, join, { machine_id: machineId }, "leaf");
  const after = await enrollDevice(
    h,
    join,
    { serial: "C0000003", machine_id: machineId },
    "leaf",
    before.agent_token,
  );
  assertEquals(after, before.node_id);
  const row = h.deps.db.prepare("SELECT hw_serial, hw_machine_id FROM nodes").all();
  assertEquals(row.map((r) => ({ ...r })), [{ hw_serial: "C0000003", hw_machine_id: machineId }]);
});
