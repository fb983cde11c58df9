import { assert, assertEquals } from "../lib/testing/assert.ts";
import { GatewayClient } from "../lib/api_client.ts";
import { createLogger } from "../lib/log.ts";
import { agentStatusSchema, type LiveReadings } from "../lib/schemas/agent_socket.ts";
import { type NodeReport, nodeReportSchema } from "../lib/schemas/report.ts";
import { FakeClock } from "../lib/testing/fake_clock.ts";
import { Agent } from "./agent.ts";
import type { Collector } from "./collectors/collector.ts";
import { hostCollector } from "./collectors/host.ts";
import { MidpointClockSync } from "./midpoint_clock_sync.ts";
import { LiveFeed } from "./socket/live_feed.ts";
import { simulatedHostFiles } from "./sources/simulated_host.ts";
import { RecordingBuffer } from "./testing/recording_buffer.ts";

const NODE = "n-0123456789ab";
const BOOT = "0b7d7f5e-2c55-4a36-9a0e-5d1f0e6b1c11";
const GATEWAY_NOW = Date.UTC(2026, 10, 23, 12);
const YEAR = 365 * 86_400_000;

/** A gateway's `POST /v1/nodes/{id}/report`: checks each report, answers with its clock. */
function reportGateway(clock: FakeClock, offsetMs: number) {
  const reports: NodeReport[] = [];
  const gw = {
    reports,
    intervalS: 10,
    /** Status of the next answers instead of 200. */
    failWith: null as null | number,
    http: async (request: Request) => {
      assertEquals(new URL(request.url).pathname, `/v1/nodes/${NODE}/report`);
      assertEquals(request.headers.get("authorization"), "Bearer halo_agent_test");
      if (gw.failWith !== null) {
        return Response.json({ error: { code: "x", message: "refused" } }, {
          status: gw.failWith,
        });
      }
      reports.push(nodeReportSchema.parse(await request.json()));
      return Response.json({
        gateway_time_ms: clock.now() + offsetMs,
        report_interval_s: gw.intervalS,
        events: [],
      });
    },
  };
  return gw;
}

/** An agent on a node whose clock is a year behind the gateway's. */
function world(collectors: () => Collector[] = () => []) {
  const clock = new FakeClock(GATEWAY_NOW - YEAR);
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    component: "halo-agent",
    write: (l) => lines.push(JSON.parse(l)),
    now: () => clock.now(),
  });
  const gateway = reportGateway(clock, YEAR);
  const client = new GatewayClient({
    baseUrl: "http://198.18.0.1:8080",
    token: "halo_agent_test",
    http: gateway.http,
  });
  const buffer = new RecordingBuffer();
  const clockSync = new MidpointClockSync(clock);
  const live = new LiveFeed();
  const host = hostCollector(
    simulatedHostFiles({ hostname: "mast-3", bootId: BOOT, bootedAt: clock.now() - 60_000, clock }),
    "dev",
  );
  const agent = new Agent({
    nodeId: NODE,
    collectors: [host, ...collectors()],
    buffer,
    clockSync,
    client: () => Promise.resolve(client),
    clock,
    log,
    version: "dev",
    live,
    collectorTimeoutMs: 2000,
  });
  return { agent, clock, gateway, buffer, clockSync, lines, live, client };
}

const load = (value: number): Collector => ({
  name: "system",
  collect: () => Promise.resolve({ readings: [{ metric: "cpu.load1", value }] }),
});
const never = (): Collector => ({ name: "gps", collect: () => new Promise(() => {}) });
const running = () => new AbortController().signal;

Deno.test("Agent.cycle() collects, stamps, buffers, reports and delivers", async (t) => {
  await t.step(
    "before the gateway answers, samples carry local time, marked unsynced",
    async () => {
      const w = world(() => [load(0.5)]);
      const result = await w.agent.cycle(running());
      assertEquals(w.buffer.adds, [{
        synced: false,
        samples: [
          { metric: "cpu.load1", value: 0.5, ts: GATEWAY_NOW - YEAR },
          {
            metric: "agent.collector.ok",
            value: 1,
            labels: { collector: "host" },
            ts: GATEWAY_NOW - YEAR,
          },
          {
            metric: "agent.collector.ok",
            value: 1,
            labels: { collector: "system" },
            ts: GATEWAY_NOW - YEAR,
          },
        ],
      }]);
      assertEquals(result.buffered, 3);
      assertEquals(result.report, { ok: true });
      assertEquals(w.gateway.reports.map((r) => [r.boot_id, r.uptime_s, r.hostname, r.versions]), [
        [BOOT, 60, "mast-3", { "halo-agent": "dev", kernel: "6.12.0-halo-sim" }],
      ]);
      // Delivered after the report, with the cycle's client.
      assertEquals(w.buffer.deliveries, [w.client]);
      assertEquals(result.delivery, { delivered: 3 });
    },
  );

  await t.step(
    "after the report's answer, samples are in gateway time, marked synced",
    async () => {
      const w = world(() => [load(0.5)]);
      await w.agent.cycle(running());
      await w.clock.tick(10_000);
      await w.agent.cycle(running());
      const second = w.buffer.adds[1]!;
      assertEquals(second.synced, true);
      assertEquals(second.samples.map((s) => s.ts), [
        GATEWAY_NOW + 10_000,
        GATEWAY_NOW + 10_000,
        GATEWAY_NOW + 10_000,
      ]);
    },
  );

  await t.step("readings go to the live feed as each collector finishes", async () => {
    const w = world(() => [load(0.75)]);
    const stop = new AbortController();
    const events = w.live.listen(stop.signal);
    const first = events.next();
    await w.agent.cycle(running());
    const seen = [await first, await events.next(), await events.next()].map((r) =>
      r.value as LiveReadings
    );
    stop.abort();
    // The collectors' in the order they finished, then the health samples of the round.
    assertEquals(seen.slice(0, 2).map((e) => [e.collector, e.samples.length]).sort(), [
      ["host", 0],
      ["system", 1],
    ]);
    const health = seen[2]!;
    assertEquals(health.samples.map((s) => s.labels?.collector), ["host", "system"]);
    assertEquals(health.collector, "agent");
  });
});

Deno.test("Agent.cycle() when things fail", async (t) => {
  await t.step(
    "a failing report is logged once, shown in the status, and samples stay",
    async () => {
      const w = world(() => [load(0.5)]);
      w.gateway.failWith = 503;
      const first = await w.agent.cycle(running());
      await w.agent.cycle(running());
      assertEquals(first.report?.ok, false);
      assertEquals(w.buffer.samples().length, 6);
      assertEquals(w.lines.filter((l) => l.msg === "report failed").length, 1);
      const status = agentStatusSchema.parse(w.agent.status());
      assertEquals(status.last_report?.ok, false);
      assert(status.last_report?.error?.includes("503"), status.last_report?.error ?? "");
      w.gateway.failWith = null;
      await w.agent.cycle(running());
      assertEquals(w.lines.filter((l) => l.msg === "reporting again").length, 1);
    },
  );

  await t.step("a refused agent token says to re-enroll", async () => {
    const w = world();
    w.gateway.failWith = 401;
    const result = await w.agent.cycle(running());
    assert(result.report?.error?.includes("re-enroll it with a replacement token"));
  });

  await t.step(
    "without boot_id and uptime_s no report is sent, and the status says why",
    async () => {
      const w = world();
      const agent = new Agent({
        nodeId: NODE,
        collectors: [load(1)],
        buffer: w.buffer,
        clockSync: w.clockSync,
        client: () => Promise.resolve(w.client),
        clock: w.clock,
        log: createLogger({ component: "t", write: () => {} }),
        version: "dev",
      });
      const result = await agent.cycle(running());
      assertEquals(result.report, {
        ok: false,
        error: "no collector gave the report's boot_id and uptime_s (see the host collector)",
      });
      assertEquals(w.gateway.reports.length, 0);
      assertEquals(w.buffer.samples().length, 2);
    },
  );

  await t.step("no gateway address is a failed report, not a crash", async () => {
    const w = world();
    const agent = new Agent({
      nodeId: NODE,
      collectors: [],
      buffer: w.buffer,
      clockSync: w.clockSync,
      client: () => Promise.reject(new TypeError("No gateway URL: set HALO_GATEWAY_URL")),
      clock: w.clock,
      log: createLogger({ component: "t", write: () => {} }),
      version: "dev",
    });
    const result = await agent.cycle(running());
    assertEquals(result.report, { ok: false, error: "No gateway URL: set HALO_GATEWAY_URL" });
  });
});

Deno.test("Agent.run() follows the gateway's interval", async () => {
  const w = world();
  w.gateway.intervalS = 30;
  const stop = new AbortController();
  const done = w.agent.run(stop.signal);
  await w.clock.tick(0);
  assertEquals(w.gateway.reports.length, 1);
  assertEquals(w.agent.reportIntervalS, 30);
  await w.clock.tick(10_000);
  assertEquals(w.gateway.reports.length, 1);
  await w.clock.tick(20_000);
  assertEquals(w.gateway.reports.length, 2);
  stop.abort();
  await done;
});

Deno.test("Agent.run() stopped mid-collection buffers what was collected before it returns", async () => {
  const w = world(() => [load(0.25), never()]);
  let slowDisk: () => void = () => {};
  w.buffer.addGate = new Promise((resolve) => slowDisk = resolve);
  const stop = new AbortController();
  let returned = false;
  const done = w.agent.run(stop.signal).then(() => returned = true);
  await w.clock.tick(0);
  // SIGTERM while the gps collector still hangs.
  stop.abort();
  await w.clock.tick(0);
  assertEquals(returned, false);
  slowDisk();
  await done;
  assertEquals(w.buffer.samples().map((s) => [s.metric, s.labels?.collector ?? null]), [
    ["cpu.load1", null],
    ["agent.collector.ok", "host"],
    ["agent.collector.ok", "system"],
  ]);
  // Stopped before reporting: nothing was sent.
  assertEquals(w.gateway.reports.length, 0);
  assertEquals(w.buffer.deliveries.length, 0);
});

Deno.test("Agent.status() tells the socket what the agent knows", async () => {
  const w = world(() => [never()]);
  const cycle = w.agent.cycle(running());
  await w.clock.tick(0);
  await w.clock.tick(2000);
  await cycle;
  const status = agentStatusSchema.parse(w.agent.status());
  assertEquals(status, {
    version: "dev",
    node_id: NODE,
    started_at: new Date(GATEWAY_NOW - YEAR).toISOString(),
    report_interval_s: 10,
    last_report: { at: new Date(GATEWAY_NOW + 2000).toISOString(), ok: true, error: null },
    buffer: { samples: 0, batches: 0, bytes: 0, dropped: 0 },
    clock: { offset_ms: YEAR, synced: true },
    collectors: [
      { collector: "host", ok: true, error: null, readings: 0, duration_ms: 0 },
      {
        collector: "gps",
        ok: false,
        error: "did not finish within 2000 ms",
        readings: 0,
        duration_ms: 2000,
      },
    ],
  });
});
