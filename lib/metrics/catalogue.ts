/**
 * Every metric HALO itself emits, declared once: name, unit, label names,
 * meaning and the collector it comes from. The agent's collectors are
 * checked against it, and the gateway, the Flows builder and the portal
 * explain a metric from it. Metrics that appear at run time (sensor
 * templates, external monitors) are stored entries the gateway adds
 * (`gateway/store/metric_catalogue.ts`); {@linkcode MetricCatalogue} serves
 * both through one lookup.
 */
import type { Unit } from "../schemas/telemetry.ts";

/** One metric explained. */
export interface MetricInfo {
  name: string;
  unit: Unit | null;
  labels: readonly string[];
  description: string;
  source: "system" | "network" | "mesh" | "gps" | "power" | "agent" | string;
}

function metric(
  source: MetricInfo["source"],
  name: string,
  unit: Unit | null,
  labels: readonly string[],
  description: string,
): MetricInfo {
  return { name, unit, labels, description, source };
}

const SYSTEM: MetricInfo[] = [
  metric(
    "system",
    "cpu.usage",
    "%",
    [],
    "CPU time spent working (not idle, not waiting for I/O), all cores together, since the previous collection",
  ),
  metric(
    "system",
    "cpu.iowait",
    "%",
    [],
    "CPU time spent idle waiting for storage I/O since the previous collection; high on a slow or failing SD card",
  ),
  metric("system", "cpu.count", "count", [], "CPUs online"),
  metric("system", "cpu.load1", null, [], "Load average over 1 minute: runnable and waiting tasks"),
  metric("system", "cpu.load5", null, [], "Load average over 5 minutes"),
  metric("system", "cpu.load15", null, [], "Load average over 15 minutes"),
  metric("system", "mem.total", "B", [], "Memory the kernel manages"),
  metric(
    "system",
    "mem.available",
    "B",
    [],
    "Memory available to start new programs without swapping (MemAvailable)",
  ),
  metric("system", "mem.used", "%", [], "Memory in use: the share of the total not available"),
  metric(
    "system",
    "disk.used",
    "%",
    ["path"],
    "Space used on the file system holding the path, as df shows it (used / (used + available))",
  ),
  metric("system", "disk.total", "B", ["path"], "Size of the file system holding the path"),
  metric(
    "system",
    "disk.free",
    "B",
    ["path"],
    "Space an unprivileged program may still write on the file system holding the path",
  ),
  metric("system", "soc.temp", "°C", [], "Temperature of the system-on-chip (CPU thermal zone)"),
  metric("system", "thermal.temp", "°C", ["zone"], "Temperature of each kernel thermal zone"),
  metric("system", "system.uptime", "s", [], "Time since the device booted"),
  metric(
    "system",
    "soc.undervoltage",
    null,
    [],
    "1 while the board's supply voltage is too low (Raspberry Pi firmware), else 0",
  ),
  metric(
    "system",
    "soc.undervoltage_occurred",
    null,
    [],
    "1 if the supply voltage was too low at any time since boot (Raspberry Pi firmware), else 0",
  ),
  metric(
    "system",
    "soc.freq_capped",
    null,
    [],
    "1 while the firmware caps the CPU frequency (Raspberry Pi), else 0",
  ),
  metric(
    "system",
    "soc.throttled",
    null,
    [],
    "1 while the firmware throttles the CPU (Raspberry Pi), else 0",
  ),
  metric(
    "system",
    "soc.temp_limited",
    null,
    [],
    "1 while the soft temperature limit is active (Raspberry Pi), else 0",
  ),
];

const COUNTER = "since the interface was created";
const NETWORK: MetricInfo[] = [
  metric("network", "net.rx_bytes", "B", ["iface"], `Bytes received ${COUNTER}`),
  metric("network", "net.tx_bytes", "B", ["iface"], `Bytes sent ${COUNTER}`),
  metric("network", "net.rx_packets", "count", ["iface"], `Packets received ${COUNTER}`),
  metric("network", "net.tx_packets", "count", ["iface"], `Packets sent ${COUNTER}`),
  metric("network", "net.rx_errors", "count", ["iface"], `Receive errors ${COUNTER}`),
  metric("network", "net.tx_errors", "count", ["iface"], `Transmit errors ${COUNTER}`),
  metric(
    "network",
    "net.rx_dropped",
    "count",
    ["iface"],
    `Received packets dropped ${COUNTER}`,
  ),
  metric("network", "net.tx_dropped", "count", ["iface"], `Packets dropped on send ${COUNTER}`),
  metric(
    "network",
    "net.rx_rate",
    "B/s",
    ["iface"],
    "Bytes received per second since the previous collection",
  ),
  metric(
    "network",
    "net.tx_rate",
    "B/s",
    ["iface"],
    "Bytes sent per second since the previous collection",
  ),
  metric(
    "network",
    "net.up",
    null,
    ["iface"],
    "1 while the interface is up with a carrier, else 0",
  ),
  metric(
    "network",
    "net.clients",
    "count",
    [],
    "Devices attached to this node (neighbours on its access interfaces, batman-adv's local clients)",
  ),
];

const MESH: MetricInfo[] = [
  metric(
    "mesh",
    "link.signal",
    "dBm",
    ["neighbor"],
    "Signal of a radio neighbour as this node receives it",
  ),
  metric(
    "mesh",
    "link.tq",
    null,
    ["neighbor"],
    "batman-adv transmit quality towards a radio neighbour, 0 (none) to 255 (perfect)",
  ),
  metric(
    "mesh",
    "link.throughput",
    "bit/s",
    ["neighbor"],
    "Throughput batman-adv expects towards a radio neighbour",
  ),
  metric("mesh", "mesh.neighbors", "count", [], "Radio neighbours heard in the last 10 seconds"),
  metric("mesh", "radio.noise", "dBm", [], "Noise floor the mesh radio measures"),
  metric("mesh", "radio.tx_power", "dBm", [], "Transmit power of the mesh radio"),
  metric(
    "mesh",
    "overlay.rx_bytes",
    "B",
    ["peer"],
    "Bytes received from a WireGuard overlay peer (its public key)",
  ),
  metric("mesh", "overlay.tx_bytes", "B", ["peer"], "Bytes sent to a WireGuard overlay peer"),
  metric(
    "mesh",
    "overlay.handshake_age",
    "s",
    ["peer"],
    "Time since the last WireGuard handshake with a peer; beyond about 3 minutes the tunnel is down",
  ),
];

const POWER: MetricInfo[] = [
  metric(
    "power",
    "supply.voltage",
    "V",
    ["supply"],
    "Voltage of a power supply the kernel lists (/sys/class/power_supply)",
  ),
  metric(
    "power",
    "supply.current",
    "A",
    ["supply"],
    "Current of a power supply as its driver reports it: for a battery negative while discharging",
  ),
  metric("power", "supply.power", "W", ["supply"], "Power drawn from or into a power supply"),
  metric("power", "supply.capacity", "%", ["supply"], "Charge left in a battery"),
  metric(
    "power",
    "supply.online",
    null,
    ["supply"],
    "1 while a mains, USB or other external supply is connected, else 0",
  ),
  metric("power", "supply.charging", null, ["supply"], "1 while a battery charges, else 0"),
];

const GPS: MetricInfo[] = [
  metric("gps", "gps.lat", "deg", [], "Latitude of the last fix, WGS84"),
  metric("gps", "gps.lon", "deg", [], "Longitude of the last fix, WGS84"),
  metric("gps", "gps.alt", "m", [], "Altitude of the last 3D fix"),
  metric("gps", "gps.speed", "m/s", [], "Speed over ground"),
  metric("gps", "gps.eph", "m", [], "Estimated horizontal position error (95 %)"),
  metric("gps", "gps.epv", "m", [], "Estimated vertical position error (95 %)"),
  metric("gps", "gps.mode", null, [], "Fix mode: 0 unknown, 1 no fix, 2 2D fix, 3 3D fix"),
  metric("gps", "gps.satellites_used", "count", [], "Satellites used in the fix"),
];

const AGENT: MetricInfo[] = [
  metric(
    "agent",
    "agent.collector.ok",
    null,
    ["collector"],
    "1 when the collector's last run succeeded, 0 when it failed (see the agent's log)",
  ),
  metric(
    "agent",
    "agent.buffer.samples",
    "count",
    [],
    "Samples waiting in the agent's buffer for the gateway",
  ),
  metric(
    "agent",
    "agent.buffer.dropped",
    "count",
    [],
    "Samples the agent dropped, oldest first, because its buffer was full",
  ),
  metric(
    "agent",
    "agent.clock.offset",
    "ms",
    [],
    "How far the gateway's clock is ahead of the node's (negative: behind)",
  ),
];

// What the demo's simulated data providers send; sensor templates declare their own later.
const SENSORS: MetricInfo[] = [
  metric("sensors", "env.temp", "°C", ["sensor"], "Air temperature from an environment sensor"),
  metric(
    "sensors",
    "env.humidity",
    "%",
    ["sensor"],
    "Relative humidity from an environment sensor",
  ),
  metric(
    "sensors",
    "env.pressure",
    "hPa",
    ["sensor"],
    "Air pressure at the sensor (not sea level)",
  ),
  metric("sensors", "power.voltage", "V", ["sensor"], "Bus voltage a power monitor measures"),
  metric(
    "sensors",
    "power.current",
    "A",
    ["sensor"],
    "Current a power monitor measures: positive while charging, negative while discharging",
  ),
  metric("sensors", "power.power", "W", ["sensor"], "Power a power monitor measures"),
];

/** Every built-in metric, by source. */
export const BUILTIN_METRICS: readonly MetricInfo[] = Object.freeze([
  ...SYSTEM,
  ...NETWORK,
  ...MESH,
  ...POWER,
  ...GPS,
  ...AGENT,
  ...SENSORS,
]);

/**
 * Built-ins plus stored entries that appear at run time (sensor templates,
 * monitors). A stored entry never replaces a built-in of the same name.
 *
 * @example
 * ```ts
 * const catalogue = new MetricCatalogue(store.list());
 * catalogue.lookup("soc.temp")?.unit; // "°C"
 * ```
 */
export class MetricCatalogue {
  readonly #byName = new Map<string, MetricInfo>();

  constructor(stored: readonly MetricInfo[] = []) {
    for (const info of stored) this.#byName.set(info.name, info);
    for (const info of BUILTIN_METRICS) this.#byName.set(info.name, info);
  }

  /** The metric called `name`, or undefined when nothing declares it. */
  lookup(name: string): MetricInfo | undefined {
    return this.#byName.get(name);
  }

  /** Every metric, by name. */
  list(): MetricInfo[] {
    return [...this.#byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Whether `name` is one of HALO's own metrics. */
  static isBuiltin(name: string): boolean {
    return BUILTIN_NAMES.has(name);
  }
}

const BUILTIN_NAMES = new Set(BUILTIN_METRICS.map((m) => m.name));

/** What a collector emits, as far as the catalogue cares. */
export interface CataloguedValue {
  metric: string;
  unit?: Unit | undefined;
  labels?: Readonly<Record<string, string>> | undefined;
}

/**
 * Everything in `values` the catalogue does not declare as it is: an
 * unknown metric, another unit, other label names. Empty when all agree.
 */
export function catalogueProblems(
  values: readonly CataloguedValue[],
  catalogue: MetricCatalogue = new MetricCatalogue(),
): string[] {
  const problems = new Set<string>();
  for (const value of values) {
    const info = catalogue.lookup(value.metric);
    if (!info) {
      problems.add(`${value.metric} is not in the metric catalogue`);
      continue;
    }
    const unit = value.unit ?? null;
    if (unit !== info.unit) {
      problems.add(
        `${value.metric} comes in ${unit ?? "no unit"}, declared ${info.unit ?? "none"}`,
      );
    }
    const labels = Object.keys(value.labels ?? {}).sort().join(",");
    const declared = [...info.labels].sort().join(",");
    if (labels !== declared) {
      problems.add(`${value.metric} has labels [${labels}], declared [${declared}]`);
    }
  }
  return [...problems];
}
