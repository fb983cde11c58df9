import { systemClock } from "../clock.ts";
import { createLogger } from "../log.ts";
import type { Sample } from "../schemas/telemetry.ts";
import { DEMO_NETWORK } from "./network_plan.ts";
import { seededRandom } from "./random.ts";
import { SimNetwork } from "./sim_network.ts";
import { SimTelemetry } from "./telemetry.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { fakeTelemetryGateway } from "../testing/fake_telemetry_gateway.ts";
import { backfillTelemetry, runTelemetry, type TelemetryDevice } from "./telemetry_loop.ts";
import { TelemetrySender } from "../uplink/telemetry_sender.ts";

const HOUR = 3600_000;
const telemetry = new SimTelemetry(DEMO_NETWORK, { seed: 1 });

/** The six demo devices, each with a sender to one fake gateway. */
function setup(now: () => number = Date.now, maxInFlight = 1) {
  const gateway = fakeTelemetryGateway(now);
  const devices: TelemetryDevice[] = DEMO_NETWORK.devices.map((d, i) => ({
    key: d.key,
    nodeId: `n-00000000000${i}`,
    name: d.hostname,
    sender: new TelemetrySender({
      baseUrl: "http://gateway.test",
      token: `halo_agent_${d.key}`,
      nodeId: `n-00000000000${i}`,
      epoch: "demo-test",
      http: gateway.http,
      minBackoffMs: 5,
      maxBackoffMs: 20,
      maxInFlight,
    }),
  }));
  const logs: string[] = [];
  const log = createLogger({ component: "test", level: "debug", write: (l) => logs.push(l) });
  const nodeOf = (key: string) => devices.find((d) => d.key === key)!.nodeId;
  /** Every stored sample of one device. */
  const storedOf = (key: string): Sample[] =>
    gateway.storedBatches().filter((b) => b.node_id === nodeOf(key)).flatMap((b) => b.samples);
  return { gateway, devices, logs, log, storedOf, nodeOf };
}

Deno.test("backfillTelemetry() stores every device's history once, reporting progress", async () => {
  const t = setup();
  const to = Date.UTC(2026, 10, 23, 12, 0, 0);
  const progress: number[] = [];
  const result = await backfillTelemetry({
    telemetry,
    devices: t.devices,
    from: to - 6 * HOUR,
    to,
    clock: systemClock,
    log: t.log,
    signal: new AbortController().signal,
    onProgress: (done, total) => progress.push(done / total),
  });
  const rounds = 6 * 60;
  assertEquals(result.total, 54 * rounds);
  assertEquals([result.samples, result.unsupported], [result.total, false]);
  for (const d of DEMO_NETWORK.devices) {
    const stored = t.storedOf(d.key);
    assertEquals(stored.length, rounds * telemetry.samples(d.key, to).length, d.key);
    assertEquals(stored.slice(0, 3), telemetry.samples(d.key, to - 6 * HOUR).slice(0, 3));
  }
  assert(progress.every((p, i) => i === 0 || p >= progress[i - 1]!), "progress only grows");
  assertEquals(progress.at(-1), 1);
  assert(t.gateway.requests.every((r) => r.batch.samples.length <= 5000));
});

Deno.test("backfillTelemetry() waits out 503s and lost answers, storing each batch once", async () => {
  const t = setup(Date.now, 4);
  const to = Date.UTC(2026, 10, 23, 12, 0, 0);
  t.gateway.faults.push(
    { status: 503, code: "unavailable" },
    "store-then-drop-answer",
    "refuse-connection",
    { status: 429, code: "too_many_requests" },
  );
  const result = await backfillTelemetry({
    telemetry,
    devices: t.devices,
    from: to - 12 * HOUR,
    to,
    clock: systemClock,
    log: t.log,
    signal: new AbortController().signal,
  });
  assertEquals(result.samples, result.total);
  const stored = t.gateway.storedBatches().reduce((n, b) => n + b.samples.length, 0);
  assertEquals(stored, result.total, "nothing stored twice");
  assert(t.logs.some((l) => JSON.parse(l).msg === "back-fill waits for the gateway"));
  assert(t.gateway.maxInFlight() > 6, "devices send several batches at once");
});

Deno.test("backfillTelemetry() stops when the gateway has no telemetry route", async () => {
  const t = setup();
  t.gateway.setDown({ status: 404, code: "not_found" });
  const to = Date.UTC(2026, 10, 23, 12, 0, 0);
  const result = await backfillTelemetry({
    telemetry,
    devices: t.devices,
    from: to - 3 * 24 * HOUR,
    to,
    clock: systemClock,
    log: t.log,
    signal: new AbortController().signal,
  });
  assertEquals([result.unsupported, result.samples], [true, 0]);
  assert(t.gateway.requests.length <= 6, `${t.gateway.requests.length} requests`);
});

/** The demo's live loop on a fake clock; `advance` moves time a second at a time. */
function live() {
  const clock = new FakeClock();
  const t = setup(() => clock.now());
  const network = new SimNetwork(DEMO_NETWORK, { random: seededRandom(4), now: clock.now() });
  const controller = new AbortController();
  const advance = async (ms: number) => {
    for (let done = 0; done < ms; done += 1000) {
      await clock.tick(1000);
      for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    }
  };
  const start = () =>
    runTelemetry({
      telemetry,
      network,
      devices: t.devices,
      clock,
      log: t.log,
      signal: controller.signal,
      random: seededRandom(1),
    });
  return { ...t, clock, network, controller, advance, start };
}

Deno.test("runTelemetry() sends a round of samples from every device every 10 s", async () => {
  const t = live();
  const started = t.clock.now();
  const loop = t.start();
  await t.advance(60_000);
  t.controller.abort();
  await loop;
  for (const d of DEMO_NETWORK.devices) {
    const stamps = [...new Set(t.storedOf(d.key).map((s) => s.ts))];
    assert(stamps.length >= 5 && stamps.length <= 6, `${d.key}: ${stamps.length} rounds`);
    for (let i = 1; i < stamps.length; i++) assertEquals(stamps[i]! - stamps[i - 1]!, 10_000);
    assert(stamps[0]! - started <= 10_000, `${d.key} starts after ${stamps[0]! - started} ms`);
    const seen = t.gateway.requests.filter((r) => r.batch.node_id === t.nodeOf(d.key));
    assert(seen.every((r) => r.token === `Bearer halo_agent_${d.key}`), "with its own token");
  }
  const before = t.gateway.requests.length;
  await t.advance(30_000);
  assertEquals(t.gateway.requests.length, before, "nothing is sent after stopping");
});

Deno.test("runTelemetry() link samples are the status reports' links", async () => {
  const t = live();
  const loop = t.start();
  await t.advance(15_000);
  t.controller.abort();
  await loop;
  const stored = t.storedOf("relay");
  const ts = stored[0]!.ts;
  const tq = stored.filter((s) => s.metric === "link.tq" && s.ts === ts);
  assertEquals(tq.map((s) => s.labels!.neighbor).sort(), [
    "halo-gateway",
    "halo-leaf-01",
    "halo-leaf-02",
    "halo-leaf-03",
  ]);
  // Link quality stays within the walk's bounds around the plan's typical values.
  const toGateway = tq.find((s) => s.labels!.neighbor === "halo-gateway")!.value;
  assert(toGateway >= 210 && toGateway <= 250, `relay-gateway TQ ${toGateway}`);
});

Deno.test("runTelemetry() keeps sampling a dropped-off device and sends its backlog when it is back", async () => {
  const t = live();
  const loop = t.start();
  await t.advance(20_000);
  const cut = t.clock.now();
  t.network.disconnect("leaf-4", cut);
  const sentBefore = t.gateway.requests.filter((r) => r.batch.node_id === t.nodeOf("leaf-4"));
  await t.advance(60_000);
  const sentAway = t.gateway.requests.filter((r) => r.batch.node_id === t.nodeOf("leaf-4"));
  assertEquals(sentAway.length, sentBefore.length, "nothing is sent while it is away");
  const back = t.clock.now();
  t.network.reconnect("leaf-4", back);
  await t.advance(10_000);
  t.controller.abort();
  await loop;

  const stored = t.storedOf("leaf-4");
  const away = stored.filter((s) => s.ts > cut && s.ts < back);
  assertEquals(new Set(away.map((s) => s.ts)).size, 6, "six rounds taken while away");
  assertEquals(
    [...new Set(away.filter((s) => s.ts > cut + 10_000).map((s) => s.metric))].sort(),
    ["cpu.usage", "disk.used", "mem.used", "soc.temp"],
    "a cut-off device hears no neighbours",
  );
  const gateway = t.storedOf("gateway").filter((s) => s.ts > cut + 10_000 && s.ts < back);
  assert(
    gateway.every((s) => s.labels?.neighbor !== "halo-leaf-04"),
    "nor do its neighbours hear it",
  );
});

Deno.test("runTelemetry() keeps samples while the gateway is down, logs once, and catches up", async () => {
  const t = live();
  const loop = t.start();
  await t.advance(10_000);
  t.gateway.setDown({ status: 503, code: "unavailable" });
  await t.advance(60_000);
  t.gateway.setDown(null);
  await t.advance(30_000);
  t.controller.abort();
  await loop;
  for (const d of DEMO_NETWORK.devices) {
    const rounds = new Set(t.storedOf(d.key).map((s) => s.ts)).size;
    assert(rounds >= 9 && rounds <= 10, `${d.key}: ${rounds} rounds stored`);
  }
  const relay = t.logs.map((l) => JSON.parse(l)).filter((l) => l.node === "halo-relay-01");
  assertEquals(relay.map((l) => l.msg), [
    "telemetry not acknowledged; keeping it and retrying",
    "telemetry acknowledged again",
  ]);
  for (const d of t.devices) assertEquals(d.sender.buffered, 0);
});

Deno.test("runTelemetry() sends what is left when stopped", async () => {
  const t = live();
  const loop = t.start();
  await t.advance(10_000);
  t.gateway.setDown("refuse-connection");
  await t.advance(20_000);
  t.gateway.setDown(null);
  t.controller.abort();
  await loop;
  for (const d of t.devices) assertEquals(d.sender.buffered, 0, d.key);
});

Deno.test("runTelemetry() stops every device, with one line, when the gateway takes no telemetry", async () => {
  const t = live();
  t.gateway.setDown({ status: 404, code: "not_found" });
  const loop = t.start();
  await t.advance(60_000);
  await loop; // ends on its own
  assert(t.gateway.requests.length <= 6, `${t.gateway.requests.length} requests`);
  const lines = t.logs.map((l) => JSON.parse(l).msg);
  assertEquals(lines, ["the gateway takes no telemetry; the nodes stop sending it"]);
});
