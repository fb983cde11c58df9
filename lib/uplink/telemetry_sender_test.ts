import type { Sample } from "../schemas/telemetry.ts";
import { DEMO_NETWORK } from "../sim/network_plan.ts";
import { SimTelemetry } from "../sim/telemetry.ts";
import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import { fakeTelemetryGateway } from "../testing/fake_telemetry_gateway.ts";
import { TelemetrySender } from "./telemetry_sender.ts";

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const NODE = "n-0000000000aa";
const telemetry = new SimTelemetry(DEMO_NETWORK, { seed: 1 });
const samplesAt = (t: number) => telemetry.samples("leaf-1", t);

/** A fake gateway that also checks every request carries the node's agent token. */
function fakeGateway() {
  const gateway = fakeTelemetryGateway(() => T0);
  const http = (request: Request) => {
    assertEquals(request.headers.get("authorization"), "Bearer halo_agent_test");
    return gateway.http(request);
  };
  const batches = () => gateway.requests.map((r) => r.batch);
  return { ...gateway, http, batches };
}

function sender(gateway: ReturnType<typeof fakeGateway>, options = {}) {
  return new TelemetrySender({
    baseUrl: "http://gateway.test",
    token: "halo_agent_test",
    nodeId: NODE,
    epoch: "demo-test",
    http: gateway.http,
    random: () => 1,
    ...options,
  });
}

Deno.test("TelemetrySender sends buffered samples as one batch and forgets them once acknowledged", async () => {
  const gateway = fakeGateway();
  const s = sender(gateway);
  s.add(samplesAt(T0));
  s.add(samplesAt(T0 + 10_000));
  assertEquals(s.buffered, 22);
  const result = await s.flush();
  assertEquals(result, { acked: 1, samples: 22, duplicates: 0, refused: [] });
  assertEquals(gateway.batches().map((b) => [b.node_id, b.epoch, b.batch_seq]), [
    [NODE, "demo-test", 0],
  ]);
  assertEquals(gateway.batches()[0]!.samples, [...samplesAt(T0), ...samplesAt(T0 + 10_000)]);
  assertEquals([s.buffered, s.nextSeq], [0, 1]);
  assertEquals(await s.flush(), { acked: 0, samples: 0, duplicates: 0, refused: [] });
  assertEquals(gateway.requests.length, 1, "nothing to send, nothing sent");
});

Deno.test("TelemetrySender retries a failed batch with the same epoch, seq and body", async () => {
  const gateway = fakeGateway();
  const s = sender(gateway);
  s.add(samplesAt(T0));
  gateway.faults.push("refuse-connection");
  const failed = await s.flush();
  assert(failed.blocked, "the flush stops at the failure");
  assertEquals(failed.blocked.error.name, "TypeError");
  assertEquals([failed.acked, s.buffered], [0, 11]);

  s.add(samplesAt(T0 + 10_000)); // the node keeps sampling meanwhile
  const retried = await s.flush();
  assertEquals(retried, { acked: 2, samples: 22, duplicates: 0, refused: [] });
  const [first, retry, next] = gateway.batches();
  assertEquals(retry, first, "the retry is the identical batch");
  assertEquals(next!.batch_seq, 1);
  assertEquals(next!.samples, samplesAt(T0 + 10_000));
  assertEquals(gateway.stored.size, 2);
});

Deno.test("TelemetrySender's retry after a lost acknowledgement is stored once and answered as duplicate", async () => {
  const gateway = fakeGateway();
  const s = sender(gateway);
  for (let i = 0; i < 5; i++) {
    s.add(samplesAt(T0 + i * 10_000));
    if (i % 2 === 0) gateway.faults.push("store-then-drop-answer");
    let result = await s.flush();
    while (result.blocked) result = await s.flush();
  }
  assertEquals(gateway.stored.size, 5, "five batches stored, each once");
  assertEquals([...gateway.stored.keys()].map((k) => Number(k.split("/")[2])), [0, 1, 2, 3, 4]);
  assertEquals(gateway.requests.length, 8, "three of them sent twice");
  assertEquals(s.buffered, 0);
});

Deno.test("TelemetrySender backs off on 503 and 429, doubling up to the maximum, and honours Retry-After", async (t) => {
  await t.step("503: 1 s, 2 s, 4 s, then at most the maximum", async () => {
    const gateway = fakeGateway();
    const s = sender(gateway, { maxBackoffMs: 5000 });
    s.add(samplesAt(T0));
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      gateway.faults.push({ status: 503, code: "unavailable" });
      const result = await s.flush();
      assertEquals(result.blocked?.unsupported, false);
      waits.push(result.blocked!.retryInMs);
    }
    assertEquals(waits, [1000, 2000, 4000, 5000, 5000]);
    assertEquals((await s.flush()).acked, 1, "and it goes once the gateway is back");
    gateway.faults.push({ status: 503, code: "unavailable" });
    s.add(samplesAt(T0 + 10_000));
    assertEquals((await s.flush()).blocked!.retryInMs, 1000, "success resets the backoff");
  });
  await t.step("429 with Retry-After: 30 waits 30 s", async () => {
    const gateway = fakeGateway();
    const s = sender(gateway);
    s.add(samplesAt(T0));
    gateway.faults.push({ status: 429, code: "too_many_requests", retryAfterS: 30 });
    assertEquals((await s.flush()).blocked!.retryInMs, 30_000);
    gateway.faults.push("refuse-connection");
    assertEquals((await s.flush()).blocked!.retryInMs, 2000, "an old Retry-After is not reused");
  });
  await t.step("the wait is spread between half and all of the backoff", async () => {
    const gateway = fakeGateway();
    const s = sender(gateway, { random: () => 0 });
    s.add(samplesAt(T0));
    gateway.faults.push({ status: 503, code: "unavailable" });
    assertEquals((await s.flush()).blocked!.retryInMs, 500);
  });
});

Deno.test("TelemetrySender drops a batch the gateway refuses for good and sends the next", async () => {
  const gateway = fakeGateway();
  const s = sender(gateway, { maxBatchSamples: 11 });
  s.add([...samplesAt(T0), ...samplesAt(T0 + 10_000), ...samplesAt(T0 + 20_000)]);
  gateway.faults.push({ status: 400, code: "bad_request" });
  const result = await s.flush();
  assertEquals(result.acked, 2);
  assertEquals(result.refused.map((r) => [r.seq, r.samples, r.error.status]), [[0, 11, 400]]);
  assertEquals(result.blocked, undefined);
  assertEquals(gateway.batches().map((b) => b.batch_seq), [0, 1, 2]);
});

Deno.test("TelemetrySender says when the gateway has no telemetry route", async () => {
  const gateway = fakeGateway();
  const s = sender(gateway);
  s.add(samplesAt(T0));
  gateway.faults.push({ status: 404, code: "not_found" });
  const result = await s.flush();
  assertEquals(result.blocked?.unsupported, true);
  assertEquals(s.buffered, 11, "the samples stay");
});

Deno.test("TelemetrySender cuts a backlog into batches of at most maxBatchSamples, in order", async () => {
  const gateway = fakeGateway();
  const s = sender(gateway, { maxBatchSamples: 25 });
  const all: Sample[] = [];
  for (let i = 0; i < 10; i++) all.push(...samplesAt(T0 + i * 10_000));
  s.add(all);
  const result = await s.flush();
  assertEquals([result.acked, result.samples], [5, 110]);
  assertEquals(gateway.batches().map((b) => b.samples.length), [25, 25, 25, 25, 10]);
  assertEquals(gateway.batches().flatMap((b) => b.samples), all);
  assertEquals(gateway.maxInFlight(), 1, "one request at a time");
});

Deno.test("TelemetrySender keeps at most maxBufferedSamples, dropping the oldest", async () => {
  const gateway = fakeGateway();
  const s = sender(gateway, { maxBufferedSamples: 30, maxBatchSamples: 11 });
  s.add(samplesAt(T0));
  gateway.faults.push("refuse-connection");
  await s.flush(); // batch 0 is sealed now
  s.add(samplesAt(T0 + 10_000));
  s.add(samplesAt(T0 + 20_000));
  assertEquals([s.buffered, s.dropped], [22, 11], "the oldest batch went");
  s.add(samplesAt(T0 + 30_000).slice(0, 10));
  assertEquals([s.buffered, s.dropped], [30, 13]);
  await s.flush();
  assertEquals(gateway.batches().slice(1).map((b) => b.batch_seq), [1, 2, 3]);
  assertEquals(gateway.batches().slice(1).flatMap((b) => b.samples), [
    ...samplesAt(T0 + 10_000).slice(2),
    ...samplesAt(T0 + 20_000),
    ...samplesAt(T0 + 30_000).slice(0, 10),
  ]);
});

Deno.test("TelemetrySender runs one flush at a time; a second call shares it", async () => {
  const gateway = fakeGateway();
  const s = sender(gateway);
  s.add(samplesAt(T0));
  const [a, b] = await Promise.all([s.flush(), s.flush()]);
  assertEquals(a, b);
  assertEquals(gateway.requests.length, 1);
});

Deno.test("TelemetrySender.addBatch() takes back-fill batches that continue its sequence", async (t) => {
  const gateway = fakeGateway();
  const s = sender(gateway);
  const batches = [...telemetry.batches("leaf-1", {
    nodeId: NODE,
    epoch: "demo-test",
    firstSeq: s.nextSeq,
    from: T0 - 3600_000,
    to: T0,
    maxSamples: 200,
  })];
  await t.step("in order, then live samples follow on", async () => {
    for (const b of batches) s.addBatch(b);
    s.add(samplesAt(T0));
    const result = await s.flush();
    assertEquals(result.acked, batches.length + 1);
    assertEquals(gateway.batches().map((b) => b.batch_seq), [...batches.keys(), batches.length]);
  });
  await t.step("a batch out of sequence or for another buffer is a RangeError", () => {
    assertThrows(() => s.addBatch(batches[0]!), RangeError, "next one here is");
    assertThrows(
      () => s.addBatch({ ...batches[0]!, epoch: "other", batch_seq: s.nextSeq }),
      RangeError,
      "this buffer is",
    );
  });
});

Deno.test("TelemetrySender with maxInFlight sends several batches at once, each stored once", async (t) => {
  await t.step("a backlog goes out three at a time", async () => {
    const gateway = fakeGateway();
    const s = sender(gateway, { maxBatchSamples: 11, maxInFlight: 3 });
    for (let i = 0; i < 10; i++) s.add(samplesAt(T0 + i * 10_000));
    const result = await s.flush();
    assertEquals([result.acked, s.buffered], [10, 0]);
    assertEquals(gateway.maxInFlight(), 3);
    assertEquals(gateway.stored.size, 10);
  });
  await t.step(
    "a failure stops the flush once the others are answered; the retry completes it",
    async () => {
      const gateway = fakeGateway();
      const s = sender(gateway, { maxBatchSamples: 11, maxInFlight: 3 });
      for (let i = 0; i < 10; i++) s.add(samplesAt(T0 + i * 10_000));
      gateway.faults.push("store-then-drop-answer", { status: 503, code: "unavailable" });
      const first = await s.flush();
      assert(first.blocked, "the flush stops");
      assertEquals(first.acked, 1, "the third request of the first three went through");
      assertEquals(gateway.requests.length, 3, "no new request after the failure");
      const second = await s.flush();
      assertEquals([second.acked, second.duplicates, second.blocked], [9, 1, undefined]);
      assertEquals(gateway.stored.size, 10);
      const sent = gateway.batches().map((b) => b.batch_seq).sort((a, b) => a - b);
      assertEquals(sent, [0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    },
  );
});
