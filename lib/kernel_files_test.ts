/**
 * ffiKernelFiles against the real kernel, compared with what `cat` and `ls`
 * see, and the fake against the same expectations.
 */
import { assert, assertEquals, assertRejects } from "./testing/assert.ts";
import { ffiKernelFiles, KernelFileError } from "./kernel_files.ts";
import { fakeKernelFiles } from "./testing/fake_kernel_files.ts";

async function run(program: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(program, { args, stdout: "piped", stderr: "piped" }).output();
  assert(out.success, `${program} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

/** The 1-, 5- and 15-minute loads: the rest of /proc/loadavg changes with every new process. */
const loads = (text: string | null) => text?.split(" ").slice(0, 3).join(" ");

Deno.test("ffiKernelFiles reads what cat reads", async (t) => {
  await t.step("/proc/loadavg", async () => {
    // The kernel updates the loads every 5 s: compare when two of our reads bracket cat's.
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = loads(await ffiKernelFiles.read("/proc/loadavg"));
      const cat = loads(await run("cat", "/proc/loadavg"));
      const after = loads(await ffiKernelFiles.read("/proc/loadavg"));
      if (before !== after) continue;
      assertEquals(before, cat);
      return;
    }
    throw new Error("/proc/loadavg changed during every attempt");
  });

  await t.step("/proc/self/stat is this process's", async () => {
    const ours = (await ffiKernelFiles.read("/proc/self/stat"))!;
    const cat = await run("cat", `/proc/${Deno.pid}/stat`);
    // pid, comm, state… ppid; and the start time (field 22) never changes.
    const stable = (text: string) => {
      const afterComm = text.slice(text.lastIndexOf(")") + 2).split(" ");
      return [text.slice(0, text.lastIndexOf(")") + 1), afterComm[1], afterComm[19]];
    };
    assertEquals(ours.split(" ")[0], String(Deno.pid));
    assertEquals(stable(ours), stable(cat));
  });

  await t.step("/proc/sys/kernel/random/boot_id, to the newline", async () => {
    assertEquals(
      await ffiKernelFiles.read("/proc/sys/kernel/random/boot_id"),
      await run("cat", "/proc/sys/kernel/random/boot_id"),
    );
  });

  await t.step("lists /sys/class/net as ls does", async () => {
    const ls = (await run("ls", "-1", "/sys/class/net")).trim().split("\n").sort();
    const ours = await ffiKernelFiles.list("/sys/class/net");
    assertEquals(ours, ls);
    assert(ours.includes("lo"), "the loopback interface is listed");
  });
});

Deno.test("ffiKernelFiles on missing, unreadable and large files", async (t) => {
  await t.step("a missing file is null and a missing directory is empty", async () => {
    assertEquals(await ffiKernelFiles.read("/sys/class/net/no-such-iface/mtu"), null);
    assertEquals(await ffiKernelFiles.list("/sys/class/no-such-class"), []);
  });

  await t.step("a directory read as a file names the path and errno", async () => {
    const error = await assertRejects(
      () => ffiKernelFiles.read("/sys/class/net"),
      KernelFileError,
    ) as KernelFileError;
    assertEquals(error.message, "Cannot read /sys/class/net: read failed with EISDIR (errno 21)");
  });

  await t.step("a file listed as a directory names the path and errno", async () => {
    await assertRejects(
      () => ffiKernelFiles.list("/proc/loadavg"),
      KernelFileError,
      "Cannot read /proc/loadavg: opendir failed with ENOTDIR (errno 20)",
    );
  });

  const dir = await Deno.makeTempDir({ prefix: "halo-kernel-files-" });
  try {
    await t.step("a file longer than one read comes back whole", async () => {
      const text = "0123456789abcdef\n".repeat(5000);
      await Deno.writeTextFile(`${dir}/long`, text);
      assertEquals(await ffiKernelFiles.read(`${dir}/long`), text);
    });

    await t.step("a file over 1 MiB is refused", async () => {
      await Deno.writeFile(`${dir}/huge`, new Uint8Array(1024 * 1024 + 1));
      await assertRejects(
        () => ffiKernelFiles.read(`${dir}/huge`),
        KernelFileError,
        "larger than 1048576 bytes",
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fakeKernelFiles() answers like the kernel", async () => {
  const files: Record<string, string> = {
    "/proc/uptime": "12.50 40.10\n",
    "/sys/class/net/eth0/mtu": "1500\n",
    "/sys/class/net/lo/mtu": "65536\n",
  };
  const kernel = fakeKernelFiles(files);
  assertEquals(await kernel.list("/sys/class/net"), ["eth0", "lo"]);
  assertEquals(await kernel.list("/sys/class/net/"), ["eth0", "lo"]);
  assertEquals(await kernel.list("/sys/class/thermal"), []);
  assertEquals(await kernel.read("/proc/loadavg"), null);
  files["/proc/uptime"] = "22.50 80.00\n";
  assertEquals(await kernel.read("/proc/uptime"), "22.50 80.00\n");
});
