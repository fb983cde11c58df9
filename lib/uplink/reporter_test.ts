import { GatewayClient } from "../api_client.ts";
import { createLogger } from "../log.ts";
import { nodeReportSchema } from "../schemas/report.ts";
import { assertEquals } from "../testing/assert.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { runReporter } from "./reporter.ts";

const NODE = "n-0000000000aa";

/** A gateway that records each report's time and answers with `intervalS` as the interval. */
function setup(intervalS: number) {
  const clock = new FakeClock();
  const sent: { at: number; path: string; uptime: number }[] = [];
  const state = { intervalS, reachable: true };
  const http = async (request: Request) => {
    const body = nodeReportSchema.parse(await request.json());
    sent.push({ at: clock.now(), path: new URL(request.url).pathname, uptime: body.uptime_s });
    return Response.json({
      gateway_time_ms: clock.now(),
      report_interval_s: state.intervalS,
      events: [],
    });
  };
  const client = new GatewayClient({ baseUrl: "http://gateway.test", token: "halo_agent_x", http });
  const start = clock.now();
  const controller = new AbortController();
  const loop = runReporter({
    client,
    nodeId: NODE,
    name: "node-a",
    // Any source will do: an agent reads the system, the demo its simulated network.
    source: {
      report: (now) => ({
        boot_id: "6f1c1d4e-1b2a-4c3d-8e9f-0a1b2c3d4e5f",
        uptime_s: (now - start) / 1000,
      }),
    },
    clock,
    log: createLogger({ component: "test", write: () => {} }),
    signal: controller.signal,
    intervalMs: 10_000,
    reachable: () => state.reachable,
  });
  /** Lets the loop finish a report and go back to sleep. */
  const settle = async () => {
    for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
  };
  /** Moves time forward a second at a time, letting the loop finish each report. */
  const advance = async (ms: number) => {
    for (let done = 0; done < ms; done += 1000) {
      await settle();
      await clock.tick(1000);
    }
    await settle();
  };
  const stop = async () => {
    controller.abort();
    await loop;
  };
  return { sent, state, advance, stop };
}

Deno.test("runReporter() reports at once, then at the interval the gateway answers with", async () => {
  const t = setup(5);
  await t.advance(20_000);
  await t.stop();
  assertEquals(t.sent.map((s) => s.uptime), [0, 5, 10, 15, 20]);
  assertEquals(new Set(t.sent.map((s) => s.path)), new Set([`/v1/nodes/${NODE}/report`]));
});

Deno.test("runReporter() sends nothing while the node cannot reach the gateway", async () => {
  const t = setup(5);
  await t.advance(5_000);
  t.state.reachable = false;
  await t.advance(15_000);
  t.state.reachable = true;
  await t.advance(5_000);
  await t.stop();
  assertEquals(t.sent.map((s) => s.uptime), [0, 5, 25]);
});
