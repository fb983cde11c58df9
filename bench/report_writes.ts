/**
 * Bytes the gateway writes to storage per node report (/proc/self/io
 * write_bytes, WAL checkpoint included): 50 nodes reporting every 10 s for 10
 * simulated minutes, with the once-a-minute flush of volatile fields,
 * against writing every report in full. SD cards wear by bytes written.
 */
import { sampleReport } from "../lib/testing/reports.ts";
import { flushLiveState } from "../gateway/nodes/apply_report.ts";
import { LIVE_FLUSH_INTERVAL_MS } from "../gateway/nodes/live_flusher.ts";
import { createHarness } from "../gateway/testing/harness.ts";

const NODES = 50, INTERVAL_MS = 10_000, MINUTES = 10;
const writtenBytes = () =>
  Number(/write_bytes: (\d+)/.exec(Deno.readTextFileSync("/proc/self/io"))![1]);

async function run(mode: "batched" | "every report in full"): Promise<number> {
  await using h = await createHarness();
  const join = await h.joinToken(NODES);
  const agents: { id: string; token: string; i: number }[] = [];
  for (let i = 0; i < NODES; i++) {
    const res = await h.request("/v1/enroll", {
      method: "POST",
      json: {
        join_token: join,
        hardware: { serial: `BENCH${String(i).padStart(4, "0")}` },
        hostname: `n${i}`,
      },
    });
    const body = await res.json();
    agents.push({ id: body.node_id, token: body.agent_token, i });
  }
  const mac = (i: number, nic: number) =>
    `02:00:00:${nic.toString(16).padStart(2, "0")}:${(i >> 8).toString(16).padStart(2, "0")}:${
      (i & 255).toString(16).padStart(2, "0")
    }`;
  const report = (i: number, t: number) =>
    sampleReport({
      uptime_s: t / 1000,
      interfaces: [
        { name: "eth0", kind: "eth", mac: mac(i, 0), addresses: [`198.18.${i}.1/24`], up: true },
        { name: "wlan1", kind: "halow", mac: mac(i, 1), addresses: [], up: true },
        {
          name: "bat0",
          kind: "batman",
          mac: mac(i, 2),
          addresses: [`198.19.0.${i + 1}/16`],
          up: true,
        },
      ],
      links: [1, 2, 3].map((d) => ({
        iface: "wlan1",
        neighbor_mac: mac((i + d) % NODES, 1),
        tq: 150 + Math.round(50 * Math.sin(t / 60_000 + i + d)),
        signal_dbm: -60 - d,
        last_seen_ms: 300,
      })),
      overlay_peers: [{
        public_key: "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
        allowed_ips: ["198.19.255.1/32"],
        rx_bytes: t,
        tx_bytes: t / 2,
      }],
      clients: i % 5 === 0 ? [{ mac: mac(i, 9), iface: "eth0" }] : [],
      sensors: i % 3 === 0
        ? [{ name: "bme280", kind: "bme280", bus: "i2c-1", address: "0x76" }]
        : [],
    });
  const send = (a: typeof agents[number], t: number) =>
    h.request(`/v1/nodes/${a.id}/report`, { method: "POST", token: a.token, json: report(a.i, t) })
      .then((r) => r.body?.cancel());
  for (const a of agents) await send(a, 0);
  flushLiveState(h.deps);
  h.deps.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");

  const before = writtenBytes();
  let reports = 0, sinceFlush = 0;
  for (let t = INTERVAL_MS; t <= MINUTES * 60_000; t += INTERVAL_MS) {
    await h.clock.tick(INTERVAL_MS);
    for (const a of agents) {
      if (mode !== "batched") h.deps.live.delete(a.id);
      await send(a, t);
      reports++;
    }
    sinceFlush += INTERVAL_MS;
    if (sinceFlush >= LIVE_FLUSH_INTERVAL_MS) {
      flushLiveState(h.deps);
      sinceFlush = 0;
    }
  }
  flushLiveState(h.deps);
  h.deps.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return (writtenBytes() - before) / reports;
}

const batched = await run("batched");
const full = await run("every report in full");
const perDay = (bytes: number) => (bytes * NODES * 86_400_000 / INTERVAL_MS / 1e9).toFixed(2);
console.log(
  `node reports, ${NODES} nodes every ${INTERVAL_MS / 1000} s, ${MINUTES} simulated minutes:`,
);
console.log(
  `  batched volatile fields: ${batched.toFixed(0)} B written per report (${
    perDay(batched)
  } GB/day)`,
);
console.log(
  `  every report in full:    ${full.toFixed(0)} B written per report (${perDay(full)} GB/day)`,
);
console.log(`  ratio: ${(full / batched).toFixed(1)}x fewer bytes written`);
