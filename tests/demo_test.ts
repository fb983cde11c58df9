/**
 * System test of `deno task demo`: the real demo process, with the task's
 * permissions, on a free port and a temp data directory. It must print a
 * banner whose curl examples work, keep six simulated nodes online with a
 * path to the gateway, back-fill three days of telemetry and keep it coming,
 * give the same nodes again on a second run (keeping their agent tokens), and
 * stop cleanly on Ctrl-C with the gateway gone.
 */
import { z } from "zod";
import { GatewayClient } from "../lib/api_client.ts";
import { nodeSummarySchema } from "../lib/schemas/nodes.ts";
import { latestSchema, telemetryResultSchema } from "../lib/schemas/telemetry.ts";
import { topologySchema } from "../lib/schemas/topology.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "../lib/testing/assert.ts";
import { denoTaskCommand } from "./_helpers/deno_task.ts";

const ROOT = new URL("../", import.meta.url);
const BANNER_END = "Press Ctrl-C to stop.";
/** Start-up includes the telemetry back-fill (about 2 s here); leave room for slow machines. */
const BANNER_TIMEOUT_MS = 60_000;
const DAY = 86_400_000;

/** A running demo and what it printed. */
interface Demo {
  child: Deno.ChildProcess;
  banner: string;
  /** Everything on stdout and stderr so far, for failure messages. */
  output(): string;
  /** Resolves once both streams are read to the end. */
  drained: Promise<void>;
  /** Whether the demo process has exited. */
  exited(): boolean;
}

async function startDemo(dataDir: string): Promise<Demo> {
  const task = await denoTaskCommand("demo", "demo/main.ts");
  const child = new Deno.Command(Deno.execPath(), {
    args: [...task.args, "--listen", "127.0.0.1:0", "--data-dir", dataDir],
    cwd: ROOT,
    env: { ...task.env, NO_COLOR: "1", HALO_LOG: "info" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stdout = "", stderr = "";
  let bannerSeen: () => void = () => {};
  const banner = new Promise<void>((resolve) => (bannerSeen = resolve));
  const read = async (
    stream: ReadableStream<Uint8Array<ArrayBuffer>>,
    onText: (text: string) => void,
  ) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) onText(text);
  };
  const drained = Promise.all([
    read(child.stdout, (text) => {
      stdout += text;
      if (stdout.includes(BANNER_END)) bannerSeen();
    }),
    read(child.stderr, (text) => (stderr += text)),
  ]).then(() => {});
  const output = () => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
  let exited = false;
  child.status.then(() => (exited = true));
  const demo = { child, banner: "", output, drained, exited: () => exited };

  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      banner,
      child.status.then((s) => {
        throw new Error(`The demo exited with ${s.code} before its banner\n${output()}`);
      }),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`No banner after ${BANNER_TIMEOUT_MS / 1000} s\n${output()}`)),
          BANNER_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (error) {
    await cleanUp(demo);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { ...demo, banner: stdout };
}

/**
 * After a failure: stops the demo if it still runs (SIGTERM, then SIGKILL),
 * and the gateway it started if that still serves (a SIGKILLed demo cannot
 * stop it).
 */
async function cleanUp(demo: Demo): Promise<void> {
  if (!demo.exited()) {
    demo.child.kill("SIGTERM");
    const timer = setTimeout(() => demo.exited() || demo.child.kill("SIGKILL"), 10_000);
    await demo.child.status;
    clearTimeout(timer);
  }
  await demo.drained;
  const started = demo.output().split("\n").map((line) => {
    try {
      return JSON.parse(line);
    } catch {
      return null;
    }
  }).find((entry) => entry?.msg === "gateway started");
  if (!started) return;
  const port = Number(new URL(started.url).port);
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
  } catch {
    return; // Not serving: it is gone.
  }
  Deno.kill(started.pid, "SIGKILL");
}

/** Stops the demo as Ctrl-C would and returns its exit code. */
async function interrupt(demo: Demo): Promise<number> {
  demo.child.kill("SIGINT");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const status = await Promise.race([
    demo.child.status,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        demo.child.kill("SIGKILL");
        reject(new Error(`The demo did not stop within 15 s of SIGINT\n${demo.output()}`));
      }, 15_000);
    }),
  ]).finally(() => clearTimeout(timer));
  await demo.drained;
  return status.code;
}

/** A printed curl command as a fetch: its URL and its -H headers. */
function parseCurl(line: string): { url: string; headers: Headers } {
  const headers = new Headers();
  for (const m of line.matchAll(/-H "([^:"]+): ([^"]+)"/g)) headers.set(m[1]!, m[2]!);
  const url = line.trim().split(/\s+/).at(-1)!.replace(/^"|"$/g, "");
  return { url, headers };
}

const nodesSchema = z.object({ nodes: z.array(nodeSummarySchema) });

/**
 * Polls `GET /v1/telemetry/latest` until every node has a `soc.temp` sample
 * newer than `since`; returns how many do when `timeoutMs` runs out.
 */
async function waitForFreshTelemetry(
  api: GatewayClient,
  since: number,
  timeoutMs = 25_000,
): Promise<{ fresh: string[]; stale: string[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { series } = await api.request("GET", "/v1/telemetry/latest", {
      query: { metric: "soc.temp" },
      schema: latestSchema,
    });
    const fresh = series.filter((s) => s.ts > since).map((s) => s.node_name ?? s.node_id);
    const stale = series.filter((s) => s.ts <= since).map((s) => s.node_name ?? s.node_id);
    if ((fresh.length === 6 && stale.length === 0) || Date.now() > deadline) {
      return { fresh: fresh.sort(), stale: stale.sort() };
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

Deno.test("deno task demo runs six reporting nodes, prints working curl examples and stops on Ctrl-C", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "halo-demo-test-" });
  const dataDir = `${dir}/data`;
  let firstIds: string[] = [];
  let adminPassword = "";
  try {
    await t.step("first run", async (t) => {
      const demo = await startDemo(dataDir);
      const bannerAt = Date.now();
      let port = 0;
      try {
        const curls = demo.banner.split("\n").filter((l) => l.trimStart().startsWith("curl "));
        assertEquals(curls.length, 3, demo.output());
        const base = /curl -s (http:\/\/127\.0\.0\.1:(\d+))\/health/.exec(demo.banner);
        assert(base, `the banner names the URL with the real port\n${demo.output()}`);
        port = Number(base[2]);
        assert(port > 0, "a real port");
        const token = /Bearer (halo_api_[A-Za-z0-9_-]+)/.exec(demo.banner)?.[1];
        assert(token, `the banner inlines the API token\n${demo.output()}`);
        assertMatch(demo.banner, /admin \/ \S+/);
        const api = new GatewayClient({ baseUrl: base[1]!, token });

        await t.step("six nodes, five or six online, two data providers", async () => {
          const { nodes } = await api.request("GET", "/v1/nodes", { schema: nodesSchema });
          assertEquals(nodes.length, 6, JSON.stringify(nodes.map((n) => n.name)));
          const online = nodes.filter((n) => n.status === "online").length;
          assert(online >= 5, `${online} of 6 online`);
          assertEquals(nodes.filter((n) => n.role === "gateway").map((n) => n.name), [
            "halo-gateway",
          ]);
          assertEquals(nodes.filter((n) => n.data_provider).length, 2);
          assert(nodes.every((n) => n.mesh === "ETHRX0001-8A" && n.tags.includes("demo")));
          firstIds = nodes.map((n) => n.id).sort();
        });

        await t.step("topology gives every online node a path to the gateway", async () => {
          const topo = await api.request("GET", "/v1/topology", { schema: topologySchema });
          assert(topo.gateway_id, "there is a gateway");
          for (const node of topo.nodes.filter((n) => n.status === "online")) {
            assert(node.reachable, `${node.name} is reachable`);
            assertEquals(
              node.path.at(-1),
              topo.gateway_id,
              `${node.name}'s path ends at the gateway`,
            );
          }
          const leaf = topo.nodes.find((n) => n.name === "halo-leaf-01")!;
          assertEquals(leaf.hops, 2, "halo-leaf-01 reaches the gateway through the relay");
        });

        await t.step("neuron n01 runs on four devices", async () => {
          const neuron = await api.request("GET", "/v1/neurons/n01", {
            schema: z.object({ devices: z.array(z.object({ name: z.string() })) }),
          });
          assertEquals(neuron.devices.map((d) => d.name).sort(), [
            "halo-gateway",
            "halo-leaf-01",
            "halo-leaf-02",
            "halo-relay-01",
          ]);
        });

        await t.step("each printed curl command works", async () => {
          for (const line of curls) {
            const { url, headers } = parseCurl(line);
            const res = await fetch(url, { headers });
            const body = await res.json();
            assertEquals(res.status, 200, `${line}\n${JSON.stringify(body)}`);
          }
        });

        await t.step("three days of telemetry were back-filled before the banner", async () => {
          assertMatch(demo.banner, /Back-filled [\d,]+ samples in [\d.]+ s/);
          const { nodes } = await api.request("GET", "/v1/nodes", { schema: nodesSchema });
          const leaf = nodes.find((n) => n.name === "halo-leaf-01")!;
          const from = Date.now() - 3 * DAY;
          const result = await api.request("GET", "/v1/telemetry", {
            query: { node: leaf.id, metric: "soc.temp", from: String(from) },
            schema: telemetryResultSchema,
          });
          assertEquals(result.series.length, 1, JSON.stringify(result.series.map((s) => s.labels)));
          const series = result.series[0]!;
          assertEquals([series.node_name, series.unit], ["halo-leaf-01", "°C"]);
          const points = series.points;
          assert(points.length >= 0.95 * 3 * 24 * 60, `${points.length} points in three days`);
          assert(points[0]!.ts <= from + 10 * 60_000, "the history reaches back three days");
          const highest = Math.max(...points.map((p) => ("max" in p ? p.max : p.value)));
          assert(highest > 45, `the weather station crossed 45 °C (highest ${highest} °C)`);
        });

        await t.step("the portal opens on the demo with the demo flow's alerts", async () => {
          const portal = await fetch(`${base[1]}/`, { redirect: "manual" });
          await portal.body?.cancel();
          assertEquals([portal.status, portal.headers.get("location")], [303, "/login?next=%2F"]);
          const login = await fetch(`${base[1]}/login`);
          assertMatch(await login.text(), /<form class="stack" method="post" action="\/login">/);
          const { alerts } = await api.request("GET", "/v1/alerts?status=open") as {
            alerts: { flow_name: string | null; message: string }[];
          };
          assert(
            alerts.some((a) =>
              a.flow_name === "Hot node (demo)" && /soc\.temp hit/.test(a.message)
            ),
            `an open alert of the demo flow: ${JSON.stringify(alerts)}`,
          );
        });

        await t.step("the printed admin password is the admin's own, kept 0600", async () => {
          const password = /Admin login +admin \/ (\S+)/.exec(demo.banner)?.[1];
          assert(password, `the banner prints the admin login\n${demo.output()}`);
          const admin = new GatewayClient({ baseUrl: base[1]! });
          const login = await admin.login("admin", password);
          assertEquals(login.user.must_change_password, false);
          await admin.request("GET", "/v1/users");
          const file = `${dataDir}/admin-password`;
          assertEquals((await Deno.readTextFile(file)).trim(), password);
          assertEquals((await Deno.stat(file)).mode! & 0o777, 0o600);
          adminPassword = password;
        });

        await t.step("every node sends fresh telemetry after the banner", async () => {
          const { series } = await api.request("GET", "/v1/telemetry/latest", {
            schema: latestSchema,
          });
          const metrics = new Set(series.map((s) => s.metric));
          for (const m of ["cpu.usage", "soc.temp", "link.tq", "env.humidity", "power.voltage"]) {
            assert(metrics.has(m), `latest has ${m}`);
          }
          const { fresh, stale } = await waitForFreshTelemetry(api, bannerAt);
          assertEquals(stale, [], `fresh: ${fresh.join(", ")}`);
          assertEquals(fresh.length, 6);
        });

        await t.step("Ctrl-C exits 0 and the gateway is gone", async () => {
          assertEquals(await interrupt(demo), 0, demo.output());
          await assertRejects(
            () => Deno.connect({ hostname: "127.0.0.1", port }),
            Deno.errors.ConnectionRefused,
          );
        });
      } finally {
        await cleanUp(demo);
      }
    });

    await t.step("a second run on the same data gives the same six nodes", async () => {
      const startedAt = Date.now();
      const demo = await startDemo(dataDir);
      try {
        assertMatch(demo.banner, /earlier run/);
        assertMatch(demo.banner, new RegExp(`admin / ${adminPassword} `), "the same admin login");
        const base = /curl -s (http:\/\/127\.0\.0\.1:\d+)\/health/.exec(demo.banner)![1]!;
        const token = /Bearer (halo_api_[A-Za-z0-9_-]+)/.exec(demo.banner)![1]!;
        const api = new GatewayClient({ baseUrl: base, token });
        const { nodes } = await api.request("GET", "/v1/nodes", { schema: nodesSchema });
        assertEquals(nodes.map((n) => n.id).sort(), firstIds);
        const { events } = await api.request("GET", "/v1/events", {
          query: { type: "rebooted" },
          schema: z.object({ events: z.array(z.unknown()) }),
        });
        assertEquals(events.length, 0, "restarting the demo does not reboot the devices");
        const enrolled = await api.request("GET", "/v1/events", {
          query: { type: "enrolled,enroll_refused" },
          schema: z.object({ events: z.array(z.object({ type: z.string() })) }),
        });
        assertEquals(
          enrolled.events.map((e) => e.type),
          Array(6).fill("enrolled"),
          "the devices kept their agent tokens instead of enrolling again",
        );
        const tokens = await Deno.stat(`${dataDir}/agent-tokens.json`);
        assertEquals(tokens.mode! & 0o777, 0o600, "the kept agent tokens are the owner's only");
        assert(!demo.banner.includes("Back-filling"), "the history is back-filled once");
        const { stale } = await waitForFreshTelemetry(api, startedAt);
        assertEquals(stale, [], "telemetry goes on with a new epoch");
        assertEquals(await interrupt(demo), 0, demo.output());
      } finally {
        await cleanUp(demo);
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
