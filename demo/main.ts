/**
 * halo-demo: the gateway with six simulated nodes on this machine. This file
 * only wires the parts together and starts them, in this order: the real
 * gateway as a child process (launch_gateway.ts); the admin login and the
 * network set up over its API (lib/admin_login.ts, lib/sim/provision.ts,
 * the nodes' agent tokens kept between runs by agent_tokens.ts); the
 * simulated nodes reporting and sending telemetry as agents do (lib/sim,
 * through lib/uplink), back-filled on a fresh data directory; the event feed
 * and the banner. Ctrl-C, or the signal given to {@linkcode runDemo}, stops
 * the nodes first and then the gateway.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loginAsAdmin } from "../lib/admin_login.ts";
import { GatewayApiError, GatewayClient } from "../lib/api_client.ts";
import { versionLine } from "../lib/build_info.ts";
import { type Clock, systemClock } from "../lib/clock.ts";
import { denoFileSystem } from "../lib/fs.ts";
import { createLogger, type Logger, parseLogLevel } from "../lib/log.ts";
import { provisionDemoFlow } from "../lib/sim/demo_flow.ts";
import { DEMO_NETWORK } from "../lib/sim/network_plan.ts";
import { provision, type Provisioned } from "../lib/sim/provision.ts";
import { reportOnce, runDropouts, runReporters } from "../lib/sim/reporting_loop.ts";
import { SimNetwork } from "../lib/sim/sim_network.ts";
import { SimTelemetry } from "../lib/sim/telemetry.ts";
import {
  backfillTelemetry,
  runTelemetry,
  type TelemetryDevice,
} from "../lib/sim/telemetry_loop.ts";
import { TelemetrySender } from "../lib/uplink/telemetry_sender.ts";
import { readAgentTokens, writeAgentTokens } from "./agent_tokens.ts";
import { backfillPrinter, formatBackfillDone, formatBanner } from "./banner.ts";
import { DEMO_HELP, parseDemoArgs } from "./cli_args.ts";
import { runEventFeed } from "./event_feed.ts";
import { launchGateway } from "./launch_gateway.ts";
import { startDemoSink } from "./webhook_sink.ts";

const DROPOUT_EVERY_MS = 240_000;
const DROPOUT_AWAY_MS = 60_000;
/** Fixed, so every run tells the same story and live values join the back-filled ones. */
const TELEMETRY_SEED = 1;
const TELEMETRY_INTERVAL_MS = 10_000;
const BACKFILL_DAYS = 3;
const BACKFILL_STEP_MS = 60_000;
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Where and how the demo runs. */
export interface DemoOptions {
  /** `HOST:PORT` on loopback for the gateway; port 0 picks a free one. */
  listen: string;
  /** The gateway's `HALO_VAR`; the demo keeps the admin password and agent tokens there too. */
  dataDir: string;
  /** The repository root (deno.json, gateway/main.ts). */
  repoRoot: string;
  log: Logger;
  clock: Clock;
  /** Where the banner, the back-fill's progress, events and webhook messages go. */
  write: (line: string) => void;
}

/** The simulated nodes once they report: what the later steps start from. */
interface RunningNodes {
  network: SimNetwork;
  devices: { key: string; nodeId: string; name: string; client: GatewayClient }[];
  senders: TelemetryDevice[];
  telemetry: SimTelemetry;
}

/**
 * Runs the demo until `signal` aborts (resolves 0) or the gateway stops on
 * its own (resolves 1); either way the simulated nodes stop first, then the
 * gateway.
 *
 * @throws {Error} when the gateway does not start or cannot be set up.
 */
export async function runDemo(options: DemoOptions, signal: AbortSignal): Promise<number> {
  const { dataDir, clock, log, write } = options;
  const stopped = new Promise<void>((r) =>
    signal.aborted ? r() : signal.addEventListener("abort", () => r(), { once: true })
  );
  const logFile = `${dataDir}/gateway.log`;
  const reused = await denoFileSystem.exists(`${dataDir}/halo.db`);
  const gateway = await launchGateway({
    listen: options.listen,
    dataDir,
    repoRoot: options.repoRoot,
    logFile,
  });
  log.info("gateway started", { url: gateway.url, pid: gateway.pid, data_dir: dataDir, reused });
  // Also stops the loops when the gateway stops on its own.
  const halt = new AbortController();
  const running = AbortSignal.any([signal, halt.signal]);
  const loops: Promise<void>[] = [];
  // The demo flow posts Slack-shaped messages here; the demo prints them.
  const sink = startDemoSink(write);
  try {
    const admin = new GatewayClient({ baseUrl: gateway.url });
    const login = await loginAsAdmin(admin, dataDir);
    const setup = await setUpNetwork(admin, dataDir, sink.url, log);
    if (signal.aborted) return 0; // Ctrl-C while setting up.

    const nodes = await startNodes(gateway.url, setup, clock, log);
    // Reporting starts now, so the nodes stay online while the history is back-filled.
    loops.push(runReporters({
      ...nodes,
      clock,
      log,
      signal: running,
      intervalMs: setup.reportIntervalS * 1000,
      random: Math.random,
    }));
    const telemetryOn = reused || await backfill(nodes, { ...options, signal: running });
    if (signal.aborted) return 0; // Ctrl-C while back-filling.

    const flaky = nodes.devices.find((d) => d.key === DEMO_NETWORK.flaky)!;
    write(formatBanner({
      url: gateway.url,
      admin: login,
      apiToken: setup.apiToken,
      dataDir,
      logFile,
      nodeCount: nodes.devices.length,
      reportIntervalS: setup.reportIntervalS,
      flaky: { name: flaky.name, everyS: DROPOUT_EVERY_MS / 1000, awayS: DROPOUT_AWAY_MS / 1000 },
      reused,
      telemetry: telemetryOn
        ? { intervalS: TELEMETRY_INTERVAL_MS / 1000, backfilledDays: reused ? null : BACKFILL_DAYS }
        : null,
    }));
    loops.push(...startLiveLoops(nodes, flaky, {
      telemetryOn,
      events: admin.withToken(setup.apiToken),
      signal: running,
      clock,
      log,
      write,
    }));
    const crashed = await Promise.race([stopped.then(() => null), gateway.exited]);
    if (!crashed) return 0;
    log.error("the gateway stopped on its own", { code: crashed.code, log: logFile });
    return 1;
  } finally {
    halt.abort();
    await Promise.all(loops);
    const status = await gateway.stop();
    await sink[Symbol.asyncDispose]();
    log.info("demo stopped", { gateway_exit_code: status.code });
  }
}

/**
 * Enrolls the demo network and points the demo flow at this run's sink.
 * Simulated agents keep their tokens across runs, as real ones keep them in /etc/halo.
 */
async function setUpNetwork(
  admin: GatewayClient,
  dataDir: string,
  sinkUrl: string,
  log: Logger,
): Promise<Provisioned> {
  const setup = await provision(admin, DEMO_NETWORK, {
    log,
    agents: await readAgentTokens(dataDir),
  });
  await writeAgentTokens(
    dataDir,
    new Map(setup.devices.map((d) => [d.key, { nodeId: d.nodeId, agentToken: d.agentToken }])),
  );
  // Before the back-fill, so the history's hot afternoons have raised alerts already.
  const flowId = await provisionDemoFlow(admin, sinkUrl);
  log.info("demo flow ready", { flow_id: flowId, webhook: sinkUrl });
  return setup;
}

/** The simulated network with every device's API client and telemetry buffer; one report each. */
async function startNodes(
  baseUrl: string,
  setup: Provisioned,
  clock: Clock,
  log: Logger,
): Promise<RunningNodes> {
  // Devices the gateway knows carry on with their boot: they kept running while the demo was
  // stopped, so restarting the demo does not make every node look rebooted.
  const boots = Object.fromEntries(
    setup.devices.flatMap((d) => (d.lastBoot ? [[d.key, d.lastBoot]] : [])),
  );
  const network = new SimNetwork(DEMO_NETWORK, { random: Math.random, now: clock.now(), boots });
  const devices = setup.devices.map((d) => ({
    key: d.key,
    nodeId: d.nodeId,
    name: d.name,
    client: new GatewayClient({ baseUrl, token: d.agentToken }),
  }));
  await reportOnce({ network, devices, clock, log });
  // Each run is a new installation of the nodes' in-memory telemetry buffers: a new epoch.
  const epoch = `demo-${clock.now().toString(36)}`;
  const telemetry = new SimTelemetry(DEMO_NETWORK, {
    seed: TELEMETRY_SEED,
    utcOffsetMinutes: -new Date(clock.now()).getTimezoneOffset(),
  });
  const senders = setup.devices.map((d) => ({
    key: d.key,
    nodeId: d.nodeId,
    name: d.name,
    sender: new TelemetrySender({
      baseUrl,
      token: d.agentToken,
      nodeId: d.nodeId,
      epoch,
      maxInFlight: 4,
    }),
  }));
  return { network, devices, senders, telemetry };
}

/**
 * Back-fills `BACKFILL_DAYS` of history up to now, printing its progress;
 * the live rounds follow on within one interval. False when the gateway
 * takes no telemetry.
 */
async function backfill(
  nodes: RunningNodes,
  options: Pick<DemoOptions, "clock" | "log" | "write"> & { signal: AbortSignal },
): Promise<boolean> {
  const { clock, log } = options;
  const to = clock.now();
  const result = await backfillTelemetry({
    telemetry: nodes.telemetry,
    devices: nodes.senders,
    from: to - BACKFILL_DAYS * 86_400_000,
    to,
    stepMs: BACKFILL_STEP_MS,
    clock,
    log,
    signal: options.signal,
    onProgress: backfillPrinter({
      write: options.write,
      now: () => clock.now(),
      days: BACKFILL_DAYS,
      stepS: BACKFILL_STEP_MS / 1000,
      nodes: nodes.senders.length,
    }),
  });
  options.write(formatBackfillDone(result));
  log.info("telemetry back-filled", {
    samples: result.samples,
    batches: result.batches,
    ms: result.ms,
    samples_per_s: Math.round(result.samples / Math.max(result.ms / 1000, 0.001)),
    unsupported: result.unsupported,
  });
  return !result.unsupported;
}

/** Live telemetry (unless the gateway takes none), the flaky node's drop-offs and the event feed. */
function startLiveLoops(
  nodes: RunningNodes,
  flaky: { key: string; name: string },
  options: Pick<DemoOptions, "clock" | "log" | "write"> & {
    telemetryOn: boolean;
    /** A client with the demo's API token, for the event stream. */
    events: GatewayClient;
    signal: AbortSignal;
  },
): Promise<void>[] {
  const { clock, log, signal } = options;
  const loops: Promise<void>[] = [];
  if (options.telemetryOn) {
    loops.push(runTelemetry({
      telemetry: nodes.telemetry,
      network: nodes.network,
      devices: nodes.senders,
      clock,
      log,
      signal,
      intervalMs: TELEMETRY_INTERVAL_MS,
      random: Math.random,
    }));
  }
  loops.push(
    runDropouts({
      network: nodes.network,
      device: flaky,
      clock,
      log,
      signal,
      everyMs: DROPOUT_EVERY_MS,
      awayMs: DROPOUT_AWAY_MS,
    }),
    runEventFeed({ client: options.events, signal, clock, write: options.write }),
  );
  return loops;
}

/** Parses the arguments, runs the demo until Ctrl-C and returns the exit code. */
async function main(args: string[]): Promise<number> {
  const cmd = parseDemoArgs(args);
  if (cmd.command === "help") return (console.log(DEMO_HELP), 0);
  if (cmd.command === "version") return (console.log(versionLine("halo-demo")), 0);

  const repoRoot = fileURLToPath(new URL("..", import.meta.url)).replace(/\/+$/, "");
  const envLevel = Deno.env.get("HALO_LOG");
  const log = createLogger({
    component: "halo-demo",
    level: envLevel ? parseLogLevel(envLevel) : "info",
  });
  // Listen before starting anything, so Ctrl-C during start-up still cleans up.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  for (const signal of STOP_SIGNALS) Deno.addSignalListener(signal, onSignal);
  try {
    return await runDemo({
      listen: cmd.listen,
      dataDir: resolve(cmd.dataDir ?? `${repoRoot}/.halo-demo`),
      repoRoot,
      log,
      clock: systemClock,
      write: (line) => console.log(line),
    }, stop.signal);
  } finally {
    for (const signal of STOP_SIGNALS) Deno.removeSignalListener(signal, onSignal);
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    // Expected failures print one clear line; anything else keeps its stack.
    const known = error instanceof TypeError || error instanceof GatewayApiError ||
      (error as Error).name === "Error";
    console.error(
      `halo-demo: error: ${known ? (error as Error).message : (error as Error).stack}`,
    );
    Deno.exit(error instanceof TypeError ? 2 : 1);
  }
}
