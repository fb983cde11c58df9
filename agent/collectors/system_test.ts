import { assert, assertEquals, assertRejects } from "../../lib/testing/assert.ts";
import type { Clock } from "../../lib/clock.ts";
import type { KernelFiles } from "../../lib/kernel_files.ts";
import { catalogueProblems } from "../../lib/metrics/catalogue.ts";
import { FakeCommandRunner } from "../../lib/testing/fake_command.ts";
import { fakeKernelFiles } from "../../lib/testing/fake_kernel_files.ts";
import type { Collection } from "./collector.ts";
import type { DiskSpace, DiskUsage } from "../sources/disk_space.ts";
import { KernelFileFormatError } from "../sources/procfs.ts";
import { SystemCollector, type SystemCollectorOptions, THROTTLED_FILE } from "./system.ts";

/** This machine's files and tools, captured by testdata/capture_system.sh. */
const CAPTURE: {
  files: Record<string, string>;
  stat_after_1s: string;
  tools: Record<string, string>;
} = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/system-x86_64.json", import.meta.url)),
);
const VAR = "/var/lib/halo";
const GIB = 1024 ** 3;

/** A clock whose sleeps end at once; it remembers how long each was. */
function instantClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, now: () => 0, sleep: (ms) => (slept.push(ms), Promise.resolve()) };
}

/** `files`, but /proc/stat reads the next of `stats` each time (the last one stays). */
function withStats(files: Record<string, string>, stats: string[]): KernelFiles {
  const fake = fakeKernelFiles(files);
  let next = 0;
  return {
    read: (path) =>
      path === "/proc/stat"
        ? Promise.resolve(stats[Math.min(next++, stats.length - 1)]!)
        : fake.read(path),
    list: fake.list,
  };
}

function disks(table: Record<string, DiskUsage>): DiskSpace {
  return { usage: (path) => Promise.resolve(table[path] ?? null) };
}

const DISKS = disks({
  "/": { totalBytes: 32 * GIB, freeBytes: 24 * GIB, availableBytes: 22 * GIB },
  [VAR]: { totalBytes: 64 * GIB, freeBytes: 48 * GIB, availableBytes: 48 * GIB },
});

function collector(files: KernelFiles, extra: Partial<SystemCollectorOptions> = {}) {
  const clock = instantClock();
  return {
    clock,
    system: new SystemCollector({ files, disk: DISKS, clock, varDir: VAR, ...extra }),
  };
}

/** Each reading as `metric{labels}` → value. */
function valuesOf(collection: Collection): Record<string, number> {
  return Object.fromEntries(collection.readings.map((r) => {
    const labels = r.labels ? `{${Object.values(r.labels).join(",")}}` : "";
    return [`${r.metric}${labels}`, r.value];
  }));
}

const signal = new AbortController().signal;

Deno.test("SystemCollector reads this machine's captured /proc as free, nproc and loadavg saw it", async () => {
  const { system, clock } = collector(
    withStats(CAPTURE.files, [CAPTURE.files["/proc/stat"]!, CAPTURE.stat_after_1s]),
  );
  const collection = await system.collect(signal);
  const values = valuesOf(collection);
  const free = CAPTURE.tools["free -b"]!.split("\n")[1]!.trim().split(/\s+/);
  assertEquals(
    [values["cpu.count"], values["mem.total"], values["mem.available"]],
    [Number(CAPTURE.tools.nproc), Number(free[1]), Number(free[6])],
  );
  const [load1, load5, load15] = CAPTURE.files["/proc/loadavg"]!.split(" ").map(Number);
  assertEquals([values["cpu.load1"], values["cpu.load5"], values["cpu.load15"]], [
    load1,
    load5,
    load15,
  ]);
  // Worked by hand from the two "cpu" lines: 52 busy ticks (34 user, 18 system), 150 idle and
  // 2 iowait, 204 in all.
  assertEquals([values["cpu.usage"], values["cpu.iowait"]], [25.5, 1]);
  assertEquals(clock.slept, [250], "the first collection measured CPU over a short window");
  assertEquals(values["system.uptime"], Number(CAPTURE.files["/proc/uptime"]!.split(" ")[0]));
  assertEquals(collection.report, {
    boot_id: CAPTURE.files["/proc/sys/kernel/random/boot_id"]!.trim(),
    uptime_s: values["system.uptime"],
    hostname: CAPTURE.files["/proc/sys/kernel/hostname"]!.trim(),
    versions: { kernel: CAPTURE.files["/proc/sys/kernel/osrelease"]!.trim() },
  });
  assertEquals(values["soc.temp"], undefined, "this VM has no thermal zone, so no temperature");
  assertEquals(catalogueProblems(collection.readings), []);
});

Deno.test("SystemCollector measures CPU between collections without sleeping again", async () => {
  const line = (user: number, idle: number) =>
    `cpu  ${user} 0 100 ${idle} 10 0 0 0 0 0\ncpu0 ${user} 0 100 ${idle} 10 0 0 0 0 0\n`;
  const { system, clock } = collector(
    withStats(CAPTURE.files, [line(1000, 5000), line(1000, 5000), line(1300, 5700)]),
  );
  assertEquals(valuesOf(await system.collect(signal))["cpu.usage"], undefined, "no tick passed");
  assertEquals(valuesOf(await system.collect(signal))["cpu.usage"], 30);
  assertEquals(clock.slept, [250]);
});

Deno.test("SystemCollector counts a CPU field that steps back as no time, never below 0 %", async () => {
  // proc(5): iowait can decrease on multi-core machines.
  const { system } = collector(withStats(CAPTURE.files, [
    "cpu  100 0 0 1000 500 0 0 0\ncpu0 100 0 0 1000 500 0 0 0\n",
    "cpu  150 0 0 1050 400 0 0 0\ncpu0 150 0 0 1050 400 0 0 0\n",
  ]));
  const values = valuesOf(await system.collect(signal));
  assertEquals([values["cpu.usage"], values["cpu.iowait"]], [50, 0]);
});

Deno.test("SystemCollector reports the use of / and of $HALO_VAR as df does", async () => {
  const { system } = collector(withStats(CAPTURE.files, [CAPTURE.stat_after_1s]));
  const values = valuesOf(await system.collect(signal));
  // df: used / (used + available) = 8 / (8 + 22) GiB for "/".
  assertEquals(values["disk.used{/}"], 26.67);
  assertEquals([values["disk.total{/}"], values["disk.free{/}"]], [32 * GIB, 22 * GIB]);
  assertEquals(values[`disk.used{${VAR}}`], 25);
});

Deno.test("SystemCollector names the path whose file system is missing", async () => {
  const { system } = collector(withStats(CAPTURE.files, [CAPTURE.stat_after_1s]), {
    disk: disks({}),
  });
  await assertRejects(() => system.collect(signal), Error, "Cannot measure disk use of /");
});

const PI_FILES = {
  ...CAPTURE.files,
  // A Raspberry Pi's zone (bcm2835_thermal names it cpu-thermal) in millidegrees, and its
  // firmware's bits as the raspberrypi kernel prints them (sprintf "%x\n"): under-voltage
  // and throttled now, under-voltage since boot.
  "/sys/class/thermal/thermal_zone0/type": "cpu-thermal\n",
  "/sys/class/thermal/thermal_zone0/temp": "47236\n",
  [THROTTLED_FILE]: "50005\n",
};

Deno.test("SystemCollector reads a Raspberry Pi's SoC temperature and throttling from sysfs", async () => {
  const commands = new FakeCommandRunner(() => new Error("not called"));
  const { system } = collector(withStats(PI_FILES, [CAPTURE.stat_after_1s]), { commands });
  const collection = await system.collect(signal);
  const values = valuesOf(collection);
  assertEquals([values["soc.temp"], values["thermal.temp{cpu-thermal}"]], [47.236, 47.236]);
  assertEquals(
    [
      values["soc.undervoltage"],
      values["soc.freq_capped"],
      values["soc.throttled"],
      values["soc.temp_limited"],
      values["soc.undervoltage_occurred"],
    ],
    [1, 0, 1, 0, 1],
  );
  assertEquals(commands.calls, [], "the sysfs file answers; vcgencmd is not run");
  assertEquals(catalogueProblems(collection.readings), []);
});

Deno.test("SystemCollector picks the CPU package among several thermal zones", async () => {
  const { system } = collector(withStats({
    ...CAPTURE.files,
    "/sys/class/thermal/thermal_zone0/type": "acpitz\n",
    "/sys/class/thermal/thermal_zone0/temp": "27800\n",
    "/sys/class/thermal/thermal_zone1/type": "acpitz\n",
    "/sys/class/thermal/thermal_zone1/temp": "29800\n",
    "/sys/class/thermal/thermal_zone10/type": "x86_pkg_temp\n",
    "/sys/class/thermal/thermal_zone10/temp": "52000\n",
    "/sys/class/thermal/cooling_device0/type": "Processor\n",
  }, [CAPTURE.stat_after_1s]));
  const values = valuesOf(await system.collect(signal));
  assertEquals(values["soc.temp"], 52);
  assertEquals(
    [values["thermal.temp{acpitz:0}"], values["thermal.temp{acpitz:1}"]],
    [27.8, 29.8],
  );
});

Deno.test("SystemCollector asks vcgencmd where the firmware file is absent, and stops when it is not installed", async (t) => {
  await t.step("vcgencmd's answer is decoded", async () => {
    const commands = new FakeCommandRunner(() => ({
      code: 0,
      stdout: "throttled=0x2\n",
      stderr: "",
    }));
    const { system } = collector(withStats(CAPTURE.files, [CAPTURE.stat_after_1s]), { commands });
    const values = valuesOf(await system.collect(signal));
    assertEquals([values["soc.freq_capped"], values["soc.throttled"]], [1, 0]);
    assertEquals(commands.calls.map((c) => [c.program, ...c.args]), [[
      "vcgencmd",
      "get_throttled",
    ]]);
  });
  await t.step("no vcgencmd: no throttling readings, and it is asked once", async () => {
    const commands = new FakeCommandRunner(() => new Deno.errors.NotFound("vcgencmd"));
    const { system } = collector(withStats(CAPTURE.files, [CAPTURE.stat_after_1s]), { commands });
    assertEquals(valuesOf(await system.collect(signal))["soc.throttled"], undefined);
    await system.collect(signal);
    assertEquals(commands.calls.length, 1);
  });
});

Deno.test("SystemCollector refuses kernel files it cannot read, naming the file", async (t) => {
  const cases: [string, Record<string, string>, string][] = [
    ["a missing /proc/stat", { "/proc/stat": "" }, "/proc/stat"],
    ["meminfo without MemAvailable", {
      "/proc/meminfo": "MemTotal:       24683748 kB\n",
    }, 'Cannot read /proc/meminfo: no "MemAvailable: N kB" line'],
    ["a boot id that is no UUID", {
      "/proc/sys/kernel/random/boot_id": "not-a-uuid\n",
    }, 'Cannot read /proc/sys/kernel/random/boot_id: expected a UUID, got "not-a-uuid"'],
    ["garbage in the firmware file", { [THROTTLED_FILE]: "hot\n" }, THROTTLED_FILE],
  ];
  for (const [what, change, message] of cases) {
    await t.step(what, async () => {
      const files = { ...CAPTURE.files, ...change };
      if (change["/proc/stat"] === "") delete files["/proc/stat"];
      const { system } = collector(fakeKernelFiles(files));
      await assertRejects(() => system.collect(signal), KernelFileFormatError, message);
    });
  }
});

Deno.test("SystemCollector leaves out a hostname that is not a DNS name", async () => {
  const { system } = collector(withStats({
    ...CAPTURE.files,
    "/proc/sys/kernel/hostname": "my_box\n",
  }, [CAPTURE.stat_after_1s]));
  const { report } = await system.collect(signal);
  assert(report && !("hostname" in report), JSON.stringify(report));
});
