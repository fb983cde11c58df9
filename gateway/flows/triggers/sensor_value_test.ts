import { DatabaseSync } from "node:sqlite";
import fc from "fast-check";
import { sensorValueTriggerSchema } from "../../../lib/schemas/flows.ts";
import { assert, assertEquals, assertThrows } from "../../../lib/testing/assert.ts";
import { FakeClock } from "../../../lib/testing/fake_clock.ts";
import { openTestDatabase } from "./_test_database.ts";
import {
  type Clearing,
  type Firing,
  type SensorSample,
  type SensorValueResult,
  type SensorValueTrigger,
  SensorValueTriggers,
} from "./sensor_value.ts";

const NODE_A = "n-00000000000a";
const NODE_B = "n-00000000000b";
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const S = 1000;

function trigger(
  config: Record<string, unknown>,
  flowId = 1,
  version = 1,
  stepId = "t",
): SensorValueTrigger {
  return { flowId, version, stepId, config: sensorValueTriggerSchema.parse(config) };
}

const hot = (extra: Record<string, unknown> = {}) =>
  trigger({ metric: "soc.temp", operator: ">", value: 45, ...extra });

/** Feeds one sample per value, one second apart from `start`, one evaluate call each. */
function feed(
  triggers: SensorValueTriggers,
  values: number[],
  options: { node?: string; start?: number; metric?: string; labels?: Record<string, string> } = {},
): SensorValueResult[] {
  const start = options.start ?? T0;
  return values.map((value, i) =>
    triggers.evaluate(options.node ?? NODE_A, [{
      metric: options.metric ?? "soc.temp",
      ...(options.labels ? { labels: options.labels } : {}),
      ts: start + i * S,
      value,
    }], start + i * S)
  );
}

/** Per evaluate call: "fire", "clear", both, or "-" when nothing happened. */
const story = (results: SensorValueResult[]) =>
  results.map((r) =>
    [...r.fired.map(() => "fire"), ...r.cleared.map(() => "clear")].join("+") || "-"
  );

Deno.test("sensor_value fires once when the metric crosses and again only after it re-arms", async () => {
  await using t = await openTestDatabase();
  const triggers = new SensorValueTriggers(t.db);
  triggers.load([hot()]);

  const results = feed(triggers, [40, 46, 47, 50, 44, 46]);
  assertEquals(story(results), ["-", "fire", "-", "-", "clear", "fire"]);
  assertEquals(results[1]!.fired, [{
    flowId: 1,
    version: 1,
    stepId: "t",
    nodeId: NODE_A,
    metric: "soc.temp",
    labels: {},
    value: 46,
    threshold: 45,
    operator: ">",
    ts: T0 + 1 * S,
    key: `${NODE_A}|soc.temp|{}`,
  }]);
  assertEquals(results[4]!.cleared, [{
    flowId: 1,
    version: 1,
    stepId: "t",
    nodeId: NODE_A,
    metric: "soc.temp",
    labels: {},
    value: 44,
    threshold: 45,
    operator: ">",
    ts: T0 + 4 * S,
    key: `${NODE_A}|soc.temp|{}`,
    firedTs: T0 + 1 * S,
    remaining: 0,
  }]);
  assertEquals(t.stateRows().map((r) => [r.flow_id, r.step_id, r.key, r.state.crossed]), [
    [1, "t", `${NODE_A}|soc.temp|{}`, true],
  ]);
});

Deno.test("sensor_value supports every operator, crossing from not matching to matching", async (t) => {
  await using db = await openTestDatabase();
  const cases: [string, number, number[], string[]][] = [
    [">", 45, [45, 45.1, 44], ["-", "fire", "clear"]],
    [">=", 45, [44.9, 45, 44.9], ["-", "fire", "clear"]],
    ["<", 10, [10, 9.9, 10], ["-", "fire", "clear"]],
    ["<=", 10, [10.1, 10, 10.1], ["-", "fire", "clear"]],
    ["==", 1, [0, 1, 1, 0], ["-", "fire", "-", "clear"]],
    ["!=", 1, [1, 2, 3, 1], ["-", "fire", "-", "clear"]],
  ];
  for (const [operator, value, values, expected] of cases) {
    await t.step(`${operator} ${value}`, () => {
      const triggers = new SensorValueTriggers(db.db);
      triggers.load([
        trigger(
          { metric: "m", operator, value },
          1,
          1,
          `op${cases.findIndex((c) => c[0] === operator)}`,
        ),
      ]);
      assertEquals(story(feed(triggers, values, { metric: "m" })), expected);
    });
  }
});

Deno.test("sensor_value with hysteresis re-arms only beyond the value minus (or plus) the hysteresis", async (t) => {
  await using db = await openTestDatabase();
  await t.step("> 45 with hysteresis 3: dipping to 44 does not re-arm, 42 does", () => {
    const triggers = new SensorValueTriggers(db.db);
    triggers.load([hot({ hysteresis: 3 })]);
    assertEquals(
      story(feed(triggers, [46, 44, 46, 43, 42, 46])),
      ["fire", "-", "-", "-", "clear", "fire"],
    );
  });
  await t.step("< 10 with hysteresis 2: re-arms at 12 and above", () => {
    const triggers = new SensorValueTriggers(db.db);
    triggers.load([trigger({ metric: "battery", operator: "<", value: 10, hysteresis: 2 }, 2)]);
    assertEquals(
      story(feed(triggers, [9, 11, 9.5, 12, 9], { metric: "battery" })),
      ["fire", "-", "-", "clear", "fire"],
    );
  });
  await t.step("== 0 with hysteresis 0.5: re-arms when further than 0.5 away", () => {
    const triggers = new SensorValueTriggers(db.db);
    triggers.load([trigger({ metric: "fan", operator: "==", value: 0, hysteresis: 0.5 }, 3)]);
    assertEquals(
      story(feed(triggers, [0, 0.4, 0, 0.6, 0], { metric: "fan" })),
      ["fire", "-", "-", "clear", "fire"],
    );
  });
});

Deno.test("sensor_value with for_s fires once the condition has held long enough", async (t) => {
  await using db = await openTestDatabase();

  await t.step("on the sample that completes the time, across samples", () => {
    const triggers = new SensorValueTriggers(db.db);
    triggers.load([hot({ for_s: 60 })]);
    const at = (s: number, value: number) =>
      triggers.evaluate(NODE_A, [{ metric: "soc.temp", ts: T0 + s * S, value }], T0 + s * S);
    assertEquals(story([at(0, 50), at(30, 51), at(59, 52)]), ["-", "-", "-"]);
    const fired = at(60, 53);
    assertEquals(fired.fired.map((f) => [f.value, f.ts]), [[53, T0 + 60 * S]]);
    assertEquals(story([at(90, 54), at(120, 40), at(150, 50)]), ["-", "clear", "-"]);
  });

  await t.step("a sample below the value starts the run over", () => {
    const triggers = new SensorValueTriggers(db.db);
    triggers.load([hot({ for_s: 60 })]);
    const at = (s: number, value: number) =>
      triggers.evaluate(NODE_B, [{ metric: "soc.temp", ts: T0 + s * S, value }], T0 + s * S);
    assertEquals(story([at(0, 50), at(30, 40), at(60, 50), at(90, 50)]), ["-", "-", "-", "-"]);
    assertEquals(story([at(120, 50)]), ["fire"]);
  });

  await t.step("tick() fires a pending run whose time has come without a new sample", async () => {
    const clock = new FakeClock(T0);
    const triggers = new SensorValueTriggers(db.db);
    triggers.load([trigger({ metric: "load", operator: ">=", value: 4, for_s: 60 }, 2)]);
    triggers.evaluate(NODE_A, [{ metric: "load", ts: clock.now(), value: 5 }], clock.now());
    await clock.tick(30 * S);
    assertEquals(triggers.tick(clock.now()), []);
    await clock.tick(30 * S);
    const fired = triggers.tick(clock.now());
    assertEquals(fired.map((f) => [f.flowId, f.nodeId, f.value, f.ts]), [
      [2, NODE_A, 5, T0 + 60 * S],
    ]);
    await clock.tick(30 * S);
    assertEquals(triggers.tick(clock.now()), [], "a tick fires a run once");
    const later = triggers.evaluate(
      NODE_A,
      [{ metric: "load", ts: clock.now(), value: 6 }],
      clock.now(),
    );
    assertEquals(story([later]), ["-"], "still above after the tick fired: no second firing");
  });
});

Deno.test("sensor_value writes state changes only, one row per trigger and series", async () => {
  await using t = await openTestDatabase();
  const triggers = new SensorValueTriggers(t.db);
  triggers.load([hot()]);
  const before = t.changes();
  feed(triggers, [40, 41, 42, 43]);
  assertEquals(t.changes() - before, 0, "not matching and never crossed: nothing to store");
  feed(triggers, [46], { start: T0 + 10 * S });
  assertEquals(t.changes() - before, 1, "the crossing is one row written");
  feed(triggers, [47, 48, 49, 50, 51], { start: T0 + 11 * S });
  assertEquals(t.changes() - before, 1, "staying above writes nothing");
  feed(triggers, [40], { start: T0 + 20 * S });
  assertEquals(t.changes() - before, 2, "re-arming is one more write");
  assertEquals(t.stateRows().length, 1);

  const batch: SensorSample[] = ["a", "b", "c"].map((zone, i) => ({
    metric: "soc.temp",
    labels: { zone },
    ts: T0 + 30 * S + i,
    value: 50,
  }));
  const result = triggers.evaluate(NODE_A, batch, T0 + 31 * S);
  assertEquals(result.fired.length, 3);
  const rows = t.stateRows().filter((r) => r.key.includes("zone"));
  assertEquals(rows.length, 3);
  assertEquals(
    (t.db.prepare("SELECT DISTINCT updated_at FROM flow_trigger_state WHERE key LIKE '%zone%'")
      .all() as { updated_at: number }[]).map((r) => r.updated_at),
    [T0 + 31 * S],
    "one batch, one write of all its changes",
  );
});

Deno.test("sensor_value changes nothing when its state cannot be stored: the crossing fires on the next sample", async () => {
  await using t = await openTestDatabase();
  const triggers = new SensorValueTriggers(t.db);
  triggers.load([hot()]);
  t.db.exec("PRAGMA busy_timeout = 0");
  const path = (t.db.prepare("PRAGMA database_list").get() as { file: string }).file;
  const other = new DatabaseSync(path);
  other.exec("BEGIN IMMEDIATE"); // another writer holds the lock
  try {
    assertThrows(() => feed(triggers, [50]), Error, "locked");
  } finally {
    other.exec("ROLLBACK");
    other.close();
  }
  assertEquals(story(feed(triggers, [51], { start: T0 + S })), ["fire"]);
  assertEquals(t.stateRows().length, 1);
});

Deno.test("sensor_value after a restart neither fires again nor misses a crossing", async (t) => {
  await using db = await openTestDatabase();
  const restarted = async () => {
    const triggers = new SensorValueTriggers(await db.restart());
    triggers.load([hot()]);
    return triggers;
  };

  await t.step(
    "crossed before the restart and still above: no second firing; dropping clears",
    async () => {
      const before = new SensorValueTriggers(db.db);
      before.load([hot()]);
      assertEquals(story(feed(before, [40, 50])), ["-", "fire"]);
      const after = await restarted();
      assertEquals(story(feed(after, [51, 52, 40], { start: T0 + 10 * S })), ["-", "-", "clear"]);
    },
  );

  await t.step(
    "armed before the restart: the first sample after it compares with the stored state and fires",
    async () => {
      const before = await restarted();
      assertEquals(story(feed(before, [41], { start: T0 + 20 * S })), ["-"]);
      const after = await restarted();
      assertEquals(story(feed(after, [50], { start: T0 + 30 * S })), ["fire"]);
    },
  );

  await t.step(
    "samples of the downtime, sent late by the agent, clear and fire in order",
    async () => {
      const after = await restarted();
      const backlog = [40, 50].map((value, i) => ({
        metric: "soc.temp",
        ts: T0 + 40 * S + i * S,
        value,
      }));
      const result = after.evaluate(NODE_A, backlog, T0 + 100 * S);
      assertEquals([result.cleared.length, result.fired.length], [1, 1]);
      assertEquals(result.fired[0]!.ts, T0 + 41 * S);
    },
  );

  await t.step("a pending for_s run survives the restart and tick() fires it", async () => {
    const slow = trigger({ metric: "load", operator: ">", value: 4, for_s: 60 }, 2);
    const before = new SensorValueTriggers(db.db);
    before.load([slow]);
    before.evaluate(NODE_A, [{ metric: "load", ts: T0, value: 5 }], T0);
    const after = new SensorValueTriggers(await db.restart());
    after.load([slow]);
    assertEquals(after.tick(T0 + 59 * S), []);
    assertEquals(after.tick(T0 + 60 * S).map((f) => [f.flowId, f.metric, f.value]), [
      [2, "load", 5],
    ]);
  });
});

Deno.test("sensor_value keeps state across flow versions unless the condition changed", async () => {
  await using t = await openTestDatabase();
  const triggers = new SensorValueTriggers(t.db);
  triggers.load([hot()]);
  assertEquals(story(feed(triggers, [50])), ["fire"]);

  const renamed = trigger({ metric: "soc.temp", operator: ">", value: 45 }, 1, 2);
  triggers.load([renamed]);
  const same = feed(triggers, [51], { start: T0 + S });
  assertEquals(story(same), ["-"], "a new version with the same condition does not fire again");

  const fresh = new SensorValueTriggers(await t.restart());
  fresh.load([renamed]);
  assertEquals(story(feed(fresh, [52], { start: T0 + 2 * S })), ["-"]);

  fresh.load([trigger({ metric: "soc.temp", operator: ">", value: 48 }, 1, 3)]);
  const edited = feed(fresh, [52], { start: T0 + 3 * S });
  assertEquals(story(edited), ["fire"], "a new threshold is a new condition: armed");
  assertEquals(edited[0]!.fired[0]!.version, 3);
});

Deno.test("sensor_value ignores samples older than the newest one seen for the series", async () => {
  await using t = await openTestDatabase();
  const triggers = new SensorValueTriggers(t.db);
  triggers.load([hot()]);
  const at = (ts: number, value: number) =>
    triggers.evaluate(NODE_A, [{ metric: "soc.temp", ts, value }], T0 + 100 * S);
  assertEquals(story([at(T0 + 10 * S, 50)]), ["fire"]);
  assertEquals(story([at(T0 + 5 * S, 40)]), ["-"], "an older sample cannot clear");
  assertEquals(story([at(T0 + 10 * S, 40)]), ["-"], "nor one with the same timestamp");
  assertEquals(story([at(T0 + 11 * S, 40)]), ["clear"]);
  assertEquals(story([at(T0 + 8 * S, 50)]), ["-"], "an older sample cannot fire");

  const batch = triggers.evaluate(NODE_A, [
    { metric: "soc.temp", ts: T0 + 20 * S, value: 50 },
    { metric: "soc.temp", ts: T0 + 15 * S, value: 40 },
  ], T0 + 100 * S);
  assertEquals([batch.fired.length, batch.cleared.length], [1, 0], "within one batch too");
});

Deno.test("sensor_value honours label filters and node scope, keeping each series apart", async (t) => {
  await using db = await openTestDatabase();
  const triggers = new SensorValueTriggers(db.db);
  const sdaOnA = trigger(
    { metric: "disk.used", operator: ">", value: 90, labels: { disk: "sda" }, nodes: [NODE_A] },
    1,
  );
  const anyDisk = trigger({ metric: "disk.used", operator: ">", value: 90 }, 2);
  triggers.load([sdaOnA, anyDisk]);
  const disk = (
    node: string,
    labels: Record<string, string> | undefined,
    value: number,
    s: number,
  ) =>
    triggers.evaluate(
      node,
      [{ metric: "disk.used", ...(labels ? { labels } : {}), ts: T0 + s * S, value }],
      T0 + s * S,
    );
  const flows = (r: SensorValueResult, kind: "fired" | "cleared") =>
    r[kind].map((f) => `${f.flowId}:${f.nodeId === NODE_A ? "A" : "B"}:${f.labels.disk ?? "-"}`)
      .sort();

  await t.step(
    "the label filter matches series that carry the label, whatever else they carry",
    () => {
      assertEquals(flows(disk(NODE_A, { disk: "sda", mount: "/" }, 95, 1), "fired"), [
        "1:A:sda",
        "2:A:sda",
      ]);
      assertEquals(flows(disk(NODE_A, { disk: "sdb" }, 95, 2), "fired"), ["2:A:sdb"]);
      assertEquals(flows(disk(NODE_A, undefined, 95, 3), "fired"), ["2:A:-"]);
    },
  );

  await t.step("node scope: a list of nodes watches only those; all watches every node", () => {
    assertEquals(flows(disk(NODE_B, { disk: "sda", mount: "/" }, 95, 4), "fired"), ["2:B:sda"]);
  });

  await t.step("a clearing says how many series of the node are still crossed", () => {
    const sda = disk(NODE_A, { disk: "sda", mount: "/" }, 50, 5);
    assertEquals(sda.cleared.map((c) => [c.flowId, c.remaining]).sort(), [[1, 0], [2, 2]]);
    disk(NODE_A, { disk: "sdb" }, 50, 6);
    const last = disk(NODE_A, undefined, 50, 7);
    assertEquals(last.cleared.map((c) => [c.flowId, c.remaining]), [[2, 0]]);
  });

  await t.step("metrics no trigger watches pass through untouched", () => {
    const result = triggers.evaluate(
      NODE_A,
      [{ metric: "soc.temp", ts: T0 + 8 * S, value: 1e9 }],
      T0,
    );
    assertEquals(result, { fired: [], cleared: [] });
  });
});

Deno.test("sensor_value forget() deletes a flow's state and unloads its triggers", async () => {
  await using t = await openTestDatabase();
  const triggers = new SensorValueTriggers(t.db);
  const other = trigger({ metric: "soc.temp", operator: ">", value: 45 }, 2);
  triggers.load([hot(), other]);
  assertEquals(story(feed(triggers, [50])), ["fire+fire"]);
  assertEquals(t.stateRows().map((r) => r.flow_id), [1, 2]);

  triggers.forget(1);
  assertEquals(t.stateRows().map((r) => r.flow_id), [2]);
  assertEquals(triggers.size, 1);
  const result = feed(triggers, [40, 50], { start: T0 + S });
  assertEquals(result.map((r) => r.fired.map((f) => f.flowId)), [[], [2]]);

  triggers.load([hot(), other]);
  const again = feed(triggers, [51], { start: T0 + 3 * S });
  assertEquals(again[0]!.fired.map((f) => f.flowId), [1], "re-enabled, flow 1 starts armed");
});

Deno.test("sensor_value skips the state of a flow deleted while it was loaded", async () => {
  await using t = await openTestDatabase();
  const triggers = new SensorValueTriggers(t.db);
  triggers.load([hot()]);
  t.db.prepare("DELETE FROM flows WHERE id = 1").run();
  const result = feed(triggers, [50]);
  assert(result[0]!.fired.length === 1, "the caller finds the flow gone when it starts it");
  assertEquals(t.stateRows(), []);
});

/** The double `ulps` steps (-1, 0 or 1) away from `x`. */
function besideBy(x: number, ulps: number): number {
  if (ulps === 0) return x;
  if (x === 0) return ulps * Number.MIN_VALUE;
  const f = new Float64Array([x]);
  const i = new BigInt64Array(f.buffer);
  i[0]! += (x > 0) === (ulps > 0) ? 1n : -1n;
  return f[0]!;
}

Deno.test("evaluate() by series id decides exactly as by metric, node and labels", async () => {
  // Values cluster on the thresholds and their hysteresis bounds, so the quiet
  // path's edges are hit exactly; timestamps repeat and go backwards; ticks
  // and reloads (same triggers, or one condition edited) come in between.
  const operators = [">", ">=", "<", "<=", "==", "!="] as const;
  const triggerArb = fc.record({
    metric: fc.constantFrom("soc.temp", "link.signal"),
    // Mostly the operators whose quiet path is a range, so that path is taken often.
    operator: fc.constantFrom(...operators, ">", ">=", "<", "<="),
    value: fc.integer({ min: 0, max: 4 }),
    hysteresis: fc.constantFrom(0, 0, 1, 0.5),
    for_s: fc.constantFrom(0, 0, 0, 2),
    scope: fc.constantFrom("all", "a", "peer-x"),
  });
  const sampleArb = fc.record({
    metric: fc.constantFrom("soc.temp", "link.signal"),
    peer: fc.constantFrom("x", "y"),
    dt: fc.integer({ min: -2, max: 3 }),
    // On a threshold or hysteresis bound, or the double just beside it.
    value: fc.tuple(
      fc.integer({ min: -4, max: 12 }).map((n) => n / 2),
      fc.constantFrom(-1, 0, 0, 1),
    ).map(([x, ulps]) => besideBy(x, ulps)),
  });
  const opArb = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant("evaluate" as const),
        node: fc.constantFrom(NODE_A, NODE_B),
        samples: fc.array(sampleArb, { minLength: 1, maxLength: 6 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("tick" as const) }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("reload" as const), edit: fc.boolean() }),
    },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(triggerArb, { minLength: 1, maxLength: 4 }),
      fc.array(opArb, { minLength: 1, maxLength: 60 }),
      async (specs, ops) => {
        await using a = await openTestDatabase(specs.length);
        await using b = await openTestDatabase(specs.length);
        const loadedWith = (edit: boolean) =>
          specs.map((spec, i) =>
            trigger({
              metric: spec.metric,
              operator: spec.operator,
              value: edit && i === 0 ? spec.value + 1 : spec.value,
              hysteresis: spec.hysteresis,
              for_s: spec.for_s,
              ...(spec.scope === "a" ? { nodes: [NODE_A] } : {}),
              ...(spec.scope === "peer-x" ? { labels: { peer: "x" } } : {}),
            }, i + 1)
          );
        const byName = new SensorValueTriggers(a.db);
        const byId = new SensorValueTriggers(b.db);
        byName.load(loadedWith(false));
        byId.load(loadedWith(false));
        // The same series always gets the same id, as the telemetry registry gives them.
        const ids = new Map<string, number>();
        const idOf = (node: string, s: SensorSample) => {
          const key = `${node}|${s.metric}|${JSON.stringify(s.labels ?? {})}`;
          return ids.get(key) ?? ids.set(key, ids.size + 1).get(key)!;
        };
        let clock = T0;
        const stories: string[][] = [[], []];
        const tell = (i: number, fired: Firing[], cleared: Clearing[] = []) =>
          stories[i]!.push(
            [
              ...fired.map((f) => `fire ${f.flowId} ${f.key} ${f.value} ${f.ts}`),
              ...cleared.map((c) => `clear ${c.flowId} ${c.key} ${c.value} ${c.remaining}`),
            ].join("+"),
          );
        for (const op of ops) {
          clock += S;
          if (op.kind === "tick") {
            tell(0, byName.tick(clock));
            tell(1, byId.tick(clock));
          } else if (op.kind === "reload") {
            byName.load(loadedWith(op.edit));
            byId.load(loadedWith(op.edit));
          } else {
            const samples: SensorSample[] = op.samples.map((s) => ({
              metric: s.metric,
              ...(s.metric === "link.signal" ? { labels: { peer: s.peer } } : {}),
              ts: clock + s.dt * S,
              value: s.value,
            }));
            const r0 = byName.evaluate(op.node, samples, clock);
            const r1 = byId.evaluate(op.node, samples, clock, samples.map((s) => idOf(op.node, s)));
            tell(0, r0.fired, r0.cleared);
            tell(1, r1.fired, r1.cleared);
          }
        }
        assertEquals(stories[1], stories[0]);
        assertEquals(b.stateRows(), a.stateRows());
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("evaluate() by series id agrees on every threshold and hysteresis bound, to the last bit", async () => {
  // After a few samples that change nothing (the by-id path then takes its
  // quiet path), a probe on a bound or the double beside it must decide as
  // the by-name path does, for armed and for crossed states.
  const operators = [">", ">=", "<", "<=", "==", "!="] as const;
  const cases = 6 * 2 * 3 * 2 * 3 * 3;
  // One flow per case, on one pair of databases.
  await using a = await openTestDatabase(cases);
  await using b = await openTestDatabase(cases);
  let flowId = 0;
  for (const operator of operators) {
    for (const hysteresis of [0, 0.5]) {
      for (const value of [0, 2, -1.5]) {
        const far = { ">": -100, ">=": -100, "<": 100, "<=": 100, "==": 100, "!=": 0 }[operator];
        // A value that matches, and one that stays crossed without matching anew.
        const hit = { ">": 100, ">=": 100, "<": -100, "<=": -100, "==": 0, "!=": 100 }[operator];
        for (const crossed of [false, true]) {
          for (const bound of [value, value - hysteresis, value + hysteresis]) {
            for (const ulps of [-1, 0, 1]) {
              const loaded = [trigger({ metric: "m", operator, value, hysteresis }, ++flowId)];
              const byName = new SensorValueTriggers(a.db);
              const byId = new SensorValueTriggers(b.db);
              byName.load(loaded);
              byId.load(loaded);
              const quiet = crossed ? value + hit : value + far;
              const values = [...(crossed ? [value + hit] : []), quiet, quiet, quiet];
              values.push(besideBy(bound, ulps));
              const stories = [byName, byId].map((t, i) =>
                values.map((v, k) => {
                  const samples = [{ metric: "m", ts: T0 + k * S, value: v }];
                  const r = i === 0
                    ? t.evaluate(NODE_A, samples, T0 + k * S)
                    : t.evaluate(NODE_A, samples, T0 + k * S, [1]);
                  return `${r.fired.length} ${r.cleared.length}`;
                })
              );
              assertEquals(
                stories[1],
                stories[0],
                `${operator} ${value} h ${hysteresis}, ${values}`,
              );
            }
          }
        }
      }
    }
  }
  assertEquals(flowId, cases);
});
