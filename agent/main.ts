/**
 * halo-agent: wires configuration, enrollment, the collectors, the buffer,
 * agent.sock and the cycle together. The parts live in agent/ and lib/.
 */
import { GatewayClient } from "../lib/api_client.ts";
import { buildInfo, versionLine } from "../lib/build_info.ts";
import { systemClock } from "../lib/clock.ts";
import { type EnrolledAgentEnv, isEnrolled } from "../lib/config/agent_env.ts";
import { ConfigError } from "../lib/config/config_error.ts";
import type { NodeConfig } from "../lib/config/node_config.ts";
import { denoFileSystem } from "../lib/fs.ts";
import { ffiKernelFiles, KernelFileError } from "../lib/kernel_files.ts";
import { createLogger, type Logger, type LogLevel, parseLogLevel } from "../lib/log.ts";
import { resolvePaths } from "../lib/paths.ts";
import { Agent } from "./agent.ts";
import { AGENT_HELP, parseAgentArgs } from "./cli_args.ts";
import { hostCollector, readHostInfo } from "./collectors/host.ts";
import { agentConfigFiles, gatewayUrl, loadAgentConfig } from "./config.ts";
import { enroll, EnrollmentError, type EnrollOptions, enrollUntilDone } from "./enroll.ts";
import { MidpointClockSync } from "./midpoint_clock_sync.ts";
import type { ClockSync } from "./ports.ts";
import { LiveFeed } from "./socket/live_feed.ts";
import { serveAgentSocket } from "./socket/server.ts";
import { HardwareIdentityError, kernelHardwareIdentity } from "./sources/hardware_identity.ts";
import { uplinkBuffer } from "./uplink_buffer.ts";

const env = (name: string) => Deno.env.get(name);

/** The agent's version as reports show it: `dev (a1b2c3d4e5f6)`. */
function agentVersion(): string {
  const info = buildInfo();
  return info.commit ? `${info.version} (${info.commit})` : info.version;
}

/** The node's credentials: agent-env's, or enrollment's when it holds a join token; null if stopped. */
async function credentials(
  joining: Omit<EnrollOptions, "client" | "hostname">,
  config: NodeConfig,
  once: boolean,
  signal: AbortSignal,
): Promise<{ env: EnrolledAgentEnv; reportIntervalS?: number } | null> {
  const { url } = await gatewayUrl({ env, agentEnv: joining.joining, config });
  const options: EnrollOptions = {
    ...joining,
    client: new GatewayClient({ baseUrl: url }),
    hostname: (await readHostInfo(ffiKernelFiles)).hostname,
  };
  return once ? await enroll(options) : await enrollUntilDone(options, signal);
}

async function main(args: string[]): Promise<number> {
  const cmd = parseAgentArgs(args);
  if (cmd.command === "help") return (console.log(AGENT_HELP), 0);
  if (cmd.command === "version") return (console.log(versionLine("halo-agent")), 0);

  const paths = resolvePaths();
  const files = agentConfigFiles(paths);
  const { config, agentEnv } = await loadAgentConfig(files, denoFileSystem);
  const envLevel = env("HALO_LOG");
  const level: LogLevel = envLevel ? parseLogLevel(envLevel) : config.log_level ?? "info";
  const log = createLogger({ component: "halo-agent", level });
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => stop.abort());
  }
  const clock = systemClock;
  const clockSync = new MidpointClockSync(clock);

  const enrolled = isEnrolled(agentEnv) ? { env: agentEnv } : await credentials(
    {
      joining: agentEnv,
      agentEnvFile: files.agentEnv,
      fs: denoFileSystem,
      hardware: kernelHardwareIdentity(ffiKernelFiles),
      role: config.role,
      clock,
      clockSync,
      log,
    },
    config,
    cmd.once,
    stop.signal,
  );
  if (enrolled === null) return 0;
  return await runAgent({
    ...enrolled,
    config,
    log,
    clockSync,
    once: cmd.once,
    stop,
    run: paths.run,
  });
}

/** Runs the enrolled agent: once, or until `stop` aborts while serving agent.sock. */
async function runAgent(o: {
  env: EnrolledAgentEnv;
  reportIntervalS?: number;
  config: NodeConfig;
  log: Logger;
  clockSync: ClockSync;
  once: boolean;
  stop: AbortController;
  run: string;
}): Promise<number> {
  const nodeId = o.env.HALO_NODE_ID;
  const token = o.env.HALO_AGENT_TOKEN;
  const url = () => gatewayUrl({ env, agentEnv: o.env, config: o.config });
  const first = await url();
  o.log.info("starting", { node_id: nodeId, gateway: first.url, from: first.source });
  const version = agentVersion();
  const buffer = uplinkBuffer({ baseUrl: first.url, token, nodeId });
  const live = new LiveFeed();
  const agent = new Agent({
    nodeId,
    collectors: [hostCollector(ffiKernelFiles, version)],
    buffer,
    clockSync: o.clockSync,
    client: async () => new GatewayClient({ baseUrl: (await url()).url, token }),
    clock: systemClock,
    log: o.log,
    version,
    live,
    ...(o.reportIntervalS !== undefined ? { reportIntervalS: o.reportIntervalS } : {}),
  });
  try {
    if (o.once) {
      const result = await agent.cycle(o.stop.signal);
      o.log.info("one cycle done", { ...result, buffer: buffer.stats() });
      return result.report?.ok ? 0 : 1;
    }
    await Deno.mkdir(o.run, { recursive: true });
    await using _socket = await serveAgentSocket({
      path: `${o.run}/agent.sock`,
      status: () => agent.status(),
      live,
      log: o.log,
    });
    await agent.run(o.stop.signal);
    o.log.info("stopped", { buffer: buffer.stats() });
    return 0;
  } finally {
    buffer.close();
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    // Expected failures print one clear line; anything else keeps its stack for the journal.
    const known = error instanceof TypeError || error instanceof ConfigError ||
      error instanceof EnrollmentError || error instanceof HardwareIdentityError ||
      error instanceof KernelFileError;
    console.error(
      `halo-agent: error: ${known ? (error as Error).message : (error as Error).stack}`,
    );
    Deno.exit(known ? 2 : 1);
  }
}
