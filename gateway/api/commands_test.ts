import { assert, assertEquals, assertMatch } from "../../lib/testing/assert.ts";
import { TEST_COMMAND_TYPES, testJpeg } from "../../lib/testing/commands.ts";
import { sampleReport } from "../../lib/testing/reports.ts";
import { parseSse } from "../../lib/sse.ts";
import type { CommandDelivery, CommandRecord } from "../../lib/schemas/commands.ts";
import { createHarness, type Harness } from "../testing/harness.ts";

/** The rows a query reads, as plain objects. */
function rows(h: Harness, sql: string, ...args: string[]): Record<string, unknown>[] {
  return h.deps.db.prepare(sql).all(...args).map((r) => ({ ...r }));
}

interface Node {
  id: string;
  token: string;
}

async function enroll(h: Harness, hostname: string): Promise<Node> {
  const res = await h.request("/v1/enroll", {
    method: "POST",
    json: {
      join_token: await h.joinToken(),
      hardware: { serial: hostname.replace("-", "").toUpperCase() },
      hostname,
    },
  });
  const body = await res.json();
  assertEquals(res.status, 200);
  const node = { id: body.node_id, token: body.agent_token };
  const report = await h.request(`/v1/nodes/${node.id}/report`, {
    method: "POST",
    token: node.token,
    json: sampleReport({ hostname }),
  });
  await report.body?.cancel();
  return node;
}

/** The node's command stream as its agent reads it. */
async function openStream(h: Harness, node: Node) {
  const res = await h.request("/v1/agent/commands/stream", { token: node.token });
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("content-type"), "text/event-stream");
  const controller = new AbortController();
  const messages = parseSse(res.body!, controller.signal)[Symbol.asyncIterator]();
  return {
    async next(): Promise<CommandDelivery> {
      for (;;) {
        const { value, done } = await messages.next();
        assert(!done, "the stream ended");
        if (value.event === "command") return JSON.parse(value.data);
      }
    },
    close: async () => {
      controller.abort();
      await res.body!.cancel().catch(() => {});
    },
  };
}

async function issue(h: Harness, token: string, nodeId: string, body: unknown) {
  const res = await h.request(`/v1/nodes/${nodeId}/commands`, {
    method: "POST",
    token,
    json: body,
  });
  return { status: res.status, body: await res.json() };
}

async function command(h: Harness, id: string): Promise<CommandRecord> {
  const res = await h.request(`/v1/commands/${id}`, { token: await h.tokenFor("viewer") });
  assertEquals(res.status, 200);
  return await res.json();
}

function post(h: Harness, node: Node, path: string, json?: unknown) {
  return h.request(`/v1/agent/commands/${path}`, {
    method: "POST",
    token: node.token,
    ...(json !== undefined ? { json } : {}),
  });
}

const snapshot = () => ({
  outcome: "succeeded",
  type: "camera_snapshot",
  result: { tool: "rpicam-still", image_base64: testJpeg().toBase64() },
});

Deno.test("a camera snapshot for an offline node is refused at once and audited", async () => {
  await using h = await createHarness();
  const node = await enroll(h, "leaf-1");
  const operator = await h.tokenFor("operator");
  const { status, body } = await issue(h, operator, node.id, { type: "camera_snapshot" });
  assertEquals(status, 201);
  assertEquals([body.state, body.error.code], ["refused", "node_offline"]);
  assertMatch(body.error.message, /^leaf-1 is offline: its agent holds no command stream open/);
  assertEquals(body.params, { width: 1280, height: 720, quality: 80, store: false });
  assertEquals(body.finished_at, body.created_at);
  const audit = rows(
    h,
    "SELECT actor, action, target FROM audit_log WHERE action = ?",
    "command.issue",
  );
  assertEquals(audit, [{ actor: "token:test-operator", action: "command.issue", target: node.id }]);
});

Deno.test("who may issue what, and for which node", async (t) => {
  await using h = await createHarness();
  const node = await enroll(h, "leaf-1");

  await t.step("a viewer may not; an unknown or decommissioned node is 404", async () => {
    const viewer = await issue(h, await h.tokenFor("viewer"), node.id, { type: "camera_snapshot" });
    assertEquals(viewer.status, 403);
    const admin = await h.tokenFor("admin");
    const unknown = await issue(h, admin, "n-000000000000", { type: "camera_snapshot" });
    assertEquals([unknown.status, unknown.body.error.code], [404, "not_found"]);
    const gone = await enroll(h, "leaf-2");
    const res = await h.request(`/v1/nodes/${gone.id}/decommission`, {
      method: "POST",
      token: admin,
    });
    await res.body?.cancel();
    assertEquals((await issue(h, admin, gone.id, { type: "camera_snapshot" })).status, 404);
  });

  await t.step("bad params are 400 naming the field; nothing is stored", async () => {
    const { status, body } = await issue(h, await h.tokenFor("operator"), node.id, {
      type: "camera_snapshot",
      params: { width: 5000, colour: true },
      deadline_s: 0,
    });
    assertEquals(status, 400);
    assertEquals(body.error.details.map((d: { path: string }) => d.path).sort(), [
      "body.deadline_s",
      "body.params",
      "body.params.width",
    ]);
    assertEquals(rows(h, "SELECT count(*) AS n FROM commands"), [{ n: 0 }]);
  });
});

Deno.test("a snapshot travels the stream and comes back once", async (t) => {
  await using h = await createHarness();
  const node = await enroll(h, "leaf-1");
  const operator = await h.tokenFor("operator");
  const stream = await openStream(h, node);
  let id = "";
  try {
    await t.step("the agent's stream gets the command with its defaults and deadline", async () => {
      const { status, body } = await issue(h, operator, node.id, {
        type: "camera_snapshot",
        params: { width: 640, height: 480 },
        deadline_s: 30,
      });
      assertEquals([status, body.state], [201, "queued"]);
      id = body.id;
      const delivered = await stream.next();
      assertEquals(delivered.gateway_time_ms, h.clock.now());
      assertEquals(delivered.command, {
        id,
        type: "camera_snapshot",
        params: { width: 640, height: 480, quality: 80, store: false },
        desired_state: false,
        deadline: new Date(h.clock.now() + 30_000).toISOString(),
        issued_by: "token:test-operator",
        issued_role: "operator",
        created_at: new Date(h.clock.now()).toISOString(),
      });
      assertEquals((await command(h, id)).state, "sent");
    });

    await t.step(
      "started, then the JPEG: the caller sees its size and where to get it",
      async () => {
        const started = await post(h, node, `${id}/started`);
        assertEquals(await started.json(), { id, state: "running" });
        const done = await post(h, node, `${id}/result`, snapshot());
        assertEquals(await done.json(), { id, state: "succeeded" });
        const shown = await command(h, id);
        assertEquals(shown.state, "succeeded");
        assertEquals(shown.result, {
          tool: "rpicam-still",
          content_type: "image/jpeg",
          size_bytes: testJpeg().length,
          width: 64,
          height: 48,
          stored: false,
          image_url: `/v1/commands/${id}/image`,
        });
      },
    );

    await t.step("the same result again is taken as the first; another is 409", async () => {
      const again = await post(h, node, `${id}/result`, snapshot());
      assertEquals([again.status, await again.json()], [200, { id, state: "succeeded" }]);
      const other = await post(h, node, `${id}/result`, {
        outcome: "failed",
        error: { code: "no_camera", message: "changed its mind" },
      });
      assertEquals(other.status, 409);
      assertEquals((await other.json()).error.code, "command_finished");
      assertEquals(rows(h, "SELECT state, error_code FROM commands WHERE id = ?", id), [
        { state: "succeeded", error_code: null },
      ]);
    });

    await t.step("the image is handed over once and not stored", async () => {
      const image = await h.request(`/v1/commands/${id}/image`, { token: operator });
      assertEquals(image.headers.get("content-type"), "image/jpeg");
      assertEquals(await image.bytes(), testJpeg());
      const gone = await h.request(`/v1/commands/${id}/image`, { token: operator });
      assertEquals(gone.status, 404);
      await gone.body?.cancel();
      assertEquals((await command(h, id)).result?.image_url, null);
      assertEquals(rows(h, "SELECT count(*) AS n FROM command_images"), [{ n: 0 }]);
    });

    await t.step("another node's agent cannot answer it", async () => {
      const other = await enroll(h, "leaf-2");
      const res = await post(h, other, `${id}/started`);
      assertEquals(res.status, 404);
      await res.body?.cancel();
    });
  } finally {
    await stream.close();
  }
});

Deno.test("a stored snapshot stays; an unreadable one is refused", async () => {
  await using h = await createHarness();
  const node = await enroll(h, "leaf-1");
  const operator = await h.tokenFor("operator");
  const stream = await openStream(h, node);
  try {
    const stored = (await issue(h, operator, node.id, {
      type: "camera_snapshot",
      params: { store: true },
    })).body;
    const garbage = (await issue(h, operator, node.id, { type: "camera_snapshot" })).body;
    await stream.next();
    await stream.next();
    const notJpeg = await post(h, node, `${garbage.id}/result`, {
      ...snapshot(),
      result: { tool: "rpicam-still", image_base64: btoa("GIF89a not a jpeg") },
    });
    assertEquals(notJpeg.status, 400);
    assertEquals((await notJpeg.json()).error.details, [{
      path: "body.result.image_base64",
      message: "not a JPEG image whose size can be read",
    }]);
    assertEquals((await command(h, garbage.id)).state, "sent");

    const ok = await post(h, node, `${stored.id}/result`, snapshot());
    await ok.body?.cancel();
    for (let i = 0; i < 2; i++) {
      const image = await h.request(`/v1/commands/${stored.id}/image`, { token: operator });
      assertEquals([image.status, (await image.bytes()).length], [200, testJpeg().length]);
    }
    await h.clock.tick(3600_000);
    assertEquals((await command(h, stored.id)).result?.stored, true);
  } finally {
    await stream.close();
  }
});

Deno.test("a command past its deadline expires and is not to run", async () => {
  await using h = await createHarness();
  const node = await enroll(h, "leaf-1");
  const stream = await openStream(h, node);
  try {
    const { body } = await issue(h, await h.tokenFor("operator"), node.id, {
      type: "camera_snapshot",
      deadline_s: 10,
    });
    await stream.next();
    await h.clock.tick(10_000);
    const shown = await command(h, body.id);
    assertEquals([shown.state, shown.error?.code], ["expired", "deadline_passed"]);
    const started = await post(h, node, `${body.id}/started`);
    assertEquals(started.status, 409);
    assertMatch((await started.json()).error.message, /already expired at .*: it is not to run$/);
    const late = await post(h, node, `${body.id}/result`, snapshot());
    assertEquals(late.status, 409);
    await late.body?.cancel();
  } finally {
    await stream.close();
  }
});

Deno.test("a reconnecting agent gets its open commands again, in order", async () => {
  await using h = await createHarness();
  const node = await enroll(h, "leaf-1");
  const operator = await h.tokenFor("operator");
  const first = await openStream(h, node);
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    ids.push((await issue(h, operator, node.id, { type: "camera_snapshot" })).body.id);
    await first.next();
  }
  const done = await post(h, node, `${ids[0]}/result`, {
    outcome: "failed",
    error: { code: "no_camera", message: "No camera is connected" },
  });
  await done.body?.cancel();
  const second = await openStream(h, node);
  try {
    assertEquals((await second.next()).command.id, ids[1]);
    assert(h.deps.commands.isConnected(node.id), "the newer stream holds the node");
  } finally {
    await first.close();
    await second.close();
  }
});

Deno.test("a desired-state command waits for its node, and the newest wins", async () => {
  await using h = await createHarness({ commandTypes: TEST_COMMAND_TYPES });
  const node = await enroll(h, "leaf-1");
  const admin = await h.tokenFor("admin");
  const operator = await issue(h, await h.tokenFor("operator"), node.id, {
    type: "test_desired_value",
    params: { value: 1 },
  });
  assertEquals(operator.status, 403, "the type needs admin");
  const older = await issue(h, admin, node.id, {
    type: "test_desired_value",
    params: { value: 1 },
  });
  const newer = await issue(h, admin, node.id, {
    type: "test_desired_value",
    params: { value: 2 },
  });
  assertEquals([older.body.state, newer.body.state], ["queued", "queued"]);
  assertEquals((await command(h, older.body.id)).state, "superseded");

  await h.clock.tick(3600_000);
  const stream = await openStream(h, node);
  try {
    const delivered = await stream.next();
    assertEquals([delivered.command.id, delivered.command.params], [newer.body.id, { value: 2 }]);
    const res = await post(h, node, `${newer.body.id}/result`, {
      outcome: "succeeded",
      type: "test_desired_value",
      result: { applied: 2 },
    });
    assertEquals(await res.json(), { id: newer.body.id, state: "succeeded" });
    const list = await h.request(`/v1/nodes/${node.id}/commands`, { token: admin });
    assertEquals(
      (await list.json()).commands.map((c: CommandRecord) => [c.params, c.state, c.result]),
      [
        [{ value: 2 }, "succeeded", { applied: 2 }],
        [{ value: 1 }, "superseded", null],
      ],
    );
  } finally {
    await stream.close();
  }
});
