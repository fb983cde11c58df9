import { assert, assertEquals, assertRejects } from "../lib/testing/assert.ts";
import { GatewayClient } from "../lib/api_client.ts";
import { parseAgentEnv } from "../lib/config/agent_env.ts";
import { denoFileSystem } from "../lib/fs.ts";
import { createLogger } from "../lib/log.ts";
import { FakeClock } from "../lib/testing/fake_clock.ts";
import { FakeFileSystem } from "../lib/testing/fake_fs.ts";
import { AGENT_ENV_MODE, enroll, EnrollmentError, enrollUntilDone } from "./enroll.ts";
import { MidpointClockSync } from "./midpoint_clock_sync.ts";
import { simulatedHardwareIdentity } from "./sources/hardware_identity.ts";

const JOIN = "halo_join_" + "J".repeat(43);
const AGENT = "halo_agent_" + "A".repeat(43);
const FILE = "/etc/halo/agent-env";
const GATEWAY_TIME = Date.UTC(2026, 10, 23, 12);

/** A gateway whose `POST /v1/enroll` gives each answer in turn; records the bodies. */
function gateway(answers: (() => Response)[]) {
  const bodies: Record<string, unknown>[] = [];
  const http = async (request: Request) => {
    assertEquals(new URL(request.url).pathname, "/v1/enroll");
    bodies.push(await request.json());
    const next = answers.shift();
    if (!next) throw new Error("no more answers");
    return next();
  };
  return { client: new GatewayClient({ baseUrl: "http://198.18.0.1:8080", http }), bodies };
}

const enrolled = () =>
  Response.json({
    node_id: "n-0123456789ab",
    name: "mast-3",
    role: "node",
    agent_token: AGENT,
    reenrolled: false,
    gateway_time_ms: GATEWAY_TIME,
    report_interval_s: 15,
  });
const refused = (status: number, code: string) => () =>
  Response.json({ error: { code, message: `refused: ${code}` } }, { status });
const unreachable = () => {
  throw new TypeError("error sending request: connection refused");
};

function options(client: GatewayClient, fs = new FakeFileSystem()) {
  const clock = new FakeClock(GATEWAY_TIME - 3_600_000);
  return {
    client,
    joining: { HALO_JOIN_TOKEN: JOIN, HALO_GATEWAY_URL: "http://198.18.0.1:8080" },
    agentEnvFile: FILE,
    fs,
    hardware: simulatedHardwareIdentity({ serial: "SIM0001", machine_id: "a".repeat(32) }),
    hostname: "mast-3",
    role: "node" as const,
    clock,
    clockSync: new MidpointClockSync(clock),
    log: createLogger({ component: "test", write: () => {} }),
  };
}

Deno.test("enroll()", async (t) => {
  await t.step("sends the identity and replaces the join token with the credentials", async () => {
    const gw = gateway([enrolled]);
    const fs = new FakeFileSystem({ [FILE]: `HALO_JOIN_TOKEN=${JOIN}\n` });
    const o = options(gw.client, fs);
    const result = await enroll(o);
    assertEquals(gw.bodies, [{
      join_token: JOIN,
      hardware: { serial: "SIM0001", machine_id: "a".repeat(32) },
      hostname: "mast-3",
      role: "node",
    }]);
    const expected = {
      HALO_NODE_ID: "n-0123456789ab",
      HALO_AGENT_TOKEN: AGENT,
      HALO_GATEWAY_URL: "http://198.18.0.1:8080",
    };
    assertEquals(result, { env: expected, name: "mast-3", reportIntervalS: 15 });
    assertEquals(parseAgentEnv(fs.files.get(FILE)!, FILE), expected);
    assertEquals(fs.modes.get(FILE), 0o640);
    // The node's clock, an hour behind, now reads in gateway time.
    assertEquals(o.clockSync.now(), { ms: GATEWAY_TIME, synced: true });
  });

  await t.step("a known live node is refused with what the operator does next", async () => {
    const gw = gateway([refused(409, "node_already_enrolled")]);
    const fs = new FakeFileSystem({ [FILE]: `HALO_JOIN_TOKEN=${JOIN}\n` });
    const error = await assertRejects(
      () => enroll(options(gw.client, fs)),
      EnrollmentError,
      "Ask an admin for a replacement token for that node",
    ) as EnrollmentError;
    assertEquals(error.retryable, false);
    assertEquals(fs.files.get(FILE), `HALO_JOIN_TOKEN=${JOIN}\n`);
  });

  await t.step("a spent join token says to get a new one", async () => {
    const gw = gateway([refused(401, "unauthorized")]);
    const error = await assertRejects(
      () => enroll(options(gw.client)),
      EnrollmentError,
      `The gateway refused the join token in ${FILE}`,
    ) as EnrollmentError;
    assertEquals(error.retryable, false);
  });

  await t.step("a hostname the gateway refuses is named before anything is sent", async () => {
    const gw = gateway([enrolled]);
    await assertRejects(
      () => enroll({ ...options(gw.client), hostname: null }),
      EnrollmentError,
      "hostname is not one the gateway accepts",
    );
    assertEquals(gw.bodies.length, 0);
  });

  await t.step("credentials that cannot be written are named with the node", async () => {
    const gw = gateway([enrolled]);
    const fs = new FakeFileSystem();
    fs.writeTextFileAtomic = () => Promise.reject(new Error("No space left on device"));
    await assertRejects(
      () => enroll(options(gw.client, fs)),
      EnrollmentError,
      "Enrolled as node n-0123456789ab, but cannot write /etc/halo/agent-env: No space left",
    );
  });
});

Deno.test("enrollUntilDone() tries again while the gateway is unreachable, not when it refuses", async (t) => {
  await t.step("unreachable, then enrolled after the backoff", async () => {
    const gw = gateway([unreachable, enrolled]);
    const o = options(gw.client);
    const done = enrollUntilDone(o, new AbortController().signal);
    await o.clock.tick(0);
    assertEquals(gw.bodies.length, 1);
    await o.clock.tick(1000);
    assertEquals((await done)?.env.HALO_NODE_ID, "n-0123456789ab");
    assertEquals(gw.bodies.length, 2);
  });

  await t.step("stopping while it waits gives null", async () => {
    const gw = gateway([unreachable]);
    const stop = new AbortController();
    const o = options(gw.client);
    const done = enrollUntilDone(o, stop.signal);
    await o.clock.tick(0);
    stop.abort();
    assertEquals(await done, null);
  });

  await t.step("a refusal ends it at once", async () => {
    const gw = gateway([refused(409, "node_already_enrolled")]);
    await assertRejects(
      () => enrollUntilDone(options(gw.client), new AbortController().signal),
      EnrollmentError,
      "replacement token",
    );
  });
});

Deno.test("enroll() replaces a real agent-env atomically with mode 0640", async () => {
  const dir = await Deno.makeTempDir({ prefix: "halo-enroll-" });
  try {
    const file = `${dir}/agent-env`;
    await Deno.writeTextFile(file, `HALO_JOIN_TOKEN=${JOIN}\n`, { mode: 0o600 });
    const gw = gateway([enrolled]);
    await enroll({ ...options(gw.client), fs: denoFileSystem, agentEnvFile: file });
    const text = await Deno.readTextFile(file);
    assert(!text.includes(JOIN), "the join token is gone");
    assertEquals(parseAgentEnv(text, file), {
      HALO_NODE_ID: "n-0123456789ab",
      HALO_AGENT_TOKEN: AGENT,
      HALO_GATEWAY_URL: "http://198.18.0.1:8080",
    });
    assertEquals((await Deno.stat(file)).mode! & 0o777, AGENT_ENV_MODE);
    const left = [];
    for await (const entry of Deno.readDir(dir)) left.push(entry.name);
    assertEquals(left, ["agent-env"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
