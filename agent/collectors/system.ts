/**
 * The system collector: CPU, load, memory, disk, SoC temperature, uptime,
 * boot id and, where the board reports it, the Raspberry Pi firmware's
 * throttling — read from /proc and /sys through {@linkcode KernelFiles}, so a
 * simulated device is a different set of files, not a different collector.
 */
import type { Clock } from "../../lib/clock.ts";
import type { CommandRunner } from "../../lib/command.ts";
import type { KernelFiles } from "../../lib/kernel_files.ts";
import type { Logger } from "../../lib/log.ts";
import type { Unit } from "../../lib/schemas/telemetry.ts";
import type { Collection, Collector, Reading, ReportPart } from "./collector.ts";
import { type DiskSpace, usedPercent } from "../sources/disk_space.ts";
import {
  cpuShares,
  type CpuTimes,
  KernelFileFormatError,
  parseBootId,
  parseLoadavg,
  parseMeminfo,
  parseMilliCelsius,
  parseProcStat,
  parseThrottled,
  parseUptime,
  type Throttling,
} from "../sources/procfs.ts";

const THERMAL = "/sys/class/thermal";
/** The Raspberry Pi firmware's throttled bits (raspberrypi kernels). */
export const THROTTLED_FILE = "/sys/devices/platform/soc/soc:firmware/get_throttled";
const HOSTNAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/;
/** Thermal zone types that name the SoC or CPU package (Raspberry Pi, Rockchip, Intel). */
const SOC_ZONE = /^(cpu|soc|x86_pkg)/i;

/** Options for {@linkcode SystemCollector}. */
export interface SystemCollectorOptions {
  files: KernelFiles;
  disk: DiskSpace;
  clock: Clock;
  /** `$HALO_VAR`: its file system's use is reported beside `/`'s. */
  varDir: string;
  /** Runs `vcgencmd get_throttled` where the firmware's sysfs file is absent. */
  commands?: CommandRunner;
  log?: Logger;
  /** The window the first collection measures CPU over, having no earlier reading. @default 250 */
  firstWindowMs?: number;
}

/** Reads the system's state; see the module comment. */
export class SystemCollector implements Collector {
  readonly name = "system";
  readonly #o: SystemCollectorOptions;
  #previous: CpuTimes | null = null;
  #vcgencmdMissing = false;

  constructor(options: SystemCollectorOptions) {
    this.#o = options;
  }

  async collect(signal: AbortSignal): Promise<Collection> {
    const readings: Reading[] = [];
    const add = (metric: string, value: number, unit?: Unit, labels?: Record<string, string>) => {
      readings.push({
        metric,
        value,
        ...(unit ? { unit } : {}),
        ...(labels ? { labels } : {}),
      });
    };
    await this.#cpu(add, signal);
    const loads = parseLoadavg(await this.#required("/proc/loadavg"));
    add("cpu.load1", loads[0]);
    add("cpu.load5", loads[1]);
    add("cpu.load15", loads[2]);
    const mem = parseMeminfo(await this.#required("/proc/meminfo"));
    add("mem.total", mem.totalBytes, "B");
    add("mem.available", mem.availableBytes, "B");
    add("mem.used", round(100 * (1 - mem.availableBytes / mem.totalBytes), 1), "%");
    for (const path of new Set(["/", this.#o.varDir])) {
      const usage = await this.#o.disk.usage(path);
      if (!usage) throw new Error(`Cannot measure disk use of ${path}: it does not exist`);
      add("disk.used", round(usedPercent(usage), 2), "%", { path });
      add("disk.total", usage.totalBytes, "B", { path });
      add("disk.free", usage.availableBytes, "B", { path });
    }
    await this.#thermal(add);
    const uptime = parseUptime(await this.#required("/proc/uptime"));
    add("system.uptime", uptime, "s");
    const throttling = await this.#throttling(signal);
    if (throttling) {
      add("soc.undervoltage", Number(throttling.undervoltage));
      add("soc.undervoltage_occurred", Number(throttling.undervoltageOccurred));
      add("soc.freq_capped", Number(throttling.freqCapped));
      add("soc.throttled", Number(throttling.throttled));
      add("soc.temp_limited", Number(throttling.tempLimited));
    }
    return { readings, report: await this.#report(uptime) };
  }

  async #cpu(add: (metric: string, value: number, unit: Unit) => void, signal: AbortSignal) {
    let { cpus, times } = parseProcStat(await this.#required("/proc/stat"));
    let before = this.#previous;
    if (!before || ticks(times) < ticks(before)) {
      // No earlier reading, or counters that went back (a new boot): ticks since boot would
      // give the average since boot, so measure a short window instead.
      before = times;
      await this.#o.clock.sleep(this.#o.firstWindowMs ?? 250, signal);
      ({ cpus, times } = parseProcStat(await this.#required("/proc/stat")));
    }
    this.#previous = times;
    add("cpu.count", cpus, "count");
    const shares = cpuShares(before, times);
    if (!shares) return;
    add("cpu.usage", round(shares.busy, 1), "%");
    add("cpu.iowait", round(shares.iowait, 1), "%");
  }

  async #thermal(
    add: (metric: string, value: number, unit: Unit, labels?: { zone: string }) => void,
  ) {
    const zones = (await this.#o.files.list(THERMAL)).filter((z) => z.startsWith("thermal_zone"));
    const read: { type: string; celsius: number }[] = [];
    for (const zone of zones.sort(byNumber)) {
      const type = (await this.#o.files.read(`${THERMAL}/${zone}/type`))?.trim() || zone;
      const path = `${THERMAL}/${zone}/temp`;
      let text: string | null;
      try {
        text = await this.#o.files.read(path);
      } catch (error) {
        // A sensor that is not ready answers EIO or ENODATA; the other zones still count.
        this.#o.log?.warn("thermal zone unreadable", { path, error });
        continue;
      }
      if (text !== null) read.push({ type, celsius: parseMilliCelsius(text, path) });
    }
    for (const [i, { type, celsius }] of read.entries()) {
      // Boards with two zones of one type (two acpitz) keep them apart by position.
      const twice = read.filter((r) => r.type === type).length > 1;
      add("thermal.temp", celsius, "°C", { zone: (twice ? `${type}:${i}` : type).slice(0, 64) });
    }
    const soc = read.find((r) => SOC_ZONE.test(r.type)) ?? read[0];
    if (soc) add("soc.temp", soc.celsius, "°C");
  }

  async #throttling(signal: AbortSignal): Promise<Throttling | null> {
    const text = await this.#o.files.read(THROTTLED_FILE);
    if (text !== null) return parseThrottled(text, THROTTLED_FILE);
    if (!this.#o.commands || this.#vcgencmdMissing) return null;
    try {
      const out = await this.#o.commands.run("vcgencmd", ["get_throttled"], {
        timeoutMs: 2000,
        signal,
      });
      if (out.code === 0) return parseThrottled(out.stdout, "vcgencmd get_throttled");
      this.#o.log?.warn("vcgencmd get_throttled failed", { code: out.code, stderr: out.stderr });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      // Not a Raspberry Pi, or its tools are not installed: stop asking.
      this.#vcgencmdMissing = true;
    }
    return null;
  }

  async #report(uptime: number): Promise<ReportPart> {
    const report: ReportPart = {
      boot_id: parseBootId(await this.#required("/proc/sys/kernel/random/boot_id")),
      uptime_s: uptime,
    };
    const hostname = (await this.#o.files.read("/proc/sys/kernel/hostname"))?.trim();
    if (hostname && HOSTNAME.test(hostname)) report.hostname = hostname;
    else if (hostname) this.#o.log?.warn("hostname not reported: not a DNS name", { hostname });
    const kernel = (await this.#o.files.read("/proc/sys/kernel/osrelease"))?.trim();
    if (kernel) report.versions = { kernel: kernel.slice(0, 64) };
    return report;
  }

  async #required(path: string): Promise<string> {
    const text = await this.#o.files.read(path);
    if (text === null) throw new KernelFileFormatError(path, "the file does not exist");
    return text;
  }
}

function ticks(times: CpuTimes): number {
  return Object.values(times).reduce((a, b) => a + b, 0);
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

function byNumber(a: string, b: string): number {
  return Number(a.replace(/\D+/g, "")) - Number(b.replace(/\D+/g, ""));
}
