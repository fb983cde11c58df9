/**
 * A world for the portal's browser tests: the real gateway as a child
 * process, the demo network enrolled and reporting every 2 s over real HTTP,
 * a few hours of back-filled telemetry, the demo flow, and one user of each
 * role with a known password. Nodes can be taken off the mesh to watch the
 * portal notice.
 */
import { GatewayClient } from "../../lib/api_client.ts";
import { systemClock } from "../../lib/clock.ts";
import { createLogger } from "../../lib/log.ts";
import type { UserRole } from "../../lib/schemas/common.ts";
import { DEMO_NETWORK } from "../../lib/sim/network_plan.ts";
import { SimNetwork } from "../../lib/sim/sim_network.ts";
import { SimTelemetry } from "../../lib/sim/telemetry.ts";
import { provisionDemoFlow } from "../../lib/sim/demo_flow.ts";
import { provision } from "../../lib/sim/provision.ts";
import { reportOnce, runReporters } from "../../lib/sim/reporting_loop.ts";
import { backfillTelemetry } from "../../lib/sim/telemetry_loop.ts";
import { TelemetrySender } from "../../lib/uplink/telemetry_sender.ts";
import {
  type GatewayProcess,
  loginAdmin,
  startGatewayProcess,
  tempDirs,
} from "./gateway_process.ts";
import { loginAs } from "./login.ts";
import { startWebhookSink, type WebhookSink } from "./webhook_sink.ts";

/** How often the world's nodes report; with one missed report a node is offline. */
const REPORT_INTERVAL_S = 2;
const BACKFILL_HOURS = 3;

/** A person who logs in to the portal. */
export interface WorldUser {
  username: string;
  password: string;
  role: UserRole;
}

/** An enrolled simulated device. */
export interface WorldDevice {
  key: string;
  nodeId: string;
  name: string;
}

/** See the module comment. */
export interface PortalWorld extends AsyncDisposable {
  baseUrl: string;
  gateway: GatewayProcess;
  /** Logged in as the initial admin (cookie + CSRF), for setting things up over the API. */
  admin: GatewayClient;
  users: Record<UserRole, WorldUser>;
  devices: WorldDevice[];
  /** The demo flow ("Hot node (demo)") and the sink its webhook posts to. */
  demoFlowId: number;
  sink: WebhookSink;
  /** Samples back-filled per device, from `BACKFILL_HOURS` ago until the start. */
  backfilledFrom: number;
  /** Stops the device's reports: the gateway marks it offline within a few seconds. */
  disconnect(key: string): void;
  /** Lets the device report again. */
  reconnect(key: string): void;
  /** A session cookie (`halo_session=…`) for `role`, logged in over the API. */
  cookieFor(role: UserRole): Promise<string>;
}

/** Starts a world; dispose it with `await using`. */
export async function startPortalWorld(): Promise<PortalWorld> {
  const dirs = await tempDirs();
  const sink = await startWebhookSink();
  const stop = new AbortController();
  let gateway: GatewayProcess | null = null;
  const loops: Promise<void>[] = [];
  const dispose = async () => {
    stop.abort();
    await Promise.allSettled(loops);
    if (gateway) await gateway.stop("SIGTERM");
    await sink[Symbol.asyncDispose]();
    await dirs[Symbol.asyncDispose]();
  };
  try {
    gateway = await startGatewayProcess(dirs);
    const baseUrl = gateway.baseUrl;
    const log = createLogger({ component: "portal-world", level: "warn" });
    // The one-time password is changed first: it allows nothing else.
    const { client: admin } = await loginAdmin(baseUrl, dirs);
    await admin.request("PATCH", "/v1/settings", {
      body: { report_interval_s: REPORT_INTERVAL_S, offline_after_missed: 1 },
    });
    const users = {} as Record<UserRole, WorldUser>;
    for (const role of ["viewer", "operator", "admin"] as const) {
      const user = { username: `${role}-user`, password: `${role}-password-123`, role };
      // Created with a one-time password, then set as the user would at first login.
      const oneTime = `${role}-one-time-123`;
      await admin.request("POST", "/v1/users", { body: { ...user, password: oneTime } });
      const self = new GatewayClient({ baseUrl });
      await self.login(user.username, oneTime);
      await self.request("POST", "/v1/auth/password", {
        body: { current_password: oneTime, new_password: user.password },
      });
      users[role] = user;
    }
    const setup = await provision(admin, DEMO_NETWORK, { log });
    const demoFlowId = await provisionDemoFlow(admin, sink.url);

    const clock = systemClock;
    const network = new SimNetwork(DEMO_NETWORK, { random: Math.random, now: clock.now() });
    const devices = setup.devices.map((d) => ({
      key: d.key,
      nodeId: d.nodeId,
      name: d.name,
      client: new GatewayClient({ baseUrl, token: d.agentToken }),
    }));
    await reportOnce({ network, devices, clock, log });
    loops.push(runReporters({
      network,
      devices,
      clock,
      log,
      signal: stop.signal,
      intervalMs: REPORT_INTERVAL_S * 1000,
      random: Math.random,
    }));

    const to = clock.now();
    const backfilledFrom = to - BACKFILL_HOURS * 3600_000;
    await backfillTelemetry({
      telemetry: new SimTelemetry(DEMO_NETWORK, { seed: 1 }),
      devices: setup.devices.map((d) => ({
        key: d.key,
        nodeId: d.nodeId,
        name: d.name,
        sender: new TelemetrySender({
          baseUrl,
          token: d.agentToken,
          nodeId: d.nodeId,
          epoch: `world-${to.toString(36)}`,
          maxInFlight: 4,
        }),
      })),
      from: backfilledFrom,
      to,
      clock,
      log,
      signal: stop.signal,
    });

    return {
      baseUrl,
      gateway,
      admin,
      users,
      devices: devices.map(({ key, nodeId, name }) => ({ key, nodeId, name })),
      demoFlowId,
      sink,
      backfilledFrom,
      disconnect: (key) => network.disconnect(key, clock.now()),
      reconnect: (key) => network.reconnect(key, clock.now()),
      async cookieFor(role) {
        return (await loginAs(baseUrl, users[role].username, users[role].password)).cookie;
      },
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
