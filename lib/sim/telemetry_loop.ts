/**
 * The simulated nodes' telemetry: a back-fill of history on a fresh data
 * directory, then a round of samples from every node every 10 s. Samples
 * come from {@linkcode SimTelemetry}, each node's buffer and sending from
 * its {@linkcode TelemetrySender} (lib/uplink), as an agent's would.
 */
import { type Clock, pause } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Random } from "./random.ts";
import type { SimNetwork } from "./sim_network.ts";
import { linkReadingsOf, type SimTelemetry } from "./telemetry.ts";
import type { FlushResult, TelemetrySender } from "../uplink/telemetry_sender.ts";

/** A simulated device with its node id and telemetry buffer. */
export interface TelemetryDevice {
  key: string;
  nodeId: string;
  name: string;
  sender: TelemetrySender;
}

/** Logs the batches the gateway refused for good: they are dropped, so say what was lost. */
function logRefused(log: Logger, device: TelemetryDevice, result: FlushResult): void {
  for (const r of result.refused) {
    log.error("telemetry batch refused; dropped", {
      node: device.name,
      batch_seq: r.seq,
      samples: r.samples,
      error: r.error,
    });
  }
}

/** Options for {@linkcode backfillTelemetry}. */
export interface BackfillOptions {
  telemetry: SimTelemetry;
  devices: TelemetryDevice[];
  /** Start and end of the history, ms since the epoch (end exclusive). */
  from: number;
  to: number;
  /** Time between two rounds of samples. @default 60000 */
  stepMs?: number;
  clock: Clock;
  log: Logger;
  signal: AbortSignal;
  /**
   * Batches a device hands its sender at a time: with the sender's
   * `maxInFlight` as large, they go out together and share group commits.
   * @default 4
   */
  window?: number;
  /** Called once at the start (0 done), then as batches are acknowledged. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@linkcode backfillTelemetry} did. */
export interface BackfillResult {
  /** Samples the gateway acknowledged. */
  samples: number;
  /** Samples in all, had everything gone through. */
  total: number;
  batches: number;
  ms: number;
  /** The gateway has no telemetry route: nothing was stored. */
  unsupported: boolean;
}

/**
 * Sends every device's history from `from` to `to`, as an agent that had
 * been buffering would: batches of up to 5000 samples, `window` at a time
 * per device, the devices side by side. Waits out the gateway's refusals
 * (503, 429, no connection) and goes on; stops early when `signal` aborts
 * or the gateway has no telemetry route.
 */
export async function backfillTelemetry(options: BackfillOptions): Promise<BackfillResult> {
  const { telemetry, devices, clock, log, signal } = options;
  const stepMs = options.stepMs ?? 60_000;
  const window = options.window ?? 4;
  const started = clock.now();
  // Rounds as SimTelemetry.batches() takes them: from the first multiple of the step.
  const first = Math.ceil(options.from / stepMs) * stepMs;
  const rounds = Math.max(0, Math.ceil((options.to - first) / stepMs));
  const total = devices.reduce(
    (n, d) => n + rounds * telemetry.samples(d.key, options.from).length,
    0,
  );
  let done = 0;
  let batches = 0;
  let unsupported = false;
  options.onProgress?.(0, total);
  const stop = new AbortController();
  const stopAll = () => stop.abort();
  signal.addEventListener("abort", stopAll, { once: true });
  try {
    await Promise.all(devices.map(async (device) => {
      const generated = telemetry.batches(device.key, {
        nodeId: device.nodeId,
        epoch: device.sender.epoch,
        firstSeq: device.sender.nextSeq,
        from: options.from,
        to: options.to,
        stepMs,
      });
      /** Sends what the buffer holds; false when the back-fill is to stop. */
      const drain = async (): Promise<boolean> => {
        for (;;) {
          const result = await device.sender.flush();
          logRefused(log, device, result);
          done += result.samples;
          batches += result.acked;
          if (result.acked > 0) options.onProgress?.(done, total);
          if (!result.blocked) return true;
          if (result.blocked.unsupported) {
            unsupported = true;
            stop.abort();
            return false;
          }
          log.warn("back-fill waits for the gateway", {
            node: device.name,
            retry_in_ms: result.blocked.retryInMs,
            error: result.blocked.error,
          });
          if (!await pause(clock, result.blocked.retryInMs, stop.signal)) return false;
        }
      };
      let queued = 0;
      for (const batch of generated) {
        if (stop.signal.aborted) return;
        device.sender.addBatch(batch);
        if (++queued < window) continue;
        queued = 0;
        if (!await drain()) return;
      }
      await drain();
    }));
  } finally {
    signal.removeEventListener("abort", stopAll);
  }
  return { samples: done, total, batches, ms: clock.now() - started, unsupported };
}

/** Options for {@linkcode runTelemetry}. */
export interface TelemetryLoopOptions {
  telemetry: SimTelemetry;
  network: SimNetwork;
  devices: TelemetryDevice[];
  clock: Clock;
  log: Logger;
  signal: AbortSignal;
  /** Time between two rounds of samples. @default 10000 */
  intervalMs?: number;
  /** Spreads the devices' rounds over the interval, as independent agents would. */
  random: Random;
  /** On stop, how long to wait for unacknowledged samples to go. @default 2000 */
  finalFlushMs?: number;
}

/**
 * Every device takes a round of samples each interval and sends what its
 * buffer holds, until `signal` aborts; then each tries once more, for at
 * most `finalFlushMs`. A device cut off from the mesh (see `runDropouts`)
 * keeps sampling, as an agent would, but cannot send: its buffer goes out
 * late, when it is back. Link samples come from the live network, so they
 * match the status reports; a cut-off device hears no neighbours and has
 * none. After a failure a device waits as long as its sender says
 * (backoff, Retry-After) before sending again.
 */
export async function runTelemetry(options: TelemetryLoopOptions): Promise<void> {
  const { telemetry, network, clock, log, signal } = options;
  const intervalMs = options.intervalMs ?? 10_000;
  const finalFlushMs = options.finalFlushMs ?? 2000;
  // When the gateway turns out to take no telemetry, every device stops sending it.
  const unsupported = new AbortController();
  const running = AbortSignal.any([signal, unsupported.signal]);
  await Promise.all(options.devices.map(async (device) => {
    const { sender } = device;
    let sending: Promise<void> | null = null;
    let retryAt = 0;
    let failing = false;
    let dropped = sender.dropped;

    const send = async () => {
      const result = await sender.flush();
      logRefused(log, device, result);
      if (result.blocked) {
        retryAt = clock.now() + result.blocked.retryInMs;
        if (result.blocked.unsupported) {
          if (!unsupported.signal.aborted) {
            log.warn("the gateway takes no telemetry; the nodes stop sending it", {
              error: result.blocked.error,
            });
          }
          unsupported.abort();
        } else if (!failing) {
          // One line when it starts failing, not one every interval.
          log.warn("telemetry not acknowledged; keeping it and retrying", {
            node: device.name,
            buffered: sender.buffered,
            retry_in_ms: result.blocked.retryInMs,
            error: result.blocked.error,
          });
        }
        failing = true;
        return;
      }
      if (failing) {
        log.info("telemetry acknowledged again", { node: device.name, samples: result.samples });
      }
      failing = false;
      retryAt = 0;
    };
    const connected = () => network.node(device.key).connected;

    if (!await pause(clock, Math.floor(options.random() * intervalMs), running)) return;
    while (!running.aborted) {
      const t = clock.now();
      const links = linkReadingsOf(network.plan, network.report(device.key, t).links ?? []);
      sender.add(telemetry.samples(device.key, t, { links }));
      if (sender.dropped > dropped) {
        log.warn("telemetry buffer full; oldest samples dropped", {
          node: device.name,
          dropped: sender.dropped - dropped,
        });
        dropped = sender.dropped;
      }
      if (connected() && sending === null && t >= retryAt) {
        sending = send().finally(() => (sending = null));
      }
      if (!await pause(clock, intervalMs, running)) break;
    }

    // Stopping: what is still buffered gets one more chance, briefly.
    if (unsupported.signal.aborted) return;
    const deadline = new AbortController();
    const timer = clock.sleep(finalFlushMs, deadline.signal).catch(() => {});
    try {
      if (sending) await Promise.race([sending, timer]);
      if (sending === null && connected() && sender.buffered > 0) {
        await Promise.race([send(), timer]);
      }
    } finally {
      deadline.abort();
    }
    if (sender.buffered > 0) {
      log.info("telemetry not sent before stopping", {
        node: device.name,
        samples: sender.buffered,
      });
    }
  }));
}
