/**
 * Telemetry of the simulated devices: the samples each device's agent would
 * take at any moment — CPU, memory, disk, SoC temperature, signal and TQ of
 * each radio neighbour, and the readings of the two data providers' sensors
 * (BME280 weather, INA219 solar battery).
 *
 * Every value is a pure function of (plan, seed, device, time): smooth value
 * noise (random values at fixed knots, eased in between, so no state is
 * stepped through) on top of daily cycles. A back-fill of three days and the
 * live samples after it join without a seam, a rerun repeats the same
 * history, and a test can ask for any moment directly.
 *
 * What the demo devices look like (see `PROFILES`):
 * - the gateway sits in the lab office: steady air, the busiest CPU;
 * - the relay and the field leaves are outdoors, in enclosures that warm in
 *   the sun; passing clouds make the afternoons uneven;
 * - the weather station (`leaf-1`) has a small dark enclosure in full sun:
 *   on afternoons its SoC runs around 44 °C and crosses 45 °C a few times a
 *   day as the sun comes back from behind a cloud, which the Flows demo
 *   alerts on. No other device gets near 45 °C;
 * - the pump house (`leaf-4`) sits in a cool concrete shed.
 * Devices of other plans get a profile from their role.
 */
import {
  type Labels,
  MAX_BATCH_SAMPLES,
  type Sample,
  type TelemetryBatch,
  type Unit,
} from "../schemas/telemetry.ts";
import { samplesFittingOneBatch } from "../uplink/samples_fitting_one_batch.ts";
import { meshMacOf, type NetworkPlan, type SimDevicePlan } from "./network_plan.ts";
import { seededRandom } from "./random.ts";
import type { SimLinkReport } from "./sim_node.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Where a board sits, which sets the air around it. */
type Site = "office" | "outdoor" | "shed";

/** How one device behaves; see the module comment. */
interface DeviceProfile {
  site: Site;
  /** Typical CPU load, %. */
  cpu: number;
  /** Share of 5-minute slots with a busy spell (updates, log shipping, a client streaming). */
  busyShare: number;
  /** Extra CPU load at the top of a busy spell, %. */
  busyCpu: number;
  /** Typical memory used, %. */
  mem: number;
  /** Disk used just after the nightly log rotation, %. */
  disk: number;
  /** Logs written per day, % of the disk; rotated away at local midnight. */
  diskPerDay: number;
  /** SoC above the air around it when idle, °C. */
  socRise: number;
  /** SoC warming per % of CPU load, °C. */
  socPerCpu: number;
  /** Extra warming of the enclosure in full sun, °C. */
  sunGain: number;
}

const PROFILES: Record<string, DeviceProfile> = {
  gateway: {
    site: "office",
    cpu: 14,
    busyShare: 0.08,
    busyCpu: 45,
    mem: 41,
    disk: 34,
    diskPerDay: 0.6,
    socRise: 15,
    socPerCpu: 0.08,
    sunGain: 0,
  },
  relay: {
    site: "outdoor",
    cpu: 7,
    busyShare: 0.04,
    busyCpu: 25,
    mem: 24,
    disk: 18,
    diskPerDay: 0.15,
    socRise: 11,
    socPerCpu: 0.08,
    sunGain: 5,
  },
  "leaf-1": {
    site: "outdoor",
    cpu: 4,
    busyShare: 0.03,
    busyCpu: 20,
    mem: 21,
    disk: 16,
    diskPerDay: 0.1,
    socRise: 15.8,
    socPerCpu: 0.08,
    sunGain: 13,
  },
  "leaf-2": {
    site: "outdoor",
    cpu: 4,
    busyShare: 0.03,
    busyCpu: 20,
    mem: 21,
    disk: 16,
    diskPerDay: 0.1,
    socRise: 11,
    socPerCpu: 0.08,
    sunGain: 6,
  },
  "leaf-3": {
    site: "outdoor",
    cpu: 9,
    busyShare: 0.12,
    busyCpu: 35,
    mem: 27,
    disk: 17,
    diskPerDay: 0.2,
    socRise: 11,
    socPerCpu: 0.08,
    sunGain: 5,
  },
  "leaf-4": {
    site: "shed",
    cpu: 3,
    busyShare: 0.02,
    busyCpu: 15,
    mem: 20,
    disk: 15,
    diskPerDay: 0.08,
    socRise: 13,
    socPerCpu: 0.08,
    sunGain: 1,
  },
};

function profileOf(device: SimDevicePlan): DeviceProfile {
  return PROFILES[device.key] ?? (device.role === "gateway" ? PROFILES.gateway! : PROFILES.relay!);
}

/** 32-bit FNV-1a of a string: turns a stream's name into its seed. */
function hashName(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/** The random value in [-1, 1) at knot `k` of `stream`; the same every time. */
function knot(stream: number, k: number): number {
  const lo = k >>> 0;
  const hi = Math.floor(k / 4294967296) >>> 0;
  const seed = (stream + Math.imul(lo, 0x9e3779b1) + Math.imul(hi, 0x85ebca6b)) >>> 0;
  return seededRandom(seed)() * 2 - 1;
}

/** Smooth noise in [-1, 1] that changes over about `periodMs`. */
function smooth(stream: number, t: number, periodMs: number): number {
  const x = t / periodMs;
  const k = Math.floor(x);
  const f = x - k;
  const a = knot(stream, k);
  return a + (knot(stream, k + 1) - a) * f * f * (3 - 2 * f);
}

/** Noise in [-1, 1) that changes every second: what a sensor's last digit does. */
function jitter(stream: number, t: number): number {
  return knot(stream, Math.floor(t / 1000));
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** `value` with `decimals` digits after the point, as the sensor or tool would print it. */
function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

/** Saturation vapour pressure over water at `celsius`, hPa (Magnus formula). */
function vapourPressure(celsius: number): number {
  return 6.112 * Math.exp((17.62 * celsius) / (243.12 + celsius));
}

/** A radio neighbour's signal and TQ as the device hears it right now. */
export interface LinkReading {
  /** The neighbour's device key in the plan. */
  neighbor: string;
  signal_dbm: number;
  tq: number;
}

/**
 * The neighbours `links` (from a {@linkcode SimNetwork} report) show as
 * heard within `freshWithinMs`, as link readings; older entries are
 * neighbours batman-adv still lists but no longer hears, so they give no
 * reading.
 */
export function linkReadingsOf(
  plan: NetworkPlan,
  links: readonly SimLinkReport[],
  options: { freshWithinMs?: number } = {},
): LinkReading[] {
  const fresh = options.freshWithinMs ?? 10_000;
  const byMac = new Map(plan.devices.map((d) => [meshMacOf(d), d.key]));
  const out: LinkReading[] = [];
  for (const link of links) {
    const neighbor = byMac.get(link.neighbor_mac);
    if (neighbor === undefined || link.tq === undefined || link.signal_dbm === undefined) continue;
    if ((link.last_seen_ms ?? 0) > fresh) continue;
    out.push({ neighbor, signal_dbm: link.signal_dbm, tq: link.tq });
  }
  return out;
}

/** Options for {@linkcode SimTelemetry}. */
export interface SimTelemetryOptions {
  /** Seeds every noise stream: the same seed gives the same values. */
  seed: number;
  /**
   * The devices' time zone, minutes east of UTC, so days peak in the local
   * afternoon. @default 0
   */
  utcOffsetMinutes?: number;
}

/** Options for {@linkcode SimTelemetry.prototype.samples}. */
export interface SamplesOptions {
  /**
   * Link readings to report instead of simulated ones, e.g. those of the
   * live {@linkcode SimNetwork} (see {@linkcode linkReadingsOf}) so telemetry
   * and status reports agree. Only these neighbours are reported.
   * @default the plan's links, simulated
   */
  links?: readonly LinkReading[];
}

/** Options for {@linkcode SimTelemetry.prototype.batches}. */
export interface BatchesOptions {
  /** The node id the gateway gave the device. */
  nodeId: string;
  /** The sender buffer's epoch. */
  epoch: string;
  /** `batch_seq` of the first batch; the others follow one by one. @default 0 */
  firstSeq?: number;
  /** Start, ms since the epoch; the first sample is at the first multiple of `stepMs` from here. */
  from: number;
  /** End, exclusive. */
  to: number;
  /** Time between two rounds of samples. @default 60000 */
  stepMs?: number;
  /** Most samples in one batch. @default MAX_BATCH_SAMPLES (5000) */
  maxSamples?: number;
}

/** The fixed parts of one device's model: its plan, profile and noise streams. */
interface DeviceModel {
  device: SimDevicePlan;
  profile: DeviceProfile;
  stream: (name: string) => number;
  links: { neighbor: SimDevicePlan; signal: number; tq: number; pair: string }[];
}

/**
 * Realistic, deterministic telemetry for every device of a network plan.
 * Both methods are pure: the same plan, seed, device and time give the same
 * samples.
 *
 * @example
 * ```ts
 * const telemetry = new SimTelemetry(DEMO_NETWORK, { seed: 1 });
 * const now = telemetry.samples("leaf-1", Date.now());
 * // [{ metric: "cpu.usage", ts, value: 4.2, unit: "%" }, …, { metric: "env.temp", …,
 * //   labels: { sensor: "bme280" } }]
 * ```
 */
export class SimTelemetry {
  readonly plan: NetworkPlan;
  readonly #seed: number;
  readonly #offsetMs: number;
  readonly #models: ReadonlyMap<string, DeviceModel>;
  readonly #shared: (name: string) => number;

  constructor(plan: NetworkPlan, options: SimTelemetryOptions) {
    this.plan = plan;
    this.#seed = options.seed;
    this.#offsetMs = (options.utcOffsetMinutes ?? 0) * MINUTE;
    this.#shared = (name) => hashName(`${options.seed}/${name}`);
    const byKey = new Map(plan.devices.map((d) => [d.key, d]));
    this.#models = new Map(plan.devices.map((device) => {
      const streams = new Map<string, number>();
      const stream = (name: string) => {
        let s = streams.get(name);
        if (s === undefined) {
          streams.set(name, s = hashName(`${options.seed}/${device.key}/${name}`));
        }
        return s;
      };
      const links = plan.links.flatMap((l) => {
        const other = l.a === device.key ? l.b : l.b === device.key ? l.a : null;
        const neighbor = other === null ? undefined : byKey.get(other);
        return neighbor
          ? [{ neighbor, signal: l.signal_dbm, tq: l.tq, pair: `${l.a}~${l.b}` }]
          : [];
      });
      return [device.key, { device, profile: profileOf(device), stream, links }];
    }));
  }

  /**
   * The samples device `key` takes at `t` (ms since the epoch), all stamped
   * `t`: valid against `sampleSchema`, in the same order every time.
   *
   * @throws {RangeError} when the plan has no device `key`.
   */
  samples(key: string, t: number, options: SamplesOptions = {}): Sample[] {
    const model = this.#models.get(key);
    if (!model) {
      throw new RangeError(
        `Unknown simulated device "${key}": the plan has ${[...this.#models.keys()].join(", ")}`,
      );
    }
    const { profile: p, stream } = model;
    const ts = Math.round(t);
    const out: Sample[] = [];
    const add = (metric: string, value: number, unit?: Unit, labels?: Labels) => {
      out.push({
        metric,
        ts,
        value,
        ...(unit !== undefined ? { unit } : {}),
        ...(labels ? { labels } : {}),
      });
    };

    const busy = this.#busy(model, t);
    const load = p.cpu * (1 + 0.35 * smooth(stream("cpu"), t, 3 * MINUTE)) +
      p.busyCpu * busy;
    const cpu = clamp(load + p.cpu * 0.25 * jitter(stream("cpu.jitter"), t), 0.3, 100);
    add("cpu.usage", round(cpu, 1), "%");

    const mem = p.mem + 2.5 * smooth(stream("mem"), t, 6 * HOUR) +
      0.4 * smooth(stream("mem.fast"), t, 4 * MINUTE) + 4 * busy;
    add("mem.used", round(clamp(mem, 5, 95), 1), "%");

    const dayShare = this.#hours(t) / 24;
    const disk = p.disk + p.diskPerDay * dayShare + 0.02 * smooth(stream("disk"), t, HOUR);
    // The root file system, labelled as the agent's system collector labels it.
    add("disk.used", round(disk, 2), "%", { path: "/" });

    const soc = this.#air(p.site, t) + p.socRise + p.socPerCpu * clamp(load, 0, 100) +
      p.sunGain * this.#sunshine(t) + 0.25 * smooth(stream("soc"), t, 2 * MINUTE) +
      0.1 * jitter(stream("soc.jitter"), t);
    add("soc.temp", round(soc, 1), "°C");

    for (const link of this.#links(model, t, options.links)) {
      const labels = { neighbor: link.hostname };
      add("link.signal", round(link.signal_dbm, 1), "dBm", labels);
      add("link.tq", Math.round(link.tq), undefined, labels);
    }

    for (const sensor of model.device.sensors) {
      const labels = { sensor: sensor.name };
      if (sensor.kind === "bme280") {
        for (const [metric, value, unit] of this.#weather(model, t, sensor.name)) {
          add(metric, value, unit, labels);
        }
      } else if (sensor.kind === "ina219") {
        for (const [metric, value, unit] of this.#battery(model, t, sensor.name, busy)) {
          add(metric, value, unit, labels);
        }
      }
    }
    return out;
  }

  /**
   * The samples of device `key` from `from` to `to`, one round every
   * `stepMs`, as telemetry batches of at most `maxSamples` with consecutive
   * `batch_seq`: what an agent would send to back-fill its history.
   *
   * @throws {RangeError} when the plan has no device `key` or `stepMs` is not positive.
   */
  *batches(key: string, options: BatchesOptions): Generator<TelemetryBatch> {
    const step = options.stepMs ?? MINUTE;
    if (!(step > 0)) throw new RangeError(`Invalid stepMs ${step}: give a positive number of ms`);
    const maxSamples = options.maxSamples ?? MAX_BATCH_SAMPLES;
    let seq = options.firstSeq ?? 0;
    let pending: Sample[] = [];
    const batch = (samples: Sample[]): TelemetryBatch => ({
      node_id: options.nodeId,
      epoch: options.epoch,
      batch_seq: seq++,
      samples,
    });
    for (let t = Math.ceil(options.from / step) * step; t < options.to; t += step) {
      pending.push(...this.samples(key, t));
      while (pending.length >= maxSamples) {
        const n = samplesFittingOneBatch(pending, maxSamples);
        yield batch(pending.slice(0, n));
        pending = pending.slice(n);
      }
    }
    while (pending.length > 0) {
      const n = samplesFittingOneBatch(pending, maxSamples);
      yield batch(pending.slice(0, n));
      pending = pending.slice(n);
    }
  }

  /** Local time of day at `t`, hours in [0, 24). */
  #hours(t: number): number {
    return (((t + this.#offsetMs) % DAY) + DAY) % DAY / HOUR;
  }

  /** Air temperature around a board at `site`, °C. */
  #air(site: Site, t: number): number {
    const h = this.#hours(t);
    if (site === "office") {
      return 22 + 0.8 * Math.cos((2 * Math.PI * (h - 16)) / 24) +
        0.2 * smooth(this.#shared("office"), t, 20 * MINUTE);
    }
    // Coldest before dawn, warmest mid-afternoon; the weather shifts whole days a little.
    const outdoor = 13 + 6 * Math.cos((2 * Math.PI * (h - 15)) / 24) +
      0.5 * smooth(this.#shared("weather"), t, 1.5 * DAY) +
      0.3 * smooth(this.#shared("gusts"), t, 10 * MINUTE);
    // The concrete shed follows the outdoors at half the swing.
    return site === "shed" ? (outdoor + 14) / 2 : outdoor;
  }

  /** Sunshine on the field, 0 (night, thick cloud) to 1 (clear sky, sun high). */
  #sunshine(t: number): number {
    const h = this.#hours(t);
    const sun = Math.max(0, Math.sin((Math.PI * (h - 6.5)) / 13));
    // Fair-weather clouds drift over about every 50 minutes, some thicker than others, with
    // cloudier spells of a few hours. The rhythm gives the weather station's afternoons their
    // few crossings of 45 °C whatever the seed (about 1-6 a day, mostly 3-4).
    const clear = 0.75 + 0.12 * Math.sin((2 * Math.PI * t) / (50 * MINUTE)) +
      0.12 * smooth(this.#shared("clouds"), t, 20 * MINUTE) +
      0.04 * smooth(this.#shared("cloudy-spells"), t, 3 * HOUR);
    return sun * clamp(clear, 0, 1);
  }

  /** 0 outside a busy spell; up to 1 at the top of one (spells last one 5-minute slot). */
  #busy(model: DeviceModel, t: number): number {
    const slot = Math.floor(t / (5 * MINUTE));
    const chance = (knot(model.stream("busy"), slot) + 1) / 2;
    if (chance >= model.profile.busyShare) return 0;
    const strength = 0.5 + 0.25 * (knot(model.stream("busy.strength"), slot) + 1);
    const within = (t - slot * 5 * MINUTE) / (5 * MINUTE);
    return strength * Math.sin(Math.PI * within);
  }

  #links(
    model: DeviceModel,
    t: number,
    live: readonly LinkReading[] | undefined,
  ): { hostname: string; signal_dbm: number; tq: number }[] {
    if (live) {
      return live.flatMap((r) => {
        const link = model.links.find((l) => l.neighbor.key === r.neighbor);
        return link
          ? [{ hostname: link.neighbor.hostname, signal_dbm: r.signal_dbm, tq: r.tq }]
          : [];
      });
    }
    // Both ends hear the link drift the same way; each adds its own receiver's noise. The
    // ranges are those of SimNetwork's link walk, so back-filled and live values look alike.
    return model.links.map((l) => {
      const drift = 2.4 * smooth(hashName(`${this.#seed}/${l.pair}`), t, 20 * MINUTE);
      const signal = l.signal + drift +
        0.8 * smooth(model.stream(`signal/${l.neighbor.key}`), t, 90_000) +
        0.3 * jitter(model.stream(`signal.jitter/${l.neighbor.key}`), t);
      const tq = l.tq + 4 * drift + 3 * smooth(model.stream(`tq/${l.neighbor.key}`), t, 2 * MINUTE);
      return {
        hostname: l.neighbor.hostname,
        signal_dbm: clamp(signal, l.signal - 5, Math.min(-30, l.signal + 4)),
        tq: clamp(tq, Math.max(1, l.tq - 25), Math.min(255, l.tq + 15)),
      };
    });
  }

  /** A BME280 in a radiation shield: temperature 0.01 °C, humidity 0.01 %, pressure 0.01 hPa. */
  #weather(model: DeviceModel, t: number, sensor: string): [string, number, Unit][] {
    const s = (name: string) => model.stream(`${sensor}/${name}`);
    const temp = this.#air("outdoor", t) + 0.6 * this.#sunshine(t) +
      0.05 * jitter(s("temp"), t);
    // The dew point drifts with the weather and stays just below the air: damp dawns, no rain.
    const dew = Math.min(
      temp - 0.4,
      6 + 2 * smooth(this.#shared("dew"), t, 2 * DAY) + 0.5 * smooth(s("dew"), t, 3 * HOUR),
    );
    const humidity = clamp((100 * vapourPressure(dew)) / vapourPressure(temp), 5, 100) +
      0.1 * jitter(s("humidity"), t);
    const h = this.#hours(t);
    // Station pressure at the field's 120 m: slow fronts and the twice-daily atmospheric tide.
    const pressure = 998 + 8 * smooth(this.#shared("fronts"), t, 3 * DAY) +
      2 * smooth(this.#shared("pressure"), t, 8 * HOUR) +
      0.6 * Math.cos((4 * Math.PI * (h - 10)) / 24) + 0.03 * jitter(s("pressure"), t);
    return [
      ["env.temp", round(temp, 2), "°C"],
      ["env.humidity", round(clamp(humidity, 0, 100), 2), "%"],
      ["env.pressure", round(pressure, 2), "hPa"],
    ];
  }

  /**
   * An INA219 on a 12 V solar battery: bus voltage in its 4 mV steps,
   * current in mA steps (positive while the panel charges the battery,
   * negative while the node runs on it), power as the chip reports it
   * (|V × I|, 0.01 W).
   */
  #battery(
    model: DeviceModel,
    t: number,
    sensor: string,
    busy: number,
  ): [string, number, Unit][] {
    const s = (name: string) => model.stream(`${sensor}/${name}`);
    const h = this.#hours(t);
    const drawn = 0.3 + 0.08 * busy + 0.01 * jitter(s("load"), t);
    const current = 3.4 * this.#sunshine(t) - drawn;
    // Fullest at the end of the afternoon, emptiest before dawn.
    const charge = 0.5 + 0.5 * Math.cos((2 * Math.PI * (h - 17)) / 24);
    const volts = Math.min(14.1, 12.35 + 0.45 * charge + 0.22 * current) +
      0.004 * jitter(s("volts"), t);
    const quantized = Math.round(volts / 0.004) * 0.004;
    return [
      ["power.voltage", round(quantized, 3), "V"],
      ["power.current", round(current, 3), "A"],
      ["power.power", round(Math.abs(quantized * current), 2), "W"],
    ];
  }
}
