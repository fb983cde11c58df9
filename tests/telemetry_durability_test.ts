/**
 * Durability of telemetry with the real gateway process: several nodes post
 * batches while the gateway is SIGKILLed mid-stream; after a restart every
 * acknowledged batch is stored exactly once, and a batch that was not
 * acknowledged is either wholly stored or not at all.
 */
import { GatewayApiError, GatewayClient } from "../lib/api_client.ts";
import { createdJoinTokenSchema } from "../lib/schemas/enrollment.ts";
import { assert, assertEquals } from "../lib/testing/assert.ts";
import { loginAdmin, startGatewayProcess, tempDirs } from "./_helpers/gateway_process.ts";

const NODES = 3;
const BATCH = 50;

interface Sent {
  node: number;
  seq: number;
  acked: boolean;
  samples: { metric: string; ts: number; value: number }[];
}

Deno.test("telemetry acknowledged before a SIGKILL is stored exactly once after restart", async () => {
  await using dirs = await tempDirs();
  let gw = await startGatewayProcess(dirs);
  const { client: admin, password } = await loginAdmin(gw.baseUrl, dirs);
  const join = await admin.request("POST", "/v1/enrollment/tokens", {
    body: { name: "durability", max_uses: NODES },
    schema: createdJoinTokenSchema,
  });
  const agents: { id: string; token: string }[] = [];
  for (let i = 0; i < NODES; i++) {
    const e = await admin.withToken(undefined).enroll({
      join_token: join.token,
      hardware: { serial: `DURABLE0${i}` },
      hostname: `durable-${i}`,
    });
    agents.push({ id: e.node_id, token: e.agent_token });
  }

  const sent: Sent[] = [];
  const start = Date.now() - 60_000;
  let stop = false;
  // Four batches in flight per node, as an agent catching up sends them.
  const LANES = 4;
  const sender = async (node: number, lane: number) => {
    const client = new GatewayClient({
      baseUrl: gw.baseUrl,
      token: agents[node]!.token,
      timeoutMs: 5000,
    });
    for (let seq = lane; !stop; seq += LANES) {
      const samples = Array.from({ length: BATCH }, (_, k) => ({
        metric: "load.test",
        ts: start + seq * BATCH + k,
        value: seq * 1000 + k,
      }));
      const entry: Sent = { node, seq, acked: false, samples };
      sent.push(entry);
      try {
        await client.sendTelemetry({
          node_id: agents[node]!.id,
          epoch: "durability",
          batch_seq: seq,
          samples,
        });
        entry.acked = true;
      } catch {
        return; // the gateway died under us
      }
    }
  };
  const senders = agents.flatMap((_, i) =>
    Array.from({ length: LANES }, (_, lane) => sender(i, lane))
  );
  // Kill once a good number of batches are acknowledged; bounded by count, not time.
  while (sent.filter((s) => s.acked).length < 36) await new Promise((r) => setTimeout(r, 5));
  await gw.stop("SIGKILL");
  stop = true;
  await Promise.all(senders);

  gw = await startGatewayProcess(dirs);
  try {
    const viewer = new GatewayClient({ baseUrl: gw.baseUrl });
    await viewer.login("admin", password);
    const stored = async (node: number) => {
      const q = await viewer.request("GET", "/v1/telemetry", {
        query: {
          node: agents[node]!.id,
          metric: "load.test",
          from: String(start),
          to: String(start + 10_000_000),
          resolution: "raw",
        },
      }) as { series: { points: { ts: number; value: number }[] }[] };
      return new Map((q.series[0]?.points ?? []).map((p) => [p.ts, p.value]));
    };
    for (let node = 0; node < NODES; node++) {
      const points = await stored(node);
      for (const batch of sent.filter((s) => s.node === node)) {
        const present = batch.samples.filter((x) => points.get(x.ts) === x.value).length;
        if (batch.acked) assertEquals(present, BATCH, `acknowledged batch ${node}/${batch.seq}`);
        else {assert(
            present === 0 || present === BATCH,
            `batch ${node}/${batch.seq} is half-stored`,
          );}
      }
    }

    // The senders retry what was not acknowledged: each is taken exactly once.
    await Promise.all(
      sent.filter((s) => !s.acked).map(async (batch) => {
        const client = new GatewayClient({ baseUrl: gw.baseUrl, token: agents[batch.node]!.token });
        try {
          await client.sendTelemetry({
            node_id: agents[batch.node]!.id,
            epoch: "durability",
            batch_seq: batch.seq,
            samples: batch.samples,
          });
        } catch (error) {
          throw new Error(
            `retry of ${batch.node}/${batch.seq} refused: ${(error as GatewayApiError).message}`,
          );
        }
      }),
    );
    for (let node = 0; node < NODES; node++) {
      const points = await stored(node);
      assertEquals(points.size, sent.filter((s) => s.node === node).length * BATCH);
    }
  } finally {
    await gw.stop("SIGTERM");
  }
});
