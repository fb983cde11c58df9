import { assert, assertEquals, assertRejects, assertThrows } from "../../lib/testing/assert.ts";
import { startWebhookSink } from "./webhook_sink.ts";

/** POSTs `body` and reads the whole answer, so no response body is left open. */
async function post(url: string, body: string, init: RequestInit = {}) {
  const response = await fetch(url, { method: "POST", body, ...init });
  return { status: response.status, body: await response.text() };
}

/** Runs `fetch` with a client-side timeout, as a webhook sender would. */
async function postWithTimeout(url: string, timeoutMs: number): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error("client timeout")), timeoutMs);
  try {
    const response = await fetch(url, { method: "POST", body: "{}", signal: controller.signal });
    await response.body?.cancel();
    return `answered ${response.status}`;
  } catch (error) {
    return `failed: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("startWebhookSink()", async (t) => {
  await t.step("records method, path, query, headers, body and arrival time", async () => {
    await using sink = await startWebhookSink();
    assert(sink.url.startsWith("http://127.0.0.1:"), sink.url);
    assertEquals(sink.url, `http://127.0.0.1:${sink.port}`);
    const before = Date.now();
    const answer = await post(`${sink.url}/hooks/slack?x=1`, '{"text":"hi"}', {
      headers: { "Content-Type": "application/json", "X-Secret": "s3cret" },
    });
    assertEquals(answer, { status: 200, body: "ok" });
    assertEquals(sink.requests.length, 1);
    const [request] = sink.requests;
    assert(request);
    assertEquals(request.method, "POST");
    assertEquals(request.path, "/hooks/slack");
    assertEquals(request.search, "?x=1");
    assertEquals(request.body, '{"text":"hi"}');
    assertEquals(request.headers["content-type"], "application/json");
    assertEquals(request.headers["x-secret"], "s3cret");
    assert(request.receivedAt >= before && request.receivedAt <= Date.now());
  });

  await t.step("answers 500 a given number of times, then 200", async () => {
    await using sink = await startWebhookSink();
    sink.respond({ status: 500, body: "boom" }, { times: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(sink.url, `${i}`)).status);
    assertEquals(statuses, [500, 500, 200, 200]);
    assertEquals(sink.requests.map((r) => r.body), ["0", "1", "2", "3"]);
  });

  await t.step("limited rules come before the standing rule, in order given", async () => {
    await using sink = await startWebhookSink();
    sink.respond({ status: 503 });
    sink.respond({ status: 500 }, { times: 1 });
    sink.respond({ status: 429, headers: { "Retry-After": "1" } }, { times: 1 });
    const first = await fetch(sink.url, { method: "POST" });
    await first.body?.cancel();
    const second = await fetch(sink.url, { method: "POST" });
    await second.body?.cancel();
    assertEquals([first.status, second.status], [500, 429]);
    assertEquals(second.headers.get("retry-after"), "1");
    assertEquals((await post(sink.url, "")).status, 503);
    assertEquals((await post(sink.url, "")).status, 503);
  });

  await t.step("a path's rules apply to that path only", async () => {
    await using sink = await startWebhookSink();
    sink.respond({ status: 404 });
    sink.respond({ status: 201, body: "made" }, { path: "/a" });
    assertEquals(await post(`${sink.url}/a`, ""), { status: 201, body: "made" });
    assertEquals((await post(`${sink.url}/b`, "")).status, 404);
  });

  await t.step("rejects a non-positive count of times", async () => {
    await using sink = await startWebhookSink();
    assertThrows(() => sink.respond({ status: 500 }, { times: 0 }), RangeError, "0 times");
  });

  await t.step("a hanging answer trips the client's timeout and is released on close", async () => {
    await using sink = await startWebhookSink();
    sink.respond({ hang: true }, { path: "/slow" });
    assertEquals(await postWithTimeout(`${sink.url}/slow`, 200), "failed: client timeout");
    assertEquals(sink.requests.map((r) => r.path), ["/slow"]);
    // Other paths still answer while one request hangs.
    assertEquals((await post(`${sink.url}/fast`, "")).status, 200);
  });

  await t.step("a hanging request still in flight ends when the sink closes", async () => {
    const sink = await startWebhookSink();
    sink.respond({ hang: true });
    const pending = postWithTimeout(sink.url, 30_000);
    await sink.waitFor(1);
    await sink.close();
    const outcome = await pending;
    assertEquals(outcome, "answered 503", "released with 503 so the server can shut down");
  });

  await t.step("delays an answer", async () => {
    await using sink = await startWebhookSink();
    sink.respond({ status: 202, delayMs: 150 }, { times: 1 });
    const started = performance.now();
    assertEquals((await post(sink.url, "")).status, 202);
    assert(performance.now() - started >= 140, "answered before the delay");
    assertEquals(await postWithTimeout(sink.url, 5_000), "answered 200");
  });

  await t.step("waitFor() resolves once enough requests arrived", async () => {
    await using sink = await startWebhookSink();
    const waiting = sink.waitFor(3);
    const sends = [1, 2, 3].map((i) => post(sink.url, `${i}`));
    const requests = await waiting;
    await Promise.all(sends);
    assertEquals(requests.map((r) => r.body).sort(), ["1", "2", "3"]);
    assertEquals((await sink.waitFor(2)).length, 2, "already there: resolves at once");
  });

  await t.step("waitFor() counts only the given path", async () => {
    await using sink = await startWebhookSink();
    await post(`${sink.url}/other`, "");
    const waiting = sink.waitFor(1, { path: "/hook" });
    await post(`${sink.url}/hook`, "mine");
    assertEquals((await waiting).map((r) => r.body), ["mine"]);
  });

  await t.step("waitFor() throws after its guard timeout", async () => {
    await using sink = await startWebhookSink();
    await post(sink.url, "");
    await assertRejects(
      () => sink.waitFor(2, { timeoutMs: 50 }),
      Error,
      "waited 50 ms for 2 request(s), got 1",
    );
  });

  await t.step("closing rejects a pending waitFor()", async () => {
    const sink = await startWebhookSink();
    const rejected = assertRejects(() => sink.waitFor(1), Error, "closed");
    await sink.close();
    await rejected;
    await sink.close(); // idempotent
  });
});
