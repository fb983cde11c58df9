// The system collector against this machine's real /proc and file systems,
// compared with what independent tools (free, df, getconf, cat) print just
// before and just after it reads.
import { assert, assertEquals } from "../lib/testing/assert.ts";
import { systemClock } from "../lib/clock.ts";
import { catalogueProblems } from "../lib/metrics/catalogue.ts";
import { SystemCollector } from "../agent/collectors/system.ts";
import { libcDiskSpace } from "../agent/sources/disk_space.ts";
import { allowAllKernelFiles } from "./_helpers/allow_all_kernel_files.ts";
import { must } from "./_helpers/netns.ts";

/** Memory and disk space other programs may take or give back while the collector reads. */
const SLACK_BYTES = 256 * 1024 ** 2;

interface ToolView {
  cpus: number;
  loads: number[];
  uptime: number;
  bootId: string;
  memTotal: number;
  memAvailable: number;
  disks: Record<string, { size: number; avail: number }>;
}

async function tools(paths: string[]): Promise<ToolView> {
  const free = (await must("free", ["-b"])).split("\n")[1]!.trim().split(/\s+/);
  const df = (await must("df", ["-B1", "--output=size,avail", ...paths])).trim().split("\n")
    .slice(1).map((line) => line.trim().split(/\s+/).map(Number));
  return {
    cpus: Number(await must("getconf", ["_NPROCESSORS_ONLN"])),
    loads: (await must("cat", ["/proc/loadavg"])).split(" ").slice(0, 3).map(Number),
    uptime: Number((await must("cat", ["/proc/uptime"])).split(" ")[0]),
    bootId: (await must("cat", ["/proc/sys/kernel/random/boot_id"])).trim(),
    memTotal: Number(free[1]),
    memAvailable: Number(free[6]),
    disks: Object.fromEntries(paths.map((p, i) => [p, { size: df[i]![0]!, avail: df[i]![1]! }])),
  };
}

/** `value` lies between `a` and `b` (either order), widened by `slack`. */
function between(value: number | undefined, a: number, b: number, slack = 0): boolean {
  return value !== undefined && Math.min(a, b) - slack <= value && value <= Math.max(a, b) + slack;
}

Deno.test("the system collector agrees with free, df, getconf and /proc on this machine", async () => {
  const varDir = await Deno.makeTempDir({ prefix: "halo-system-collector-" });
  try {
    const collector = new SystemCollector({
      files: allowAllKernelFiles,
      disk: libcDiskSpace(),
      clock: systemClock,
      varDir,
    });
    const before = await tools(["/", varDir]);
    const collection = await collector.collect(new AbortController().signal);
    const after = await tools(["/", varDir]);
    const value = (metric: string, path?: string) =>
      collection.readings.find((r) => r.metric === metric && r.labels?.path === path)?.value;

    assertEquals(catalogueProblems(collection.readings), []);
    assertEquals(value("cpu.count"), before.cpus);
    assertEquals(value("mem.total"), before.memTotal);
    assert(
      between(value("mem.available"), before.memAvailable, after.memAvailable, SLACK_BYTES),
      `mem.available ${
        value("mem.available")
      } near free's ${before.memAvailable}..${after.memAvailable}`,
    );
    ["cpu.load1", "cpu.load5", "cpu.load15"].forEach((metric, i) => {
      assert(
        between(value(metric), before.loads[i]!, after.loads[i]!),
        `${metric} ${value(metric)} between ${before.loads[i]} and ${after.loads[i]}`,
      );
    });
    assert(between(value("system.uptime"), before.uptime, after.uptime), "uptime in the window");
    const usage = value("cpu.usage")!;
    assert(usage >= 0 && usage <= 100, `cpu.usage ${usage} is a share`);
    assertEquals(collection.report?.boot_id, before.bootId);
    for (const path of ["/", varDir]) {
      assertEquals(value("disk.total", path), before.disks[path]!.size, `size of ${path}`);
      assert(
        between(
          value("disk.free", path),
          before.disks[path]!.avail,
          after.disks[path]!.avail,
          SLACK_BYTES,
        ),
        `disk.free of ${path}: ${value("disk.free", path)} near df's ${before.disks[path]!.avail}`,
      );
    }
  } finally {
    await Deno.remove(varDir, { recursive: true });
  }
});
