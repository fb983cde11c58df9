/**
 * Parsers of the kernel's text files the system collector reads, each as
 * proc(5) and the sysfs ABI documents describe it. A file that does not
 * read as documented is a {@linkcode KernelFileFormatError} naming it.
 */

/** A kernel file whose text is not what its documentation promises. */
export class KernelFileFormatError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`Cannot read ${path}: ${detail}`);
    this.name = "KernelFileFormatError";
  }
}

/** The fields of /proc/stat's "cpu" line that {@linkcode cpuShares} uses, in order. */
const CPU_FIELDS = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"] as const;

/** Cumulative CPU time of all CPUs in USER_HZ ticks, by proc(5)'s field names. */
export type CpuTimes = Record<typeof CPU_FIELDS[number], number>;

/** /proc/stat: the all-CPU times and how many CPUs are online (the `cpuN` lines). */
export function parseProcStat(
  text: string,
  path = "/proc/stat",
): { cpus: number; times: CpuTimes } {
  const lines = text.split("\n");
  const all = lines.find((l) => /^cpu\s/.test(l));
  if (!all) throw new KernelFileFormatError(path, 'no "cpu" line');
  const fields = all.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 4 || fields.some((n) => !Number.isSafeInteger(n) || n < 0)) {
    throw new KernelFileFormatError(path, `"cpu" line is not tick counts: ${all.trim()}`);
  }
  const times = Object.fromEntries(CPU_FIELDS.map((f, i) => [f, fields[i] ?? 0])) as CpuTimes;
  const cpus = lines.filter((l) => /^cpu\d+\s/.test(l)).length;
  if (cpus === 0) throw new KernelFileFormatError(path, 'no "cpuN" lines');
  return { cpus, times };
}

/**
 * Shares of the CPU time between two readings, percent: busy (user, nice,
 * system, irq, softirq, steal; guest time is inside user and nice) and
 * iowait. Null when no tick passed.
 */
export function cpuShares(
  before: CpuTimes,
  after: CpuTimes,
): { busy: number; iowait: number } | null {
  // proc(5): iowait "will decrease in certain conditions"; a step back counts as no time.
  const d = (f: typeof CPU_FIELDS[number]) => Math.max(0, after[f] - before[f]);
  const busy = d("user") + d("nice") + d("system") + d("irq") + d("softirq") + d("steal");
  const total = busy + d("idle") + d("iowait");
  if (total === 0) return null;
  return { busy: (100 * busy) / total, iowait: (100 * d("iowait")) / total };
}

/** /proc/loadavg: the 1, 5 and 15 minute load averages. */
export function parseLoadavg(text: string, path = "/proc/loadavg"): [number, number, number] {
  const fields = text.trim().split(/\s+/).slice(0, 3).map(Number);
  if (fields.length !== 3 || fields.some((n) => !Number.isFinite(n) || n < 0)) {
    throw new KernelFileFormatError(path, `expected three load averages, got "${text.trim()}"`);
  }
  return fields as [number, number, number];
}

/** /proc/meminfo: MemTotal and MemAvailable, bytes (the file counts in kB of 1024 bytes). */
export function parseMeminfo(
  text: string,
  path = "/proc/meminfo",
): { totalBytes: number; availableBytes: number } {
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(text);
    if (!match) throw new KernelFileFormatError(path, `no "${field}: N kB" line`);
    return Number(match[1]) * 1024;
  };
  return { totalBytes: kib("MemTotal"), availableBytes: kib("MemAvailable") };
}

/** /proc/uptime: seconds since boot (its first number). */
export function parseUptime(text: string, path = "/proc/uptime"): number {
  const seconds = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new KernelFileFormatError(path, `expected seconds since boot, got "${text.trim()}"`);
  }
  return seconds;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** /proc/sys/kernel/random/boot_id: a UUID, new at every boot. */
export function parseBootId(text: string, path = "/proc/sys/kernel/random/boot_id"): string {
  const id = text.trim();
  if (!UUID.test(id)) throw new KernelFileFormatError(path, `expected a UUID, got "${id}"`);
  return id;
}

/** A thermal zone's `temp`: millidegrees Celsius, as °C. */
export function parseMilliCelsius(text: string, path: string): number {
  const value = Number(text.trim());
  if (!Number.isInteger(value) || text.trim() === "") {
    throw new KernelFileFormatError(path, `expected millidegrees Celsius, got "${text.trim()}"`);
  }
  return value / 1000;
}

/**
 * The Raspberry Pi firmware's throttling bits, from the sysfs file's hex
 * (`50005`) or `vcgencmd get_throttled`'s `throttled=0x50005`.
 */
export interface Throttling {
  undervoltage: boolean;
  freqCapped: boolean;
  throttled: boolean;
  tempLimited: boolean;
  undervoltageOccurred: boolean;
}

/** Decodes the firmware's throttled bits: 0-3 now, 16-19 since boot. */
export function parseThrottled(text: string, path: string): Throttling {
  const match = /^(?:throttled=)?(?:0x)?([0-9a-fA-F]{1,8})$/.exec(text.trim());
  if (!match) {
    throw new KernelFileFormatError(
      path,
      `expected the throttled bits in hex, got "${text.trim()}"`,
    );
  }
  const bits = parseInt(match[1]!, 16);
  return {
    undervoltage: (bits & 0x1) !== 0,
    freqCapped: (bits & 0x2) !== 0,
    throttled: (bits & 0x4) !== 0,
    tempLimited: (bits & 0x8) !== 0,
    undervoltageOccurred: (bits & 0x10000) !== 0,
  };
}
