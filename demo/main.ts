/**
 * halo-demo: the gateway with six simulated nodes on this machine. This file
 * only wires the parts together: launch_gateway (the real gateway as a child
 * process), admin_login and provision (set up over the real API, the
 * nodes' agent tokens kept in agent_tokens between runs),
 * reporting_loop (the simulated agents, from lib/sim), telemetry_loop (their
 * samples, back-filled on a fresh data directory), event_feed and banner.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GatewayApiError, GatewayClient } from "../lib/api_client.ts";
import { versionLine } from "../lib/build_info.ts";
import { systemClock } from "../lib/clock.ts";
import { createLogger, parseLogLevel } from "../lib/log.ts";
import { DEMO_NETWORK } from "../lib/sim/network_plan.ts";
import { SimNetwork } from "../lib/sim/sim_network.ts";
import { SimTelemetry } from "../lib/sim/telemetry.ts";
import { loginAsAdmin } from "../lib/admin_login.ts";
import { readAgentTokens, writeAgentTokens } from "./agent_tokens.ts";
import { backfillPrinter, formatBackfillDone, formatBanner } from "./banner.ts";
import { DEMO_HELP, parseDemoArgs } from "./cli_args.ts";
import { provisionDemoFlow } from "../lib/sim/demo_flow.ts";
import { runEventFeed } from "./event_feed.ts";
import { startDemoSink } from "./webhook_sink.ts";
import { launchGateway } from "./launch_gateway.ts";
import { provision } from "../lib/sim/provision.ts";
import { reportOnce, runDropouts, runReporters } from "../lib/sim/reporting_loop.ts";
import { backfillTelemetry, runTelemetry } from "../lib/sim/telemetry_loop.ts";
import { TelemetrySender } from "../lib/uplink/telemetry_sender.ts";

const DROPOUT_EVERY_MS = 240_000;
const DROPOUT_AWAY_MS = 60_000;
/** Fixed, so every run tells the same story and live values join the back-filled ones. */
const TELEMETRY_SEED = 1;
const TELEMETRY_INTERVAL_MS = 10_000;
const BACKFILL_DAYS = 3;
const BACKFILL_STEP_MS = 60_000;
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function main(args: string[]): Promise<number> {
  const cmd = parseDemoArgs(args);
  if (cmd.command === "help") return (console.log(DEMO_HELP), 0);
  if (cmd.command === "version") return (console.log(versionLine("halo-demo")), 0);

  const repoRoot = fileURLToPath(new URL("..", import.meta.url)).replace(/\/+$/, "");
  const dataDir = resolve(cmd.dataDir ?? `${repoRoot}/.halo-demo`);
  const logFile = `${dataDir}/gateway.log`;
  const envLevel = Deno.env.get("HALO_LOG");
  const log = createLogger({
    component: "halo-demo",
    level: envLevel ? parseLogLevel(envLevel) : "info",
  });
  const clock = systemClock;

  // Listen before starting anything, so Ctrl-C during start-up still cleans up.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  for (const signal of STOP_SIGNALS) Deno.addSignalListener(signal, onSignal);
  const stopped = new Promise<void>((r) => stop.signal.addEventListener("abort", () => r()));

  const reused = await exists(`${dataDir}/halo.db`);
  const gateway = await launchGateway({ listen: cmd.listen, dataDir, repoRoot, logFile });
  log.info("gateway started", { url: gateway.url, pid: gateway.pid, data_dir: dataDir, reused });
  let exitCode = 0;
  const loops: Promise<void>[] = [];
  // The demo flow posts Slack-shaped messages here; the demo prints them.
  const sink = startDemoSink((line) => console.log(line));
  try {
    const admin = new GatewayClient({ baseUrl: gateway.url });
    const login = await loginAsAdmin(admin, dataDir);
    // Simulated agents keep their tokens across runs, as real ones keep them in /etc/halo.
    const setup = await provision(admin, DEMO_NETWORK, {
      log,
      agents: await readAgentTokens(dataDir),
    });
    await writeAgentTokens(
      dataDir,
      new Map(setup.devices.map((d) => [d.key, { nodeId: d.nodeId, agentToken: d.agentToken }])),
    );
    // Before the back-fill, so the history's hot afternoons have raised alerts already.
    const flowId = await provisionDemoFlow(admin, sink.url);
    log.info("demo flow ready", { flow_id: flowId, webhook: sink.url });
    if (stop.signal.aborted) return 0; // Ctrl-C while setting up.

    // Devices the gateway knows carry on with their boot: they kept running while the demo was
    // stopped, so restarting the demo does not make every node look rebooted.
    const boots = Object.fromEntries(
      setup.devices.flatMap((d) => (d.lastBoot ? [[d.key, d.lastBoot]] : [])),
    );
    const network = new SimNetwork(DEMO_NETWORK, {
      random: Math.random,
      now: clock.now(),
      boots,
    });
    const devices = setup.devices.map((d) => ({
      key: d.key,
      nodeId: d.nodeId,
      name: d.name,
      client: new GatewayClient({ baseUrl: gateway.url, token: d.agentToken }),
    }));
    await reportOnce({ network, devices, clock, log });
    const signal = stop.signal;
    // Reporting starts now, so the nodes stay online while the history is back-filled.
    loops.push(runReporters({
      network,
      devices,
      clock,
      log,
      signal,
      intervalMs: setup.reportIntervalS * 1000,
      random: Math.random,
    }));

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
        baseUrl: gateway.url,
        token: d.agentToken,
        nodeId: d.nodeId,
        epoch,
        maxInFlight: 4,
      }),
    }));
    let telemetryOn = true;
    if (!reused) {
      // Up to now: the live rounds follow on within one interval.
      const to = clock.now();
      const from = to - BACKFILL_DAYS * 86_400_000;
      const result = await backfillTelemetry({
        telemetry,
        devices: senders,
        from,
        to,
        stepMs: BACKFILL_STEP_MS,
        clock,
        log,
        signal,
        onProgress: backfillPrinter({
          write: (line) => console.log(line),
          now: () => clock.now(),
          days: BACKFILL_DAYS,
          stepS: BACKFILL_STEP_MS / 1000,
          nodes: senders.length,
        }),
      });
      console.log(formatBackfillDone(result));
      log.info("telemetry back-filled", {
        samples: result.samples,
        batches: result.batches,
        ms: result.ms,
        samples_per_s: Math.round(result.samples / Math.max(result.ms / 1000, 0.001)),
        unsupported: result.unsupported,
      });
      telemetryOn = !result.unsupported;
    }
    if (stop.signal.aborted) return 0; // Ctrl-C while back-filling.

    const flaky = devices.find((d) => d.key === DEMO_NETWORK.flaky)!;
    console.log(formatBanner({
      url: gateway.url,
      admin: login,
      apiToken: setup.apiToken,
      dataDir,
      logFile,
      nodeCount: devices.length,
      reportIntervalS: setup.reportIntervalS,
      flaky: { name: flaky.name, everyS: DROPOUT_EVERY_MS / 1000, awayS: DROPOUT_AWAY_MS / 1000 },
      reused,
      telemetry: telemetryOn
        ? {
          intervalS: TELEMETRY_INTERVAL_MS / 1000,
          backfilledDays: reused ? null : BACKFILL_DAYS,
        }
        : null,
    }));

    if (telemetryOn) {
      loops.push(runTelemetry({
        telemetry,
        network,
        devices: senders,
        clock,
        log,
        signal,
        intervalMs: TELEMETRY_INTERVAL_MS,
        random: Math.random,
      }));
    }
    loops.push(
      runDropouts({
        network,
        device: flaky,
        clock,
        log,
        signal,
        everyMs: DROPOUT_EVERY_MS,
        awayMs: DROPOUT_AWAY_MS,
      }),
      runEventFeed({
        client: admin.withToken(setup.apiToken),
        signal,
        clock,
        write: (line) => console.log(line),
      }),
    );
    const crashed = await Promise.race([stopped.then(() => null), gateway.exited]);
    if (crashed) {
      log.error("the gateway stopped on its own", { code: crashed.code, log: logFile });
      exitCode = 1;
    }
  } finally {
    stop.abort();
    await Promise.all(loops);
    const status = await gateway.stop();
    await sink[Symbol.asyncDispose]();
    log.info("demo stopped", { gateway_exit_code: status.code });
    for (const signal of STOP_SIGNALS) Deno.removeSignalListener(signal, onSignal);
  }
  return exitCode;
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
