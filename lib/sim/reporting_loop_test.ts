import { GatewayClient } from "../api_client.ts";
import { createLogger } from "../log.ts";
import { nodeReportSchema } from "../schemas/report.ts";
import { DEMO_NETWORK } from "./network_plan.ts";
import { seededRandom } from "./random.ts";
import { SimNetwork } from "./sim_network.ts";
import { assert, assertEquals, assertNotEquals } from "../testing/assert.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { reportOnce, runDropouts, runReporters } from "./reporting_loop.ts";

interface Sent {
  at: number;
  nodeId: string;
  token: string | null;
  bootId: string;
}

/** Six simulated devices talking to a fake gateway that records every report. */
function setup() {
  const clock = new FakeClock();
  const sent: Sent[] = [];
  let failing = false;
  const http = async (request: Request) => {
    if (failing) throw new TypeError("connection refused");
    const body = nodeReportSchema.parse(await request.json());
    sent.push({
      at: clock.now(),
      nodeId: new URL(request.url).pathname.split("/")[3]!,
      token: request.headers.get("authorization"),
      bootId: body.boot_id,
    });
    return Response.json({ gateway_time_ms: clock.now(), report_interval_s: 10, events: [] });
  };
  const network = new SimNetwork(DEMO_NETWORK, { random: seededRandom(5), now: clock.now() });
  const devices = DEMO_NETWORK.devices.map((d) => ({
    key: d.key,
    nodeId: `n-00000000000${DEMO_NETWORK.devices.indexOf(d)}`,
    name: d.hostname,
    client: new GatewayClient({
      baseUrl: "http://gateway.test",
      token: `halo_agent_${d.key}`,
      http,
    }),
  }));
  const logs: string[] = [];
  const log = createLogger({ component: "test", level: "debug", write: (l) => logs.push(l) });
  const controller = new AbortController();
  /** Moves time forward a second at a time, letting each woken loop finish its report. */
  const advance = async (ms: number) => {
    for (let done = 0; done < ms; done += 1000) {
      await clock.tick(1000);
      for (let i = 0; i < 2; i++) await new Promise((r) => setTimeout(r, 0));
    }
  };
  return {
    clock,
    sent,
    network,
    devices,
    log,
    logs,
    controller,
    advance,
    setFailing: (v: boolean) => (failing = v),
  };
}

Deno.test("reportOnce() sends one report per device, gateway first, with its own agent token", async () => {
  const t = setup();
  await reportOnce(t);
  assertEquals(t.sent.map((s) => s.nodeId), t.devices.map((d) => d.nodeId));
  assertEquals(t.sent[0]!.token, "Bearer halo_agent_gateway");
});

Deno.test("runReporters() reports every device each interval until stopped", async () => {
  const t = setup();
  const loop = runReporters({
    ...t,
    signal: t.controller.signal,
    intervalMs: 10_000,
    random: seededRandom(1),
  });
  await t.advance(60_000);
  t.controller.abort();
  await loop;
  for (const d of t.devices) {
    const count = t.sent.filter((s) => s.nodeId === d.nodeId).length;
    assert(count >= 5 && count <= 6, `${d.name} sent ${count} reports in a minute`);
  }
  const before = t.sent.length;
  await t.advance(30_000);
  assertEquals(t.sent.length, before, "nothing is sent after stopping");
});

Deno.test("runReporters() logs once when the gateway is unreachable and once when it is back", async () => {
  const t = setup();
  const loop = runReporters({
    ...t,
    signal: t.controller.signal,
    intervalMs: 10_000,
    random: seededRandom(1),
  });
  t.setFailing(true);
  await t.advance(40_000);
  t.setFailing(false);
  await t.advance(20_000);
  t.controller.abort();
  await loop;
  const lines = t.logs.map((l) => JSON.parse(l)).filter((l) => l.node === "halo-relay-01");
  assertEquals(lines.map((l) => l.msg), [
    "report failed; retrying every interval",
    "reporting again",
  ]);
});

Deno.test("runDropouts() takes the flaky leaf away for a minute every 4 min, every 2nd time rebooted", async () => {
  const t = setup();
  const signal = t.controller.signal;
  const flaky = t.devices.find((d) => d.key === DEMO_NETWORK.flaky)!;
  const loops = [
    runReporters({ ...t, signal, intervalMs: 10_000, random: seededRandom(1) }),
    runDropouts({ ...t, device: flaky, signal }),
  ];
  const start = t.clock.now();
  await t.advance(9 * 60_000);
  t.controller.abort();
  await Promise.all(loops);

  const mine = t.sent.filter((s) => s.nodeId === flaky.nodeId);
  const gaps = mine.slice(1).map((s, i) => ({ from: mine[i]!, to: s }))
    .filter((g) => g.to.at - g.from.at > 30_000);
  assertEquals(gaps.length, 2, "two drop-offs in 9 minutes");
  for (const g of gaps) {
    assert(g.to.at - g.from.at >= 60_000, `away ${(g.to.at - g.from.at) / 1000} s`);
  }
  assert(gaps[0]!.from.at - start >= 170_000, "the first drop-off comes after 3 minutes");
  assertEquals(gaps[0]!.to.bootId, gaps[0]!.from.bootId, "first return: same boot");
  assertNotEquals(gaps[1]!.to.bootId, gaps[1]!.from.bootId, "second return: rebooted");

  const relay = t.devices.find((d) => d.key === "relay")!;
  const relayTimes = t.sent.filter((s) => s.nodeId === relay.nodeId).map((s) => s.at);
  assert(
    relayTimes.slice(1).every((at, i) => at - relayTimes[i]! <= 10_000),
    "the relay never pauses",
  );
});
