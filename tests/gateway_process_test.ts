/**
 * System test of the real gateway process: first run, enrollment and reports
 * over real HTTP, events (stored and live), topology, SIGKILL and restart,
 * backup and restore (tests/backup_restore_test.ts tells the rest of that story),
 * clean shutdown, and the command line.
 */
import { GatewayApiError, GatewayClient } from "../lib/api_client.ts";
import type { NodeReportInput } from "../lib/schemas/report.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../lib/testing/assert.ts";
import {
  type GatewayProcess,
  runGatewayCommand,
  startGatewayProcess,
  tempDirs,
} from "./_helpers/gateway_process.ts";

/** Each simulated device: its identity, its interfaces, and whose HaLow radio it hears. */
const DEVICES = {
  gateway: {
    serial: "0000000047570001",
    hostname: "halo-gw",
    role: "gateway",
    halow: "02:00:00:00:01:01",
    bat: "10.42.0.1/16",
    hears: ["relay"],
  },
  relay: {
    serial: "0000000052450002",
    hostname: "relay-1",
    role: "node",
    halow: "02:00:00:00:01:02",
    bat: "10.42.0.2/16",
    hears: ["gateway", "leaf"],
  },
  leaf: {
    serial: "000000004c460003",
    hostname: "leaf-1",
    role: "node",
    halow: "02:00:00:00:01:03",
    bat: "10.42.0.3/16",
    hears: ["relay"],
  },
} as const;
type DeviceName = keyof typeof DEVICES;

/** A report as the agent sends it; links name the neighbour by the MAC of its halow0. */
function reportOf(name: DeviceName, bootId: string, uptime = 600): NodeReportInput {
  const d = DEVICES[name];
  return {
    boot_id: bootId,
    uptime_s: uptime,
    hostname: d.hostname,
    versions: { "halo-agent": "dev", kernel: "6.6.31-v8" },
    interfaces: [
      { name: "halow0", kind: "halow", mac: d.halow, addresses: [], up: true },
      { name: "bat0", kind: "batman", addresses: [d.bat], up: true },
    ],
    links: d.hears.map((other) => ({
      iface: "halow0",
      neighbor_mac: DEVICES[other].halow,
      tq: 220,
      signal_dbm: -61,
      last_seen_ms: 400,
    })),
  };
}

interface Enrolled {
  id: string;
  token: string;
}

interface Topology {
  gateway_id: string | null;
  nodes: { id: string; hops: number | null; path: string[]; reachable: boolean }[];
  links: { from: string; to: string; live: boolean }[];
}

/** Reads Server-Sent Events messages off a response body. */
class SseReader {
  #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";
  constructor(body: ReadableStream<Uint8Array<ArrayBuffer>>) {
    this.#reader = body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next message as its fields (`id`, `data`, `retry` …); null when the stream ends. */
  async next(): Promise<Record<string, string> | null> {
    while (true) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const key = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          fields[key] = key in fields ? `${fields[key]}\n${value}` : value;
        }
        if (Object.keys(fields).length > 0) return fields;
        continue;
      }
      const { done, value } = await this.#reader.read();
      if (done) return null;
      this.#buffer += value;
    }
  }

  /** Messages until one satisfies `found`; throws if the stream ends first. */
  async until(found: (message: Record<string, string>) => boolean) {
    const seen: Record<string, string>[] = [];
    while (true) {
      const message = await this.next();
      if (message === null) {
        throw new Error(`Stream ended before the expected message; got ${JSON.stringify(seen)}`);
      }
      seen.push(message);
      if (found(message)) return seen;
    }
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }
}

/** Guards each network wait against hanging; not a timing assertion. */
const GUARD_MS = 30_000;

function openStream(gw: GatewayProcess, token: string, lastEventId?: number) {
  return fetch(`${gw.baseUrl}/v1/events/stream`, {
    headers: {
      authorization: `Bearer ${token}`,
      ...(lastEventId !== undefined ? { "last-event-id": String(lastEventId) } : {}),
    },
    signal: AbortSignal.timeout(GUARD_MS),
  });
}

/** Everything a restart must keep, as the API shows it. */
async function snapshot(client: GatewayClient, ids: string[]) {
  const tokens = (await client.request("GET", "/v1/tokens") as {
    tokens: Record<string, unknown>[];
  }).tokens.map(({ last_used_at: _, ...rest }) => rest);
  const topology = await client.request("GET", "/v1/topology") as Record<string, unknown>;
  delete topology.computed_at;
  return {
    nodes: await client.request("GET", "/v1/nodes"),
    details: await Promise.all(ids.map((id) => client.request("GET", `/v1/nodes/${id}`))),
    events: await client.request("GET", "/v1/events", { query: { limit: "1000" } }),
    tokens,
    joinTokens: await client.request("GET", "/v1/enrollment/tokens"),
    settings: await client.request("GET", "/v1/settings"),
    topology,
  };
}

Deno.test("the gateway process keeps what it acknowledged across SIGKILL, restart and restore", async (t) => {
  await using dirs = await tempDirs();
  const started: GatewayProcess[] = [];
  const start = async (d: typeof dirs) => {
    const p = await startGatewayProcess(d);
    started.push(p);
    return p;
  };
  let gw = await start(dirs);
  // Whichever process is current at the end is killed, even when a step fails.
  await using _cleanup = { [Symbol.asyncDispose]: () => gw.stop("SIGKILL").then(() => {}) };

  let password = "";
  const admin = () => new GatewayClient({ baseUrl: gw.baseUrl });
  let session = admin();
  let apiToken = "";
  let joinToken = "";
  const nodes = {} as Record<DeviceName, Enrolled>;
  const boots = {} as Record<DeviceName, string>;
  /** Sends `name`'s report as its agent; a new boot id unless `sameBoot`. */
  const report = (name: DeviceName, options: { sameBoot?: boolean; uptime?: number } = {}) => {
    if (!options.sameBoot) boots[name] = crypto.randomUUID();
    return new GatewayClient({ baseUrl: gw.baseUrl, token: nodes[name].token })
      .report(nodes[name].id, reportOf(name, boots[name], options.uptime));
  };

  await t.step(
    "on first start it writes initial-admin (0600) and that admin can log in",
    async () => {
      const file = `${dirs.varDir}/initial-admin`;
      const initial = JSON.parse(await Deno.readTextFile(file));
      assertEquals(initial.username, "admin");
      password = initial.password;
      assertEquals((await Deno.stat(file)).mode! & 0o777, 0o600);
      const login = await session.login("admin", password);
      assertEquals(login.user.role, "admin");
      assertEquals(login.user.must_change_password, true);
    },
  );

  await t.step("the one-time password allows nothing but changing it", async () => {
    const refused = await session.request("POST", "/v1/tokens", {
      body: { name: "too early", role: "admin" },
    }).catch((error) => error);
    assert(refused instanceof GatewayApiError, "a token was created with the one-time password");
    assertEquals([refused.status, refused.body?.error.code], [403, "password_change_required"]);
    const chosen = "the-admins-own-password";
    await session.request("POST", "/v1/auth/password", {
      body: { current_password: password, new_password: chosen },
    });
    password = chosen;
  });

  await t.step(
    "its /health says how much of the data disk is free (it may read that)",
    async () => {
      // The disk check runs at start-up; without the sys permission it fails and only logs.
      let health: { telemetry: { disk_free_percent: number | null } } | undefined;
      for (let i = 0; i < 100 && typeof health?.telemetry.disk_free_percent !== "number"; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 50));
        health = await (await fetch(`${gw.baseUrl}/health`)).json();
      }
      const free = health!.telemetry.disk_free_percent;
      assert(typeof free === "number" && free >= 0 && free <= 100, `disk_free_percent ${free}`);
    },
  );

  await t.step(
    "the admin sets a long report interval, an API token and a join token for three",
    async () => {
      // A long report interval keeps links live however slowly this machine runs the test.
      await session.request("PATCH", "/v1/settings", { body: { report_interval_s: 3600 } });
      const token = await session.request("POST", "/v1/tokens", {
        body: { name: "system test", role: "admin" },
      }) as { token: string };
      apiToken = token.token;
      const join = await session.request("POST", "/v1/enrollment/tokens", {
        body: { name: "field batch", max_uses: 3 },
      }) as { token: string };
      joinToken = join.token;
    },
  );

  await t.step("a gateway, a relay and a leaf enroll and report their links", async () => {
    const anonymous = new GatewayClient({ baseUrl: gw.baseUrl });
    for (const name of ["gateway", "relay", "leaf"] as const) {
      const d = DEVICES[name];
      const enrolled = await anonymous.enroll({
        join_token: joinToken,
        hardware: { serial: d.serial },
        hostname: d.hostname,
        role: d.role,
      });
      assertEquals(enrolled.role, d.role);
      nodes[name] = { id: enrolled.node_id, token: enrolled.agent_token };
    }
    for (const name of ["gateway", "relay", "leaf"] as const) {
      const before = Date.now();
      const answer = await report(name);
      assertEquals(answer.events, ["online"]);
      // The gateway's clock, for nodes without one; 60 s of slack for a wall-clock step.
      assert(Math.abs(answer.gateway_time_ms - before) < 60_000, "gateway_time_ms is off");
    }
  });

  await t.step("GET /v1/events lists each node's enrolled and online events", async () => {
    const { events } = await session.request("GET", "/v1/events") as {
      events: { type: string; node_id: string }[];
    };
    for (const node of Object.values(nodes)) {
      const types = events.filter((e) => e.node_id === node.id).map((e) => e.type).sort();
      assertEquals(types, ["enrolled", "online"]);
    }
  });

  const expectedTopology = () => [
    { id: nodes.gateway.id, hops: 0, path: [nodes.gateway.id] },
    { id: nodes.relay.id, hops: 1, path: [nodes.relay.id, nodes.gateway.id] },
    { id: nodes.leaf.id, hops: 2, path: [nodes.leaf.id, nodes.relay.id, nodes.gateway.id] },
  ];
  const hops = (topology: Topology) =>
    topology.nodes.map(({ id, hops, path }) => ({ id, hops, path })).sort((a, b) =>
      (a.hops ?? 99) - (b.hops ?? 99)
    );

  await t.step("GET /v1/topology gives hops 0, 1 and 2 and each path to the gateway", async () => {
    const topology = await session.request("GET", "/v1/topology") as Topology;
    assertEquals(topology.gateway_id, nodes.gateway.id);
    assertEquals(hops(topology), expectedTopology());
    assertEquals(topology.links.length, 4);
    assert(topology.links.every((l) => l.live), "a reported link is not live");
  });

  await t.step("GET /v1/events/stream delivers an event as it happens", async () => {
    const res = await openStream(gw, apiToken);
    assertEquals(res.status, 200);
    assertStringIncludes(res.headers.get("content-type") ?? "", "text/event-stream");
    const stream = new SseReader(res.body!);
    try {
      // The gateway subscribes before it writes `retry`, so what follows is live.
      await stream.until((m) => "retry" in m);
      await report("relay");
      const seen = await stream.until((m) => m.data !== undefined);
      const event = JSON.parse(seen.at(-1)!.data!);
      assertEquals([event.type, event.node_id], ["rebooted", nodes.relay.id]);
      assertEquals(seen.at(-1)!.id, String(event.id));
    } finally {
      await stream.cancel();
    }
  });

  await t.step("the stream resumes after Last-Event-ID with the events missed", async () => {
    const { events } = await session.request("GET", "/v1/events") as { events: { id: number }[] };
    const ids = events.map((e) => e.id).sort((a, b) => a - b);
    const res = await openStream(gw, apiToken, ids[1]!);
    const stream = new SseReader(res.body!);
    try {
      const seen = await stream.until((m) => "retry" in m);
      assertEquals(seen.filter((m) => m.id).map((m) => Number(m.id)), ids.slice(2));
    } finally {
      await stream.cancel();
    }
  });

  let before: Awaited<ReturnType<typeof snapshot>>;
  await t.step(
    "after SIGKILL and a restart on the same data dir nothing acknowledged is lost",
    async () => {
      const initialAdmin = await Deno.readTextFile(`${dirs.varDir}/initial-admin`);
      before = await snapshot(session, Object.values(nodes).map((n) => n.id));
      const status = await gw.stop("SIGKILL");
      assertEquals(status.signal, "SIGKILL");

      gw = await start(dirs);
      assertEquals(await Deno.readTextFile(`${dirs.varDir}/initial-admin`), initialAdmin);
      const token = new GatewayClient({ baseUrl: gw.baseUrl, token: apiToken });
      assertEquals(await snapshot(token, Object.values(nodes).map((n) => n.id)), before);
      const topology = await token.request("GET", "/v1/topology") as Topology;
      assertEquals(hops(topology), expectedTopology());
    },
  );

  await t.step("after the restart the admin login and the agent tokens still work", async () => {
    session = admin();
    await session.login("admin", password);
    for (const name of ["gateway", "relay", "leaf"] as const) {
      assertEquals((await report(name)).events, ["rebooted"]);
    }
  });

  await t.step(
    "a backup restored into a new data dir starts a gateway with the same data",
    async () => {
      const passphrase = "system test backup passphrase";
      const res = await fetch(`${gw.baseUrl}/v1/system/backup`, {
        method: "POST",
        headers: { authorization: `Bearer ${apiToken}`, "content-type": "application/json" },
        body: JSON.stringify({ passphrase }),
        signal: AbortSignal.timeout(GUARD_MS),
      });
      const bytes = new Uint8Array(await res.arrayBuffer());
      assertEquals(res.status, 200, new TextDecoder().decode(bytes.slice(0, 300)));
      const expected = await snapshot(session, Object.values(nodes).map((n) => n.id));

      await using restoredDirs = await tempDirs();
      const file = `${restoredDirs.etcDir}/halo-backup.tar.age`;
      await Deno.writeFile(file, bytes);
      const restoring = await runGatewayCommand(["restore", file], restoredDirs, {
        stdin: `${passphrase}\n`,
      });
      assertEquals(restoring.code, 0, restoring.stderr);
      await using restored = await start(restoredDirs);
      // The restored database has an admin, so no new one-time password is made.
      assert(!await exists(`${restoredDirs.varDir}/initial-admin`), "a new initial-admin appeared");
      const client = new GatewayClient({ baseUrl: restored.baseUrl });
      await client.login("admin", password);
      assertEquals(await snapshot(client, Object.values(nodes).map((n) => n.id)), expected);
      const status = await restored.stop("SIGTERM");
      assertEquals(status.code, 0);
    },
  );

  let leafBefore: Record<string, unknown> = {};
  await t.step("SIGTERM ends open event streams and exits 0", async () => {
    // A report that changes nothing structural is held in memory until the next flush.
    assertEquals((await report("leaf", { sameBoot: true, uptime: 4242 })).events, []);
    leafBefore = await session.request("GET", `/v1/nodes/${nodes.leaf.id}`) as typeof leafBefore;
    assertEquals(leafBefore.uptime_s, 4242);
    const res = await openStream(gw, apiToken);
    const stream = new SseReader(res.body!);
    await stream.until((m) => "retry" in m);
    const status = await gw.stop("SIGTERM");
    assertEquals(status.code, 0);
    assert(gw.logs.some((l) => l.msg === "shutting down"), "no 'shutting down' log line");
    // A clean end, not a connection cut mid-body: clients tell "server went away" by it.
    try {
      while (await stream.next() !== null) { /* what was sent before the end */ }
    } catch (error) {
      throw new Error(`The event stream was cut off instead of ended: ${error}`);
    }
  });

  await t.step(
    "after a clean stop the latest report's uptime and last-seen time are kept",
    async () => {
      gw = await start(dirs);
      const client = new GatewayClient({ baseUrl: gw.baseUrl, token: apiToken });
      const leaf = await client.request("GET", `/v1/nodes/${nodes.leaf.id}`);
      assertEquals(leaf, leafBefore);
    },
  );

  await t.step("no gateway process logged an error", () => {
    const errors = started.flatMap((p) => p.logs.filter((l) => l.level === "error"));
    assertEquals(errors, []);
  });
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

Deno.test("gateway-api's command line", async (t) => {
  await using dirs = await tempDirs();

  await t.step("--version prints the program, dev and the commit", async () => {
    const result = await runGatewayCommand(["--version"], dirs);
    assertEquals(result.code, 0);
    assertMatch(result.stdout, /^gateway-api dev \(([0-9a-f]{12}|unknown commit)\)\n$/);
  });

  await t.step("--help prints the usage and exits 0", async () => {
    const result = await runGatewayCommand(["--help"], dirs);
    assertEquals(result.code, 0);
    assertStringIncludes(result.stdout, "Usage:");
    assertStringIncludes(result.stdout, "--listen HOST:PORT");
  });

  await t.step(
    "a bad --listen exits 2 naming the value, before touching the data dir",
    async () => {
      for (const [value, reason] of [["nonsense", "HOST:PORT"], ["127.0.0.1:99999", "0-65535"]]) {
        const result = await runGatewayCommand(["--listen", value!], dirs);
        assertEquals(result.code, 2, result.stderr);
        assertStringIncludes(result.stderr, `Invalid --listen "${value}"`);
        assertStringIncludes(result.stderr, reason!);
      }
      assertEquals(await Array.fromAsync(Deno.readDir(dirs.varDir)), []);
    },
  );

  await t.step("an unknown option exits 2 and points to --help", async () => {
    const result = await runGatewayCommand(["--bogus"], dirs);
    assertEquals(result.code, 2);
    assertStringIncludes(result.stderr, "--help");
  });

  await t.step("a bad config.yaml fails startup naming the file, line and field", async () => {
    const file = `${dirs.etcDir}/config.yaml`;
    await Deno.writeTextFile(
      file,
      "role: gateway\nlog_level: info\ngateway:\n  listen: 0.0.0.0:http\n",
    );
    const result = await runGatewayCommand([], dirs);
    assertEquals(result.code, 2, result.stderr);
    assertStringIncludes(result.stderr, file);
    assertMatch(result.stderr, /line 4: gateway\.listen: /);
    assertEquals(await Array.fromAsync(Deno.readDir(dirs.varDir)), []);
  });

  await t.step("a config.yaml that is not YAML fails naming the file and line", async () => {
    const file = `${dirs.etcDir}/config.yaml`;
    await Deno.writeTextFile(file, "role: gateway\ngateway: [unclosed\n");
    const result = await runGatewayCommand([], dirs);
    assertEquals(result.code, 2, result.stderr);
    assertStringIncludes(result.stderr, file);
    assertMatch(result.stderr, /line \d+: /);
  });
});
