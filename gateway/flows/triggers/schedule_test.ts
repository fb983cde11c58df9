import { scheduleTriggerSchema } from "../../../lib/schemas/flows.ts";
import { assertEquals } from "../../../lib/testing/assert.ts";
import { FakeClock } from "../../../lib/testing/fake_clock.ts";
import { openTestDatabase } from "./_test_database.ts";
import { type ScheduleFiring, type ScheduleTrigger, ScheduleTriggers } from "./schedule.ts";

const S = 1000;
const MIN = 60 * S;
const at = (iso: string) => new Date(iso).getTime();

function schedule(
  config: Record<string, unknown>,
  flowId = 1,
  version = 1,
): ScheduleTrigger {
  return { flowId, version, stepId: "when", config: scheduleTriggerSchema.parse(config) };
}

const morningInBerlin = schedule({ cron: "0 9 * * *", timezone: "Europe/Berlin" });

/** The fired times, as ISO strings, with "+" when a firing stands for several. */
const times = (firings: ScheduleFiring[]) =>
  firings.map((f) => new Date(f.firedAt).toISOString() + (f.coalesced ? "+" : ""));

/** Moves the clock to `iso` and asks what is due. */
async function dueAt(schedules: ScheduleTriggers, clock: FakeClock, iso: string) {
  await clock.tick(at(iso) - clock.now());
  return times(schedules.due(clock.now()));
}

Deno.test("schedule fires once per scheduled time, in the config's time zone", async (t) => {
  await using db = await openTestDatabase();
  const clock = new FakeClock(at("2026-11-23T12:00:00Z"));
  const schedules = new ScheduleTriggers(db.db);
  schedules.load([morningInBerlin], clock.now());

  await t.step("09:00 in Berlin is 08:00 UTC in winter", async () => {
    assertEquals(await dueAt(schedules, clock, "2026-11-24T07:59:59Z"), []);
    assertEquals(await dueAt(schedules, clock, "2026-11-24T08:00:00Z"), [
      "2026-11-24T08:00:00.000Z",
    ]);
  });

  await t.step("the next ticks of the scheduler do not fire it again", async () => {
    assertEquals(await dueAt(schedules, clock, "2026-11-24T08:00:30Z"), []);
    assertEquals(await dueAt(schedules, clock, "2026-11-24T12:00:00Z"), []);
  });

  await t.step("a tick late after the time fires it, for the scheduled time", () => {
    const [firing] = schedules.due(at("2026-11-25T08:00:25Z"));
    assertEquals(firing, {
      flowId: 1,
      version: 1,
      stepId: "when",
      firedAt: at("2026-11-25T08:00:00Z"),
      coalesced: false,
    });
  });

  await t.step("the stored state is the last time fired for", () => {
    assertEquals(db.stateRows(), [{
      flow_id: 1,
      step_id: "when",
      key: "schedule",
      state: { cron: "0 9 * * *", timezone: "Europe/Berlin", last: at("2026-11-25T08:00:00Z") },
    }]);
  });
});

Deno.test("schedule follows daylight saving: 09:00 Berlin is 07:00 UTC after the spring change", async () => {
  await using db = await openTestDatabase();
  const clock = new FakeClock(at("2026-03-27T12:00:00Z"));
  const schedules = new ScheduleTriggers(db.db);
  const utc = schedule({ cron: "0 9 * * *" }, 2);
  schedules.load([morningInBerlin, utc], clock.now());
  const fired: string[] = [];
  for (let now = clock.now(); now <= at("2026-03-30T12:00:00Z"); now += 30 * S) {
    for (const f of schedules.due(now)) {
      fired.push(`${f.flowId} ${new Date(f.firedAt).toISOString()}`);
    }
  }
  assertEquals(fired, [
    "1 2026-03-28T08:00:00.000Z",
    "2 2026-03-28T09:00:00.000Z",
    "1 2026-03-29T07:00:00.000Z",
    "2 2026-03-29T09:00:00.000Z",
    "1 2026-03-30T07:00:00.000Z",
    "2 2026-03-30T09:00:00.000Z",
  ]);
});

Deno.test("schedule fires each scheduled time once across a restart", async () => {
  await using db = await openTestDatabase();
  const clock = new FakeClock(at("2026-11-23T12:00:00Z"));
  const every15 = schedule({ cron: "*/15 * * * *" });
  const before = new ScheduleTriggers(db.db);
  before.load([every15], clock.now());
  assertEquals(await dueAt(before, clock, "2026-11-23T12:15:00Z"), ["2026-11-23T12:15:00.000Z"]);

  // The gateway restarts within the same slot; the scheduler's first tick follows.
  const after = new ScheduleTriggers(await db.restart());
  after.load([every15], at("2026-11-23T12:15:20Z"));
  assertEquals(await dueAt(after, clock, "2026-11-23T12:15:30Z"), []);
  assertEquals(await dueAt(after, clock, "2026-11-23T12:30:00Z"), ["2026-11-23T12:30:00.000Z"]);
});

Deno.test("schedule fires runs missed while the gateway was down once, not in a burst", async () => {
  await using db = await openTestDatabase();
  const clock = new FakeClock(at("2026-11-23T12:00:00Z"));
  const every15 = schedule({ cron: "*/15 * * * *" });
  const before = new ScheduleTriggers(db.db);
  before.load([every15], clock.now());
  assertEquals(await dueAt(before, clock, "2026-11-23T12:15:00Z"), ["2026-11-23T12:15:00.000Z"]);

  // Down from 12:20 to 13:07: 12:30, 12:45 and 13:00 were missed.
  await clock.tick(at("2026-11-23T13:07:00Z") - clock.now());
  const after = new ScheduleTriggers(await db.restart());
  after.load([every15], clock.now());
  assertEquals(after.due(clock.now()).map((f) => [f.firedAt, f.coalesced]), [
    [at("2026-11-23T13:00:00Z"), true],
  ]);
  assertEquals(await dueAt(after, clock, "2026-11-23T13:07:30Z"), []);
  assertEquals(await dueAt(after, clock, "2026-11-23T13:15:00Z"), ["2026-11-23T13:15:00.000Z"]);
});

Deno.test("schedule counts a new trigger from when it is loaded, and keeps that baseline across a restart", async (t) => {
  await using db = await openTestDatabase();

  await t.step("a time between saving the flow and the next tick still fires", () => {
    const schedules = new ScheduleTriggers(db.db);
    schedules.load([schedule({ cron: "0 9 * * *" }, 1)], at("2026-11-24T08:59:50Z"));
    assertEquals(times(schedules.due(at("2026-11-24T09:00:20Z"))), ["2026-11-24T09:00:00.000Z"]);
  });

  await t.step("a time before saving the flow does not", () => {
    const schedules = new ScheduleTriggers(db.db);
    schedules.load([schedule({ cron: "0 9 * * *" }, 2)], at("2026-11-24T09:00:10Z"));
    assertEquals(schedules.due(at("2026-11-24T09:00:20Z")), []);
  });

  await t.step("a trigger that never fired still catches up after downtime", async () => {
    const before = new ScheduleTriggers(db.db);
    before.load([schedule({ cron: "0 9 * * *" }, 3)], at("2026-11-24T12:00:00Z"));
    const after = new ScheduleTriggers(await db.restart());
    after.load([schedule({ cron: "0 9 * * *" }, 3)], at("2026-11-25T10:00:00Z"));
    assertEquals(times(after.due(at("2026-11-25T10:00:00Z"))), ["2026-11-25T09:00:00.000Z"]);
  });
});

Deno.test("schedule edits: a new expression starts counting anew, a new version does not", async () => {
  await using db = await openTestDatabase();
  const clock = new FakeClock(at("2026-11-23T12:00:00Z"));
  const schedules = new ScheduleTriggers(db.db);
  schedules.load([schedule({ cron: "0 0 * * *" })], clock.now());

  await clock.tick(12 * MIN);
  schedules.load([schedule({ cron: "*/5 * * * *" }, 1, 2)], clock.now());
  assertEquals(schedules.due(clock.now()), [], "no catch-up run for 12:05 on saving at 12:12");
  const [firing] = schedules.due(at("2026-11-23T12:15:00Z"));
  assertEquals([firing?.version, firing?.firedAt], [2, at("2026-11-23T12:15:00Z")]);

  schedules.load([schedule({ cron: "*/5 * * * *" }, 1, 3)], at("2026-11-23T12:16:00Z"));
  assertEquals(
    schedules.due(at("2026-11-23T12:16:00Z")),
    [],
    "the same expression keeps its state",
  );
  assertEquals(schedules.due(at("2026-11-23T12:20:00Z")).map((f) => f.version), [3]);
  assertEquals(schedules.nextDue(), at("2026-11-23T12:25:00Z"));
});

Deno.test("schedule forget() deletes the state and unloads the trigger", async () => {
  await using db = await openTestDatabase();
  const schedules = new ScheduleTriggers(db.db);
  const start = at("2026-11-23T12:00:00Z");
  schedules.load(
    [schedule({ cron: "*/5 * * * *" }, 1), schedule({ cron: "*/5 * * * *" }, 2)],
    start,
  );
  assertEquals(db.stateRows().map((r) => r.flow_id), [1, 2]);
  schedules.forget(1);
  assertEquals(db.stateRows().map((r) => r.flow_id), [2]);
  assertEquals(schedules.size, 1);
  assertEquals(schedules.due(start + 5 * MIN).map((f) => f.flowId), [2]);
});
