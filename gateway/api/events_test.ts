import { assertEquals } from "../../lib/testing/assert.ts";
import { createHarness } from "../testing/harness.ts";

/** Reads SSE messages from a response until `count` data messages have arrived. */
async function readMessages(
  res: Response,
  count: number,
): Promise<{ id: string; data: unknown }[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const out: { id: string; data: unknown }[] = [];
  let buffer = "";
  while (out.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (id !== undefined && data !== undefined) out.push({ id, data: JSON.parse(data) });
    }
  }
  await reader.cancel();
  return out;
}

Deno.test("events", async (t) => {
  await using h = await createHarness();
  const viewer = await h.tokenFor("viewer");
  const e1 = h.deps.events.record("online", null, "one");
  const e2 = h.deps.events.record("offline", null, "two");
  h.deps.events.record("rebooted", null, "three");

  await t.step("GET /v1/events filters by type and pages newest first", async () => {
    const res = await h.request("/v1/events?type=online,offline&limit=1", { token: viewer });
    const body = await res.json();
    assertEquals(body.events.map((e: { message: string }) => e.message), ["two"]);
    const next = await (await h.request(`/v1/events?type=online,offline&before_id=${e2.id}`, {
      token: viewer,
    }))
      .json();
    assertEquals(next.events.map((e: { message: string }) => e.message), ["one"]);
  });

  await t.step("bad filters are 400 naming the parameter", async () => {
    const res = await h.request("/v1/events?from=yesterday&limit=0", { token: viewer });
    assertEquals(res.status, 400);
    const paths = (await res.json()).error.details.map((d: { path: string }) => d.path).sort();
    assertEquals(paths, ["query.from", "query.limit"]);
  });

  await t.step("the stream resumes after Last-Event-ID, then delivers live events", async () => {
    const res = await h.request("/v1/events/stream", {
      token: viewer,
      headers: { "last-event-id": String(e1.id) },
    });
    assertEquals(res.headers.get("content-type"), "text/event-stream");
    const messages = readMessages(res, 3);
    await new Promise((r) => setTimeout(r, 20));
    h.deps.events.record("enrolled", null, "live");
    const got = await messages;
    assertEquals(got.map((m) => (m.data as { message: string }).message), ["two", "three", "live"]);
    assertEquals(got[0]!.id, String(e2.id));
  });

  await t.step("without Last-Event-ID only new events arrive, filtered by type", async () => {
    const res = await h.request("/v1/events/stream?type=offline", { token: viewer });
    const messages = readMessages(res, 1);
    await new Promise((r) => setTimeout(r, 20));
    h.deps.events.record("online", null, "skip me");
    h.deps.events.record("offline", null, "want me");
    assertEquals((await messages).map((m) => (m.data as { message: string }).message), ["want me"]);
  });

  await t.step("events recorded in a transaction that rolls back are never streamed", async () => {
    const res = await h.request("/v1/events/stream", { token: viewer });
    const messages = readMessages(res, 1);
    await new Promise((r) => setTimeout(r, 20));
    try {
      h.deps.events.atomically(() => {
        h.deps.events.record("online", null, "rolled back");
        throw new Error("boom");
      });
    } catch { /* expected */ }
    h.deps.events.record("online", null, "committed");
    assertEquals((await messages).map((m) => (m.data as { message: string }).message), [
      "committed",
    ]);
    assertEquals(
      h.deps.events.query({ limit: 50 }).some((e) => e.message === "rolled back"),
      false,
    );
  });

  await t.step("the stream needs a login", async () => {
    assertEquals((await h.request("/v1/events/stream")).status, 401);
  });
});

Deno.test("an open event stream ends when its token is revoked", async () => {
  await using h = await createHarness();
  const admin = await h.tokenFor("admin");
  const created = await (await h.request("/v1/tokens", {
    method: "POST",
    token: admin,
    json: { name: "wallboard", role: "viewer" },
  })).json();
  const res = await h.request("/v1/events/stream", { token: created.token });
  const reader = res.body!.getReader();
  await reader.read();
  await h.request(`/v1/tokens/${created.id}`, { method: "DELETE", token: admin });
  await h.clock.tick(6_000);
  h.deps.events.record("online", null, "after revocation");
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  assertEquals(text.includes("after revocation"), false);
});
