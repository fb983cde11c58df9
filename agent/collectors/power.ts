/**
 * The power collector: every supply the kernel lists in
 * /sys/class/power_supply — mains, USB, batteries and their fuel gauges —
 * with the attributes it has, converted from the units of the kernel's ABI
 * (Documentation/ABI/testing/sysfs-class-power: µV, µA, µW, percent) to V,
 * A, W and %. A supply without an attribute simply gives no reading for it.
 */
import type { KernelFiles } from "../../lib/kernel_files.ts";
import type { Logger } from "../../lib/log.ts";
import type { Unit } from "../../lib/schemas/telemetry.ts";
import type { Collection, Collector, Reading } from "./collector.ts";
import { KernelFileFormatError } from "../sources/procfs.ts";

const POWER_SUPPLY = "/sys/class/power_supply";
/** Label values are at most 64 characters (lib/schemas/telemetry.ts). */
const MAX_LABEL = 64;

/** Attributes read as numbers: file, metric, unit, and the factor to that unit. */
const NUMERIC: readonly [string, string, Unit | undefined, number][] = [
  ["voltage_now", "supply.voltage", "V", 1e-6],
  ["current_now", "supply.current", "A", 1e-6],
  ["power_now", "supply.power", "W", 1e-6],
  ["capacity", "supply.capacity", "%", 1],
  ["online", "supply.online", undefined, 1],
];

/** Options for {@linkcode PowerCollector}. */
export interface PowerCollectorOptions {
  files: KernelFiles;
  log?: Logger;
}

/** Reads the kernel's power supplies; see the module comment. */
export class PowerCollector implements Collector {
  readonly name = "power";
  readonly #o: PowerCollectorOptions;

  constructor(options: PowerCollectorOptions) {
    this.#o = options;
  }

  async collect(_signal: AbortSignal): Promise<Collection> {
    const readings: Reading[] = [];
    for (const supply of await this.#o.files.list(POWER_SUPPLY)) {
      readings.push(...await this.#supply(supply));
    }
    return { readings };
  }

  async #supply(supply: string): Promise<Reading[]> {
    const base = `${POWER_SUPPLY}/${supply}`;
    // A battery bay without a battery lists its attributes but has no values.
    if ((await this.#attribute(`${base}/present`))?.trim() === "0") return [];
    const labels = { supply: supply.slice(0, MAX_LABEL) };
    const readings: Reading[] = [];
    for (const [file, metric, unit, factor] of NUMERIC) {
      const path = `${base}/${file}`;
      const text = await this.#attribute(path);
      if (text === null) continue;
      const raw = Number(text.trim());
      if (text.trim() === "" || !Number.isInteger(raw)) {
        throw new KernelFileFormatError(path, `expected an integer, got "${text.trim()}"`);
      }
      readings.push({ metric, value: round(raw * factor), ...(unit ? { unit } : {}), labels });
    }
    const status = (await this.#attribute(`${base}/status`))?.trim();
    // "Unknown" says nothing; Discharging, "Not charging" and Full all mean not charging.
    if (status && status !== "Unknown") {
      readings.push({ metric: "supply.charging", value: Number(status === "Charging"), labels });
    }
    return readings;
  }

  /** An attribute's text; null when absent or when the driver refuses it (ENODATA, EIO…). */
  async #attribute(path: string): Promise<string | null> {
    try {
      return await this.#o.files.read(path);
    } catch (error) {
      this.#o.log?.warn("power supply attribute unreadable", { path, error });
      return null;
    }
  }
}

/** Micro-units to units keep six decimals; past them is float noise. */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
