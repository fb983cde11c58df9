import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import { createLogger } from "../../lib/log.ts";
import {
  type Collection,
  type Collector,
  type CollectorHealth,
  mergeReportParts,
  runCollectors,
} from "./collector.ts";

const BOOT = "0b7d7f5e-2c55-4a36-9a0e-5d1f0e6b1c11";

function world() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ component: "test", write: (l) => lines.push(JSON.parse(l)) });
  return { clock: new FakeClock(), log, lines, signal: new AbortController().signal };
}

const steady = (name: string, collection: Collection): Collector => ({
  name,
  collect: () => Promise.resolve(collection),
});
const throwing = (name: string, message: string): Collector => ({
  name,
  collect: () => Promise.reject(new Error(message)),
});
/** Never settles and ignores its signal; records the signal it was given. */
function hanging(name: string): Collector & { signal?: AbortSignal } {
  const collector: Collector & { signal?: AbortSignal } = {
    name,
    collect(signal) {
      collector.signal = signal;
      return new Promise(() => {});
    },
  };
  return collector;
}

const cpu = steady("system", {
  readings: [{ metric: "cpu.load1", value: 0.5 }],
  report: { boot_id: BOOT, uptime_s: 12 },
});

const ok = (metric: string, collector: string, value: number) => ({
  metric,
  value,
  labels: { collector },
});

Deno.test("runCollectors() isolates each collector", async (t) => {
  await t.step(
    "a throwing collector is counted and logged; the others' readings stay",
    async () => {
      const w = world();
      const result = await runCollectors([throwing("gps", "gpsd refused"), cpu], w);
      assertEquals(result.readings, [
        { metric: "cpu.load1", value: 0.5 },
        ok("agent.collector.ok", "gps", 0),
        ok("agent.collector.ok", "system", 1),
      ]);
      assertEquals(result.report, { boot_id: BOOT, uptime_s: 12 });
      assertEquals(result.health.map((h) => [h.collector, h.ok, h.error]), [
        ["gps", false, "gpsd refused"],
        ["system", true, undefined],
      ]);
      assertEquals(
        w.lines.map((l) => [l.level, l.msg, l.collector, l.error]),
        [["warn", "collector failed", "gps", "gpsd refused"]],
      );
    },
  );

  await t.step("the same failure is logged once, and the recovery once", async () => {
    const w = world();
    const previous = new Map<string, CollectorHealth>([[
      "gps",
      { collector: "gps", ok: false, error: "gpsd refused", readings: 0, durationMs: 1 },
    ]]);
    await runCollectors([throwing("gps", "gpsd refused")], { ...w, previous });
    assertEquals(w.lines.length, 0);
    await runCollectors([steady("gps", { readings: [] })], { ...w, previous });
    assertEquals(w.lines.map((l) => l.msg), ["collector works again"]);
  });

  await t.step("a hanging collector times out, is aborted and counted", async () => {
    const w = world();
    const stuck = hanging("power");
    const round = runCollectors([stuck, cpu], { ...w, timeoutMs: 3000 });
    await w.clock.tick(2999);
    assertEquals(stuck.signal?.aborted, false);
    await w.clock.tick(1);
    const result = await round;
    assertEquals(stuck.signal?.aborted, true);
    assertEquals(result.health[0]!.error, "did not finish within 3000 ms");
    assertEquals(result.readings.map((r) => [r.metric, r.labels?.collector, r.value]), [
      ["cpu.load1", undefined, 0.5],
      ["agent.collector.ok", "power", 0],
      ["agent.collector.ok", "system", 1],
    ]);
  });

  await t.step(
    "values the gateway would refuse are dropped and make the collector unhealthy",
    async () => {
      const w = world();
      const sloppy = steady("power", {
        readings: [
          { metric: "power.voltage", value: 5.1, unit: "V" },
          { metric: "power.current", value: Number.NaN, unit: "A" },
          { metric: "Power Draw", value: 3 },
        ],
        report: { boot_id: "not-a-uuid" },
      });
      const result = await runCollectors([sloppy], w);
      assertEquals(result.readings, [
        { metric: "power.voltage", value: 5.1, unit: "V" },
        ok("agent.collector.ok", "power", 0),
      ]);
      assertEquals(result.report, {});
      const error = result.health[0]!.error!;
      assert(error.includes("reading power.current: value:"), error);
      assert(error.includes("reading Power Draw: metric:"), error);
      assert(error.includes("report part dropped: boot_id:"), error);
    },
  );

  await t.step("each collector's readings are handed on as it finishes", async () => {
    const w = world();
    const seen: [string, number][] = [];
    const stuck = hanging("mesh");
    const round = runCollectors([stuck, cpu], {
      ...w,
      timeoutMs: 1000,
      onCollected: (name, readings) => seen.push([name, readings.length]),
    });
    await w.clock.tick(0);
    assertEquals(seen, [["system", 1]]);
    await w.clock.tick(1000);
    await round;
    assertEquals(seen, [["system", 1]]);
  });
});

Deno.test("runCollectors() stops with the agent without waiting for a stuck collector", async () => {
  const w = world();
  const stop = new AbortController();
  const stuck = hanging("gps");
  const round = runCollectors([stuck, cpu], { ...w, signal: stop.signal });
  await w.clock.tick(0);
  stop.abort();
  const result = await round;
  assertEquals(stuck.signal?.aborted, true);
  // What finished is kept; the stopped collector did not fail, so it has no health sample.
  assertEquals(result.readings, [
    { metric: "cpu.load1", value: 0.5 },
    ok("agent.collector.ok", "system", 1),
  ]);
  assertEquals(result.health[0]!.error, "stopped with the agent");
  assertEquals(w.lines.length, 0);
});

Deno.test("mergeReportParts() keeps the first of each scalar and one of each interface", () => {
  const eth = { name: "eth0", kind: "eth" as const, up: true };
  assertEquals(
    mergeReportParts([
      { hostname: "mast-3", versions: { agent: "dev" }, interfaces: [eth] },
      {
        hostname: "other",
        boot_id: BOOT,
        versions: { agent: "0.9", kernel: "6.12" },
        interfaces: [{ ...eth, up: false }, { name: "bat0", kind: "batman", up: true }],
        clients: [{ mac: "02:00:00:00:00:01", iface: "eth0" }],
      },
    ]),
    {
      hostname: "mast-3",
      boot_id: BOOT,
      versions: { agent: "dev", kernel: "6.12" },
      interfaces: [eth, { name: "bat0", kind: "batman", up: true }],
      clients: [{ mac: "02:00:00:00:00:01", iface: "eth0" }],
    },
  );
});

Deno.test("runCollectors() leaves no listener on the agent's long-lived signal", async () => {
  const w = world();
  const stop = new AbortController();
  let listeners = 0;
  const add = stop.signal.addEventListener.bind(stop.signal);
  const remove = stop.signal.removeEventListener.bind(stop.signal);
  stop.signal.addEventListener = (...args: Parameters<typeof add>) => (listeners++, add(...args));
  stop.signal.removeEventListener = (...args: Parameters<typeof remove>) => (
    listeners--, remove(...args)
  );
  for (let round = 0; round < 3; round++) {
    await runCollectors([cpu, throwing("gps", "no fix")], { ...w, signal: stop.signal });
  }
  assertEquals(listeners, 0);
});
