/**
 * The /proc and /sys files of a simulated device, so a simulated node runs
 * the real collectors: a Raspberry Pi 4 (4 CPUs, 4 GB, `cpu-thermal`, the
 * firmware's throttled bits) whose CPU, memory and SoC temperature follow
 * the demo's {@linkcode SimTelemetry} and whose boot follows its
 * {@linkcode SimNode}. Counters (CPU ticks) accumulate as the clock moves
 * and restart when the device reboots.
 */
import type { Clock } from "../../lib/clock.ts";
import type { KernelFiles } from "../../lib/kernel_files.ts";
import type { SimNetwork } from "../../lib/sim/sim_network.ts";
import type { SimTelemetry } from "../../lib/sim/telemetry.ts";
import type { DiskSpace } from "./disk_space.ts";
import { THROTTLED_FILE } from "../collectors/system.ts";

/** USER_HZ: /proc/stat counts CPU time in hundredths of a second. */
const TICKS_PER_S = 100;
const MEM_TOTAL_KB = 3_884_376;
/** A 32 GB SD card as the kernel sizes it. */
const SD_CARD_BYTES = 31_914_983_424;
/** Wireless drivers by interface kind, for /sys/class/net/IF/device/uevent. */
const DRIVERS: Record<string, string> = { halow: "morse_spi", wifi: "brcmfmac" };
const HOUR = 3_600_000;

/** Options for {@linkcode simulatedKernelFiles}. */
export interface SimKernelFilesOptions {
  network: SimNetwork;
  telemetry: SimTelemetry;
  /** The device's key in the network plan. */
  key: string;
  clock: Clock;
  /**
   * A UPS HAT's fuel gauge (/sys/class/power_supply/battery) charged by day
   * from a solar panel. @default false
   */
  upsBattery?: boolean;
}

/** What the demo's telemetry says of the device at one moment. */
function modelAt(telemetry: SimTelemetry, key: string, t: number): Record<string, number> {
  return Object.fromEntries(
    telemetry.samples(key, t).filter((s) => !s.labels || s.labels.path).map((s) => [
      s.metric,
      s.value,
    ]),
  );
}

/** The simulated device's kernel files; see the module comment. */
export function simulatedKernelFiles(options: SimKernelFilesOptions): KernelFiles {
  const { network, telemetry, key, clock } = options;
  const node = network.node(key);
  const device = node.device;
  const cpus = 4;
  const stat = { bootId: "", at: 0, busy: 0, idle: 0, iowait: 0 };

  /** Advances the CPU ticks to `t`, busy as the telemetry's cpu.usage at `t`. */
  const ticksAt = (t: number, usage: number) => {
    if (stat.bootId !== node.bootId) {
      // A new boot: the counters start again, as if idle since boot.
      Object.assign(stat, { bootId: node.bootId, at: node.bootedAt, busy: 0, idle: 0, iowait: 0 });
    }
    const elapsed = Math.floor(((t - stat.at) / 1000) * TICKS_PER_S) * cpus;
    if (elapsed <= 0) return stat;
    const busy = Math.round((elapsed * usage) / 100);
    const iowait = Math.min(elapsed - busy, Math.round(elapsed * 0.002));
    stat.busy += busy;
    stat.iowait += iowait;
    stat.idle += elapsed - busy - iowait;
    stat.at += (elapsed / cpus / TICKS_PER_S) * 1000;
    return stat;
  };

  const files = (t: number): Record<string, string> => {
    const m = modelAt(telemetry, key, t);
    const usage = m["cpu.usage"] ?? 0;
    const s = ticksAt(t, usage);
    const user = Math.round(s.busy * 0.7);
    const system = s.busy - user;
    const cpuLine = (name: string, share: number) =>
      `${name} ${Math.round(user * share)} 0 ${Math.round(system * share)} ${
        Math.round(s.idle * share)
      } ${Math.round(s.iowait * share)} 0 0 0 0 0`;
    const uptime = node.uptimeS(t);
    const load = (cpus * usage) / 100;
    const available = Math.round(MEM_TOTAL_KB * (1 - (m["mem.used"] ?? 0) / 100));
    const out: Record<string, string> = {
      "/proc/stat": [
        cpuLine("cpu ", 1),
        ...Array.from({ length: cpus }, (_, i) => cpuLine(`cpu${i}`, 1 / cpus)),
        `btime ${Math.floor(node.bootedAt / 1000)}`,
      ].join("\n") + "\n",
      "/proc/loadavg": `${load.toFixed(2)} ${(load * 0.9).toFixed(2)} ${
        (load * 0.8).toFixed(2)
      } 1/182 ${4000 + Math.floor(uptime)}\n`,
      "/proc/meminfo": `MemTotal:       ${MEM_TOTAL_KB} kB\nMemFree:        ${
        Math.round(available * 0.6)
      } kB\nMemAvailable:   ${available} kB\n`,
      "/proc/uptime": `${uptime.toFixed(2)} ${(uptime * cpus * 0.9).toFixed(2)}\n`,
      "/proc/sys/kernel/random/boot_id": `${node.bootId}\n`,
      "/proc/sys/kernel/hostname": `${device.hostname}\n`,
      "/proc/sys/kernel/osrelease": `${device.versions.kernel ?? "6.6.51-v8+"}\n`,
      "/sys/class/thermal/thermal_zone0/type": "cpu-thermal\n",
      "/sys/class/thermal/thermal_zone0/temp": `${Math.round((m["soc.temp"] ?? 40) * 1000)}\n`,
      [THROTTLED_FILE]: "0\n",
    };
    device.interfaces.forEach((iface, i) => {
      const driver = DRIVERS[iface.kind];
      if (!driver) return;
      out[`/sys/class/net/${iface.name}/phy80211/name`] = `phy${i}\n`;
      out[`/sys/class/net/${iface.name}/device/uevent`] = `DRIVER=${driver}\n`;
    });
    if (options.upsBattery) Object.assign(out, upsBattery(t));
    return out;
  };

  // One collection reads a dozen files at one moment: render them once per moment.
  let rendered = { t: NaN, files: {} as Record<string, string> };
  const now = () => {
    const t = clock.now();
    if (t !== rendered.t) rendered = { t, files: files(t) };
    return rendered.files;
  };
  return {
    read: (path) => Promise.resolve(now()[path] ?? null),
    list(dir) {
      const prefix = `${dir.replace(/\/$/, "")}/`;
      const names = Object.keys(now()).filter((p) => p.startsWith(prefix))
        .map((p) => p.slice(prefix.length).split("/")[0]!);
      return Promise.resolve([...new Set(names)].sort());
    },
  };
}

/**
 * A single-cell battery behind a MAX17048 gauge: charging from mid-morning
 * until late afternoon, fullest at dusk, emptiest before dawn (UTC hours).
 */
function upsBattery(t: number): Record<string, string> {
  const hour = ((t % (24 * HOUR)) + 24 * HOUR) % (24 * HOUR) / HOUR;
  const capacity = Math.round(60 + 35 * Math.cos((2 * Math.PI * (hour - 18)) / 24));
  const charging = hour >= 9 && hour < 17;
  const volts = 3.3 + 0.9 * (capacity / 100);
  const base = "/sys/class/power_supply/battery";
  return {
    [`${base}/type`]: "Battery\n",
    [`${base}/status`]: charging ? "Charging\n" : "Discharging\n",
    [`${base}/online`]: charging ? "1\n" : "0\n",
    [`${base}/capacity`]: `${capacity}\n`,
    [`${base}/voltage_now`]: `${Math.round(volts * 1e6)}\n`,
  };
}

/** The simulated device's SD card: every path is on it, as full as the demo's disk.used. */
export function simulatedDiskSpace(
  telemetry: SimTelemetry,
  key: string,
  clock: Clock,
): DiskSpace {
  return {
    usage() {
      const used = modelAt(telemetry, key, clock.now())["disk.used"] ?? 0;
      const free = SD_CARD_BYTES - Math.round((SD_CARD_BYTES * used) / 100);
      return Promise.resolve({
        totalBytes: SD_CARD_BYTES,
        freeBytes: free,
        availableBytes: free,
      });
    },
  };
}
