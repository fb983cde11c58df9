import { assertEquals, assertRejects } from "../../lib/testing/assert.ts";
import type { KernelFiles } from "../../lib/kernel_files.ts";
import { createLogger } from "../../lib/log.ts";
import { catalogueProblems } from "../../lib/metrics/catalogue.ts";
import { fakeKernelFiles } from "../../lib/testing/fake_kernel_files.ts";
import type { Collection } from "./collector.ts";
import { PowerCollector } from "./power.ts";
import { KernelFileFormatError } from "../sources/procfs.ts";

const signal = new AbortController().signal;

/** A tree of testdata/ (see its README for where each comes from). */
function tree(name: string): Record<string, string> {
  return JSON.parse(Deno.readTextFileSync(new URL(`./testdata/${name}.json`, import.meta.url)));
}

/** Each reading as `supply metric` → value. */
function valuesOf(collection: Collection): Record<string, number> {
  return Object.fromEntries(
    collection.readings.map((r) => [`${r.labels?.supply} ${r.metric}`, r.value]),
  );
}

Deno.test("PowerCollector reads a laptop's mains adapter and battery in V, A and %", async () => {
  const collection = await new PowerCollector({
    files: fakeKernelFiles(tree("power_supply-laptop")),
  })
    .collect(signal);
  assertEquals(valuesOf(collection), {
    "AC supply.online": 1,
    "BAT0 supply.voltage": 12.154,
    "BAT0 supply.current": 1.234,
    "BAT0 supply.capacity": 87,
    "BAT0 supply.charging": 1,
  }, "the empty bay BAT1 gives nothing");
  assertEquals(catalogueProblems(collection.readings), []);
});

Deno.test("PowerCollector reads a UPS HAT's fuel gauge and its unplugged USB supply", async () => {
  const collection = await new PowerCollector({
    files: fakeKernelFiles(tree("power_supply-ups-hat")),
  })
    .collect(signal);
  assertEquals(valuesOf(collection), {
    "battery supply.voltage": 3.92125,
    "battery supply.capacity": 64,
    "battery supply.online": 0,
    "battery supply.charging": 0,
    "usb supply.voltage": 0,
    "usb supply.current": 0,
    "usb supply.power": 0,
    "usb supply.online": 0,
  });
  assertEquals(catalogueProblems(collection.readings), []);
});

Deno.test("PowerCollector keeps the sign the driver gives a discharging battery's current", async () => {
  const collection = await new PowerCollector({
    files: fakeKernelFiles({
      "/sys/class/power_supply/bq27441-0/type": "Battery\n",
      "/sys/class/power_supply/bq27441-0/current_now": "-512000\n",
      "/sys/class/power_supply/bq27441-0/power_now": "1900000\n",
    }),
  }).collect(signal);
  assertEquals(valuesOf(collection), {
    "bq27441-0 supply.current": -0.512,
    "bq27441-0 supply.power": 1.9,
  });
});

Deno.test("PowerCollector reports nothing on a machine without power supplies", async () => {
  assertEquals(await new PowerCollector({ files: fakeKernelFiles({}) }).collect(signal), {
    readings: [],
  });
});

Deno.test("PowerCollector skips an attribute the driver refuses, and says so", async () => {
  const files = fakeKernelFiles(tree("power_supply-laptop"));
  const refusing: KernelFiles = {
    list: files.list,
    read: (path) =>
      path.endsWith("BAT0/voltage_now")
        ? Promise.reject(new Error("ENODATA (errno 61)"))
        : files.read(path),
  };
  const lines: string[] = [];
  const collection = await new PowerCollector({
    files: refusing,
    log: createLogger({ component: "test", write: (line) => lines.push(line) }),
  }).collect(signal);
  assertEquals(valuesOf(collection)["BAT0 supply.voltage"], undefined);
  assertEquals(valuesOf(collection)["BAT0 supply.capacity"], 87);
  assertEquals(lines.map((l) => JSON.parse(l).path), ["/sys/class/power_supply/BAT0/voltage_now"]);
});

Deno.test("PowerCollector refuses an attribute that is not the integer the ABI promises", async () => {
  await assertRejects(
    () =>
      new PowerCollector({
        files: fakeKernelFiles({ "/sys/class/power_supply/BAT0/capacity": "87%\n" }),
      }).collect(signal),
    KernelFileFormatError,
    'Cannot read /sys/class/power_supply/BAT0/capacity: expected an integer, got "87%"',
  );
});
