import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { createHarness, type Harness } from "../testing/harness.ts";

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

/** A new viewer API token, made by an admin: each one is a caller of its own. */
async function viewerToken(h: Harness, name: string): Promise<string> {
  const admin = await h.tokenFor("admin");
  const res = await h.request("/v1/tokens", {
    method: "POST",
    token: admin,
    json: { name, role: "viewer" },
  });
  return (await res.json()).token;
}

/**
 * Reads `res` until it ends or carries `marker`; true when it ended first.
 * An event with `marker` is recorded after the stream should have ended, so
 * a stream left open answers false instead of waiting forever.
 */
async function endsBefore(res: Response, marker: string): Promise<boolean> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return true;
    text += value;
    if (text.includes(marker)) {
      await reader.cancel();
      return false;
    }
  }
}

const messagesOf = (got: { data: unknown }[]) =>
  got.map((m) => (m.data as { message: string }).message);

Deno.test("a caller opening one event stream too many loses its oldest, and only that", async () => {
  await using h = await createHarness();
  const viewer = await h.tokenFor("viewer");
  const other = await h.tokenFor("operator");
  const open = (token: string) => h.request("/v1/events/stream", { token });
  const mine = [];
  for (let i = 0; i < 8; i++) mine.push(await open(viewer));
  const theirs = await open(other);
  assertEquals([...mine, theirs].map((r) => r.status), Array(9).fill(200));

  const newest = await open(viewer);
  assertEquals(newest.status, 200);
  h.deps.events.record("online", null, "after the ninth");

  assert(await endsBefore(mine[0]!, "after the ninth"), "the oldest stream ended");
  assertEquals(messagesOf(await readMessages(newest, 1)), ["after the ninth"]);
  assertEquals(messagesOf(await readMessages(mine[1]!, 1)), ["after the ninth"]);
  assertEquals(messagesOf(await readMessages(theirs, 1)), ["after the ninth"]);
});

Deno.test("when every event stream is taken, a new caller gets 429 until one closes", async () => {
  await using h = await createHarness();
  const streams: Response[][] = [];
  for (let caller = 0; caller < 8; caller++) {
    const token = await viewerToken(h, `wallboard-${caller}`);
    const own = [];
    for (let i = 0; i < 8; i++) own.push(await h.request("/v1/events/stream", { token }));
    assertEquals(own.map((r) => r.status), Array(8).fill(200));
    streams.push(own);
  }
  const latecomer = await viewerToken(h, "latecomer");

  const refused = await h.request("/v1/events/stream", { token: latecomer });
  assertEquals(refused.status, 429);
  assertEquals(refused.headers.get("retry-after"), "30");
  assertEquals((await refused.json()).error, {
    code: "too_many_streams",
    message: "All 64 event streams are open: try again in 30 s",
  });

  // The global limit, too, lets a caller who holds streams reconnect.
  const holder = await viewerToken(h, "holder");
  await streams[0]![0]!.body!.cancel();
  const first = await h.request("/v1/events/stream", { token: holder });
  assertEquals(first.status, 200);
  assertEquals((await h.request("/v1/events/stream", { token: latecomer })).status, 429);
  const again = await h.request("/v1/events/stream", { token: holder });
  assertEquals(again.status, 200);
  h.deps.events.record("online", null, "after the swap");
  assert(await endsBefore(first, "after the swap"), "the holder's older stream ended");
  assertEquals(messagesOf(await readMessages(again, 1)), ["after the swap"]);

  await streams[1]![0]!.body!.cancel();
  const admitted = await h.request("/v1/events/stream", { token: latecomer });
  assertEquals(admitted.status, 200);
  await admitted.body!.cancel();
});
