import { assertEquals, assertMatch } from "../../lib/testing/assert.ts";
import { createHarness, type Harness } from "../testing/harness.ts";

const MIN = 60_000;

async function agent(h: Harness, serial = "TELEM0001") {
  const res = await h.request("/v1/enroll", {
    method: "POST",
    json: {
      join_token: await h.joinToken(),
      hardware: { serial },
      hostname: `n-${serial.toLowerCase()}`,
    },
  });
  const { node_id, agent_token } = await res.json();
  let seq = 0;
  const send = (samples: unknown[], overrides: Record<string, unknown> = {}) =>
    h.request("/v1/telemetry", {
      method: "POST",
      token: agent_token,
      json: { node_id, epoch: "e1", batch_seq: seq++, samples, ...overrides },
    });
  return { nodeId: node_id as string, token: agent_token as string, send };
}

Deno.test("telemetry ingest", async (t) => {
  await using h = await createHarness();
  const a = await agent(h);
  const now = h.clock.now();
  const viewer = await h.tokenFor("viewer");

  await t.step("a batch is acknowledged once stored, and queryable at once", async () => {
    const res = await a.send([
      { metric: "soc.temp", ts: now - 20_000, value: 41.5, unit: "°C" },
      { metric: "soc.temp", ts: now - 10_000, value: 42.25, unit: "°C" },
      { metric: "link.tq", ts: now - 10_000, value: 230, labels: { neighbor: "relay" } },
    ]);
    assertEquals(res.status, 200);
    assertEquals(await res.json(), { accepted: 3, duplicate: false, gateway_time_ms: now });
    const q =
      await (await h.request(`/v1/telemetry?node=${a.nodeId}&metric=soc.temp`, { token: viewer }))
        .json();
    assertEquals(q.resolution, "raw");
    assertEquals(q.series[0].unit, "°C");
    assertEquals(q.series[0].points, [{ ts: now - 20_000, value: 41.5 }, {
      ts: now - 10_000,
      value: 42.25,
    }]);
    const logRows = h.deps.db.prepare("SELECT count(*) AS n FROM telemetry_log").get() as {
      n: number;
    };
    assertEquals(logRows.n, 1);
  });

  await t.step(
    "a retried batch is stored once; the same key with another body is 409",
    async () => {
      const body = {
        node_id: a.nodeId,
        epoch: "e2",
        batch_seq: 7,
        samples: [{ metric: "cpu.usage", ts: now, value: 3 }],
      };
      const first = await h.request("/v1/telemetry", {
        method: "POST",
        token: a.token,
        json: body,
      });
      assertEquals((await first.json()).duplicate, false);
      const again = await h.request("/v1/telemetry", {
        method: "POST",
        token: a.token,
        json: body,
      });
      assertEquals(await again.json(), { accepted: 1, duplicate: true, gateway_time_ms: now });
      const other = await h.request("/v1/telemetry", {
        method: "POST",
        token: a.token,
        json: { ...body, samples: [{ metric: "cpu.usage", ts: now, value: 4 }] },
      });
      assertEquals(other.status, 409);
      const q = await (await h.request(`/v1/telemetry?node=${a.nodeId}&metric=cpu.usage`, {
        token: viewer,
      })).json();
      assertEquals(q.series[0].points, [{ ts: now, value: 3 }]);
    },
  );

  await t.step(
    "duplicates are still recognised after compaction and a restart of the ledger",
    async () => {
      await h.deps.telemetry.compact({ all: true });
      const body = {
        node_id: a.nodeId,
        epoch: "e2",
        batch_seq: 7,
        samples: [{ metric: "cpu.usage", ts: now, value: 3 }],
      };
      const again = await h.request("/v1/telemetry", {
        method: "POST",
        token: a.token,
        json: body,
      });
      assertEquals((await again.json()).duplicate, true);
    },
  );

  await t.step("a batch with any bad sample is refused whole, naming each sample", async () => {
    const before = h.deps.db.prepare("SELECT count(*) AS n FROM telemetry_log").get();
    const res = await a.send([
      { metric: "cpu.usage", ts: now, value: 1 },
      { metric: "cpu.usage", ts: now + 6 * MIN, value: 1 },
      { metric: "cpu.usage", ts: now - 8 * 86_400_000, value: 1 },
      { metric: "soc.temp", ts: now, value: 1, unit: "%" },
    ]);
    assertEquals(res.status, 400);
    const body = await res.json();
    assertEquals(body.error.details.map((d: { path: string }) => d.path), [
      "body.samples.1.ts",
      "body.samples.2.ts",
      "body.samples.3.unit",
    ]);
    assertMatch(body.error.details[0].message, /more than 5 minutes ahead/);
    assertMatch(body.error.details[2].message, /soc\.temp of this node is in °C, not %/);
    assertEquals(h.deps.db.prepare("SELECT count(*) AS n FROM telemetry_log").get(), before);
  });

  await t.step(
    "unknown units, non-finite values, too many samples and another node's id are refused",
    async () => {
      const unit = await a.send([{ metric: "x", ts: now, value: 1, unit: "furlong" }]);
      assertEquals((await unit.json()).error.details[0].path, "body.samples.0.unit");
      const nan = await h.request("/v1/telemetry", {
        method: "POST",
        token: a.token,
        headers: { "content-type": "application/json" },
        body:
          `{"node_id":"${a.nodeId}","epoch":"e","batch_seq":1,"samples":[{"metric":"x","ts":${now},"value":1e400}]}`,
      });
      assertEquals((await nan.json()).error.details[0].message, "must be a finite number");
      const many = await a.send(
        Array.from({ length: 5001 }, (_, i) => ({ metric: "x", ts: now - i, value: i })),
      );
      assertEquals(many.status, 413);
      const other = await a.send([{ metric: "x", ts: now, value: 1 }], {
        node_id: "n-000000000000",
      });
      assertEquals(other.status, 403);
      const admin = await h.request("/v1/telemetry", {
        method: "POST",
        token: await h.tokenFor("admin"),
        json: {
          node_id: a.nodeId,
          epoch: "e",
          batch_seq: 1,
          samples: [{ metric: "x", ts: now, value: 1 }],
        },
      });
      assertEquals(admin.status, 403);
    },
  );
});

Deno.test("telemetry queries over compacted data, rollups, late samples and CSV", async (t) => {
  await using h = await createHarness();
  const a = await agent(h);
  const viewer = await h.tokenFor("viewer");
  const start = Math.floor(h.clock.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
  // Two hours of samples every 10 s: value = minute of the hour.
  const samples = [];
  for (let ts = start; ts < start + 2 * 3_600_000; ts += 10_000) {
    samples.push({
      metric: "env.temp",
      ts,
      value: Math.floor((ts - start) / MIN) % 60,
      unit: "°C",
    });
  }
  for (let i = 0; i < samples.length; i += 500) {
    assertEquals((await a.send(samples.slice(i, i + 500))).status, 200);
  }
  await h.deps.telemetry.compact({ all: true });

  await t.step("raw resolution returns every sample of a compacted span", async () => {
    const q = await (await h.request(
      `/v1/telemetry?node=${a.nodeId}&metric=env.temp&from=${start}&to=${start + 30 * MIN - 1}`,
      { token: viewer },
    )).json();
    assertEquals(q.resolution, "raw");
    assertEquals(q.series[0].points.length, 180);
  });

  await t.step("1-minute rollups carry min, max, avg and count", async () => {
    const q = await (await h.request(
      `/v1/telemetry?node=${a.nodeId}&metric=env.temp&from=${start}&to=${
        start + 5 * MIN - 1
      }&resolution=1m`,
      { token: viewer },
    )).json();
    assertEquals(q.series[0].points[3], { ts: start + 3 * MIN, min: 3, max: 3, avg: 3, count: 6 });
    assertEquals(q.series[0].points.length, 5);
  });

  await t.step("a long span picks hourly rollups", async () => {
    const q = await (await h.request(
      `/v1/telemetry?node=${a.nodeId}&metric=env.temp&from=${start - 20 * 86_400_000}&to=${
        start + 2 * 3_600_000
      }`,
      { token: viewer },
    )).json();
    assertEquals(q.resolution, "1h");
    assertEquals(q.series[0].points, [
      { ts: start, min: 0, max: 59, avg: 29.5, count: 360 },
      { ts: start + 3_600_000, min: 0, max: 59, avg: 29.5, count: 360 },
    ]);
  });

  await t.step("a late sample is accepted and corrects its minute and hour", async () => {
    assertEquals(
      (await a.send([{ metric: "env.temp", ts: start + 3 * MIN + 5_000, value: 100, unit: "°C" }]))
        .status,
      200,
    );
    const before = await (await h.request(
      `/v1/telemetry?node=${a.nodeId}&metric=env.temp&from=${start}&to=${
        start + 3_600_000 - 1
      }&resolution=1h`,
      { token: viewer },
    )).json();
    assertEquals(before.series[0].points[0].max, 100);
    assertEquals(before.series[0].points[0].count, 361);
    await h.deps.telemetry.compact({ all: true });
    const minute = await (await h.request(
      `/v1/telemetry?node=${a.nodeId}&metric=env.temp&from=${start + 3 * MIN}&to=${
        start + 3 * MIN
      }&resolution=1m`,
      { token: viewer },
    )).json();
    assertEquals(minute.series[0].points, [{
      ts: start + 3 * MIN,
      min: 3,
      max: 100,
      avg: (18 + 100) / 7,
      count: 7,
    }]);
    const hour = await (await h.request(
      `/v1/telemetry?node=${a.nodeId}&metric=env.temp&from=${start}&to=${start}&resolution=1h`,
      { token: viewer },
    )).json();
    assertEquals(hour.series[0].points[0].count, 361);
  });

  await t.step("CSV export of a query", async () => {
    const res = await h.request(
      `/v1/telemetry?node=${a.nodeId}&metric=env.temp&from=${start}&to=${start + 20_000}`,
      { token: viewer, headers: { accept: "text/csv" } },
    );
    assertEquals(res.headers.get("content-type"), "text/csv; charset=utf-8");
    const lines = (await res.text()).trim().split("\r\n");
    assertEquals(lines[0], "time,node_id,node,metric,labels,unit,value");
    assertEquals(
      lines[1],
      `${new Date(start).toISOString()},${a.nodeId},n-telem0001,env.temp,,°C,0`,
    );
    assertEquals(lines.length, 4);
  });

  await t.step("latest and metrics", async () => {
    const latest =
      await (await h.request(`/v1/telemetry/latest?node=${a.nodeId}`, { token: viewer })).json();
    assertEquals(latest.series[0].ts, start + 2 * 3_600_000 - 10_000);
    const metrics = await (await h.request("/v1/telemetry/metrics", { token: viewer })).json();
    assertEquals(metrics.metrics, [{
      metric: "env.temp",
      unit: "°C",
      nodes: [a.nodeId],
      series: 1,
    }]);
  });
});

Deno.test("telemetry retention, size cap and low disk", async (t) => {
  await using h = await createHarness();
  const a = await agent(h);
  const admin = await h.tokenFor("admin");
  const day = 86_400_000;
  const now = h.clock.now();
  const samples = [];
  for (let d = 6; d >= 0; d--) samples.push({ metric: "cpu.usage", ts: now - d * day, value: d });
  assertEquals((await a.send(samples)).status, 200);
  await h.deps.telemetry.compact({ all: true });
  const rawDays = () =>
    (h.deps.db.prepare("SELECT count(*) AS n FROM telemetry_raw").get() as { n: number }).n;

  await t.step(
    "shorter raw retention removes exactly the windows older than it, without a restart",
    async () => {
      assertEquals(rawDays(), 7);
      const res = await h.request("/v1/settings", {
        method: "PATCH",
        token: admin,
        json: { telemetry_raw_retention_days: 3 },
      });
      assertEquals(res.status, 200);
      const removed = h.deps.telemetry.applyRetention();
      assertEquals(removed.rawWindows, 3);
      assertEquals(rawDays(), 4);
      const minutes = h.deps.db.prepare("SELECT count(*) AS n FROM telemetry_1m").get() as {
        n: number;
      };
      assertEquals(minutes.n, 7);
    },
  );

  await t.step("settings that contradict each other are refused", async () => {
    const res = await h.request("/v1/settings", {
      method: "PATCH",
      token: admin,
      json: { telemetry_1m_retention_days: 2 },
    });
    assertEquals(res.status, 400);
    assertEquals((await res.json()).error.details[0].path, "body.telemetry_1m_retention_days");
  });

  await t.step(
    "below 5% free disk raw samples stop, rollups go on, an event is raised and /health says so",
    async () => {
      h.disk.free = 4e9;
      await h.deps.telemetry.checkDisk();
      const health = await (await h.request("/health")).json();
      assertEquals(
        [health.status, health.telemetry.raw_paused, health.telemetry.disk_free_percent],
        ["degraded", true, 4],
      );
      assertEquals(h.deps.events.query({ types: ["storage_low"] }).length, 1);
      await h.clock.tick(1000);
      assertEquals(
        (await a.send([{ metric: "cpu.usage", ts: h.clock.now(), value: 99 }])).status,
        200,
      );
      const rawBefore = rawDays();
      await h.deps.telemetry.compact({ all: true });
      assertEquals(rawDays(), rawBefore);
      const q = await (await h.request(
        `/v1/telemetry?node=${a.nodeId}&resolution=1m&from=${h.clock.now() - MIN}`,
        { token: admin },
      )).json();
      assertEquals(q.series[0].points.at(-1).max, 99);
      h.disk.free = 40e9;
      await h.deps.telemetry.checkDisk();
      assertEquals(h.deps.events.query({ types: ["storage_ok"] }).length, 1);
    },
  );
});

Deno.test("batches acknowledged while a compaction runs are still recognised as duplicates", async () => {
  await using h = await createHarness();
  const a = await agent(h);
  const now = h.clock.now();
  // Enough series that compaction takes several slices and yields in between.
  const wide = Array.from(
    { length: 1500 },
    (_, i) => ({ metric: `m${i}`, ts: now - 1000, value: i }),
  );
  assertEquals((await a.send(wide)).status, 200);
  const compaction = h.deps.telemetry.compact({ all: true });
  const body = {
    node_id: a.nodeId,
    epoch: "during",
    batch_seq: 1,
    samples: [{ metric: "x", ts: now, value: 1 }],
  };
  assertEquals(
    (await (await h.request("/v1/telemetry", { method: "POST", token: a.token, json: body }))
      .json()).duplicate,
    false,
  );
  await compaction;
  assertEquals(
    (await (await h.request("/v1/telemetry", { method: "POST", token: a.token, json: body }))
      .json()).duplicate,
    true,
  );
  await h.deps.telemetry.compact({ all: true });
  assertEquals(
    (await (await h.request("/v1/telemetry", { method: "POST", token: a.token, json: body }))
      .json()).duplicate,
    true,
  );
  const q = await (await h.request(`/v1/telemetry?node=${a.nodeId}&metric=x`, {
    token: await h.tokenFor("viewer"),
  })).json();
  assertEquals(q.series[0].points, [{ ts: now, value: 1 }]);
});

Deno.test("compaction writes only closed windows; the open one stays in the head and in the log", async () => {
  await using h = await createHarness();
  const a = await agent(h);
  const now = h.clock.now();
  const windowStart = Math.floor(now / 600_000) * 600_000;
  assertEquals(
    (await a.send([
      { metric: "x", ts: windowStart - 5_000, value: 1 },
      { metric: "x", ts: windowStart + 1_000, value: 2 },
    ])).status,
    200,
  );
  await h.deps.telemetry.compact();
  const raw = h.deps.db.prepare("SELECT window_start FROM telemetry_raw").all().map((r) =>
    r.window_start
  );
  assertEquals(raw, [windowStart - 600_000]);
  assertEquals(h.deps.telemetry.head.sampleCount, 1);
  const log = h.deps.db.prepare("SELECT count(*) AS n FROM telemetry_log").get() as { n: number };
  assertEquals(log.n, 1);
  const from = windowStart - 10_000, to = windowStart + 5_000;
  const q =
    await (await h.request(`/v1/telemetry?node=${a.nodeId}&metric=x&from=${from}&to=${to}`, {
      token: await h.tokenFor("viewer"),
    })).json();
  assertEquals(q.series[0].points.map((p: { value: number }) => p.value), [1, 2]);
});
