/**
 * The simulated devices' status reports: each device is an agent reporting
 * over the gateway API ({@linkcode runReporter}), what it reports comes from
 * the simulated network, and one device drops off the mesh now and then.
 */
import type { GatewayClient } from "../api_client.ts";
import { type Clock, pause } from "../clock.ts";
import type { Logger } from "../log.ts";
import { runReporter } from "../uplink/reporter.ts";
import type { Random } from "./random.ts";
import type { SimNetwork } from "./sim_network.ts";

/** A simulated device with its node id and an API client holding its agent token. */
export interface ReportingDevice {
  key: string;
  nodeId: string;
  name: string;
  client: GatewayClient;
}

/** Options for {@linkcode runReporters}. */
export interface ReportersOptions {
  network: SimNetwork;
  devices: ReportingDevice[];
  clock: Clock;
  log: Logger;
  signal: AbortSignal;
  /** Until the gateway says otherwise in a report's answer. */
  intervalMs: number;
  /** Spreads the devices' reports over the interval, as independent agents would. */
  random: Random;
}

/**
 * Sends one report from every connected device now, one after the other in
 * plan order (gateway first), so the gateway knows every interface before it
 * is asked for topology. Failures are logged, not thrown.
 */
export async function reportOnce(
  options: Pick<ReportersOptions, "network" | "devices" | "clock" | "log">,
): Promise<void> {
  for (const device of options.devices) {
    if (!options.network.node(device.key).connected) continue;
    try {
      await device.client.report(
        device.nodeId,
        options.network.report(device.key, options.clock.now()),
      );
    } catch (error) {
      options.log.warn("report failed", { node: device.name, error });
    }
  }
}

/**
 * Keeps every device reporting each interval until `signal` aborts, like
 * six agents would, each with its own {@linkcode runReporter}. A device cut
 * off from the mesh (see {@linkcode runDropouts}) sends nothing until it is
 * back. The interval follows `report_interval_s` in the gateway's answers.
 */
export async function runReporters(options: ReportersOptions): Promise<void> {
  const { network, clock, log, signal, intervalMs } = options;
  await Promise.all(options.devices.map((device) =>
    runReporter({
      client: device.client,
      nodeId: device.nodeId,
      name: device.name,
      source: { report: (now) => network.report(device.key, now) },
      reachable: () => network.node(device.key).connected,
      clock,
      log,
      signal,
      intervalMs,
      firstReportInMs: Math.floor(options.random() * intervalMs),
    })
  ));
}

/** Options for {@linkcode runDropouts}. */
export interface DropoutOptions {
  network: SimNetwork;
  /** The device that drops off. */
  device: { key: string; name: string };
  clock: Clock;
  log: Logger;
  signal: AbortSignal;
  /** One drop-off per this period. @default 240000 (4 min) */
  everyMs?: number;
  /** How long it stays away, well past the offline threshold (3 × 10 s). @default 60000 */
  awayMs?: number;
  /** Every how many returns is a reboot (new boot id). @default 2 */
  rebootEvery?: number;
  /** Uptime of a rebooted device when it is back. @default 25 */
  bootTimeS?: number;
}

/**
 * Makes one device drop off the mesh for `awayMs` once every `everyMs`, so
 * the gateway records `offline` and `online` events, and every
 * `rebootEvery`-th time it comes back rebooted (a `rebooted` event).
 */
export async function runDropouts(options: DropoutOptions): Promise<void> {
  const { network, device, clock, log, signal } = options;
  const everyMs = options.everyMs ?? 240_000;
  const awayMs = options.awayMs ?? 60_000;
  const rebootEvery = options.rebootEvery ?? 2;
  const bootTimeS = options.bootTimeS ?? 25;
  for (let round = 1;; round++) {
    if (!await pause(clock, everyMs - awayMs, signal)) return;
    network.disconnect(device.key, clock.now());
    log.info("simulated node drops off the mesh", { node: device.name, away_s: awayMs / 1000 });
    if (!await pause(clock, awayMs, signal)) return;
    const reboot = round % rebootEvery === 0;
    network.reconnect(device.key, clock.now(), reboot ? { rebootedAgoS: bootTimeS } : {});
    log.info(reboot ? "simulated node is back after a power cut" : "simulated node is back", {
      node: device.name,
      rebooted: reboot,
    });
  }
}
