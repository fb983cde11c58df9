import { assertEquals, assertRejects } from "../../lib/testing/assert.ts";
import { ffiKernelFiles } from "../../lib/kernel_files.ts";
import { fakeKernelFiles } from "../../lib/testing/fake_kernel_files.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import { simulatedHostFiles } from "../sources/simulated_host.ts";
import { hostCollector, readHostInfo } from "./host.ts";

const BOOT = "0b7d7f5e-2c55-4a36-9a0e-5d1f0e6b1c11";

async function run(program: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(program, { args, stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("hostCollector() on this machine reports what the kernel says", async () => {
  const { readings, report } = await hostCollector(ffiKernelFiles, "dev").collect(
    new AbortController().signal,
  );
  assertEquals(readings, []);
  assertEquals(report?.boot_id, await run("cat", "/proc/sys/kernel/random/boot_id"));
  assertEquals(report?.hostname, await run("cat", "/proc/sys/kernel/hostname"));
  assertEquals(report?.versions, { "halo-agent": "dev", kernel: await run("uname", "-r") });
  const uptime = Number((await run("cat", "/proc/uptime")).split(" ")[0]);
  // Read before cat: never more than cat's, and a running machine's is above zero.
  assertEquals(report!.uptime_s! > 0 && report!.uptime_s! <= uptime, true);
});

Deno.test("readHostInfo() on odd kernel files", async (t) => {
  const files = (over: Record<string, string>) =>
    fakeKernelFiles({
      "/proc/sys/kernel/hostname": "mast-3\n",
      "/proc/sys/kernel/random/boot_id": `${BOOT}\n`,
      "/proc/uptime": "350.25 1200.00\n",
      ...over,
    });

  await t.step("reads the four files; no osrelease is no kernel version", async () => {
    assertEquals(await readHostInfo(files({})), {
      hostname: "mast-3",
      bootId: BOOT,
      uptimeS: 350.25,
      kernel: null,
    });
  });

  await t.step("a hostname the gateway refuses is left out", async () => {
    const host = await readHostInfo(files({ "/proc/sys/kernel/hostname": "mast_3\n" }));
    assertEquals(host.hostname, null);
    const { report } = await hostCollector(
      files({ "/proc/sys/kernel/hostname": "mast_3\n" }),
      "dev",
    ).collect(new AbortController().signal);
    assertEquals("hostname" in report!, false);
  });

  await t.step("a malformed boot id or uptime names the file", async () => {
    await assertRejects(
      () => readHostInfo(files({ "/proc/sys/kernel/random/boot_id": "zzz\n" })),
      Error,
      '/proc/sys/kernel/random/boot_id: expected a UUID, got "zzz"',
    );
    await assertRejects(
      () => readHostInfo(files({ "/proc/uptime": "soon\n" })),
      Error,
      '/proc/uptime: expected seconds, got "soon\\n"',
    );
  });
});

Deno.test("simulatedHostFiles() is a machine whose uptime follows its clock", async () => {
  const clock = new FakeClock();
  const kernel = simulatedHostFiles({
    hostname: "sim-node-2",
    bootId: BOOT,
    bootedAt: clock.now() - 60_000,
    clock,
  });
  assertEquals((await readHostInfo(kernel)).uptimeS, 60);
  await clock.tick(30_000);
  assertEquals(await readHostInfo(kernel), {
    hostname: "sim-node-2",
    bootId: BOOT,
    uptimeS: 90,
    kernel: "6.12.0-halo-sim",
  });
});
