/**
 * Property tests of the telemetry store against a reference model: random
 * batches, retries, reorderings, late samples and compactions at random
 * moments; every query must equal what a plain map of (series, ts) → value
 * (last arrival wins) gives, and every rollup the aggregate of those values.
 */
import fc from "fast-check";
import { assert, assertEquals } from "../lib/testing/assert.ts";
import { createHarness } from "../gateway/testing/harness.ts";

const MIN = 60_000, HOUR = 3_600_000;
const RUNS = Number(Deno.env.get("HALO_FC_RUNS") ?? 25);

type Op =
  | { kind: "batch"; samples: { s: number; dt: number; v: number }[]; resend: boolean }
  | { kind: "compact"; all: boolean }
  | { kind: "tick"; ms: number };

const sampleArb = fc.record({
  s: fc.integer({ min: 0, max: 2 }),
  // Up to 3 hours back, in 5 s steps so duplicates of a timestamp happen.
  dt: fc.integer({ min: 0, max: (3 * HOUR) / 5000 }).map((k) => k * 5000),
  v: fc.oneof(
    fc.integer({ min: -1000, max: 1000 }),
    fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
  ),
});
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("batch" as const),
      samples: fc.array(sampleArb, { minLength: 1, maxLength: 40 }),
      resend: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("compact" as const), all: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("tick" as const),
      ms: fc.integer({ min: 1, max: 20 * MIN }),
    }),
  },
);

const close = (a: number, b: number) =>
  Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

Deno.test("the telemetry store answers like the reference model", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(opArb, { minLength: 1, maxLength: 25 }),
      fc.integer({ min: 0, max: 3 * HOUR }),
      async (ops, span) => {
        await using h = await createHarness();
        const enrolled = await (await h.request("/v1/enroll", {
          method: "POST",
          json: {
            join_token: await h.joinToken(),
            hardware: { serial: "MODEL0001" },
            hostname: "model",
          },
        })).json();
        const viewer = await h.tokenFor("viewer");
        const model = new Map<string, Map<number, number>>();
        let seq = 0;
        for (const op of ops) {
          if (op.kind === "tick") {
            await h.clock.tick(op.ms);
            continue;
          }
          if (op.kind === "compact") {
            await h.deps.telemetry.compact({ all: op.all });
            continue;
          }
          const now = h.clock.now();
          const body = {
            node_id: enrolled.node_id,
            epoch: "model",
            batch_seq: seq++,
            samples: op.samples.map((x) => ({ metric: `m${x.s}`, ts: now - x.dt, value: x.v })),
          };
          for (let i = 0; i < (op.resend ? 2 : 1); i++) {
            const res = await h.request("/v1/telemetry", {
              method: "POST",
              token: enrolled.agent_token,
              json: body,
            });
            assertEquals(res.status, 200);
            assertEquals((await res.json()).duplicate, i === 1);
          }
          // The model keeps what went over the wire (JSON has no -0: it carries 0).
          for (const x of JSON.parse(JSON.stringify(body.samples)) as typeof body.samples) {
            if (!model.has(x.metric)) model.set(x.metric, new Map());
            model.get(x.metric)!.set(x.ts, x.value);
          }
        }
        const to = h.clock.now();
        const from = to - span;
        for (const resolution of ["raw", "1m", "1h"] as const) {
          const q = await (await h.request(
            `/v1/telemetry?node=${enrolled.node_id}&from=${from}&to=${to}&resolution=${resolution}`,
            { token: viewer },
          )).json();
          for (const [metric, values] of model) {
            const got = q.series.find((s: { metric: string }) => s.metric === metric)?.points ?? [];
            const bucket = resolution === "1m" ? MIN : HOUR;
            const first = resolution === "raw" ? from : Math.floor(from / bucket) * bucket;
            const points = [...values].filter(([ts]) => ts >= first && ts <= to).sort((a, b) =>
              a[0] - b[0]
            );
            if (resolution === "raw") {
              assertEquals(got, points.map(([ts, value]) => ({ ts, value })));
              continue;
            }
            const buckets = new Map<number, number[]>();
            for (const [ts, v] of points) {
              const b = Math.floor(ts / bucket) * bucket;
              if (b > to) continue;
              buckets.set(b, [...(buckets.get(b) ?? []), v]);
            }
            const expected = [...buckets].sort((a, b) => a[0] - b[0]);
            assertEquals(
              got.map((p: { ts: number }) => p.ts),
              expected.map(([b]) => b),
              `${resolution} buckets of ${metric}`,
            );
            expected.forEach(([, vs], i) => {
              const p = got[i];
              assertEquals([p.min, p.max, p.count], [Math.min(...vs), Math.max(...vs), vs.length]);
              assert(close(p.avg, vs.reduce((a, b) => a + b, 0) / vs.length), `avg ${p.avg}`);
            });
          }
        }
      },
    ),
    { numRuns: RUNS, seed: Number(Deno.env.get("HALO_FC_SEED") ?? 4242) },
  );
});
