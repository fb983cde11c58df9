import { assertEquals, assertRejects, assertThrows } from "../../lib/testing/assert.ts";
import { ffiKernelFiles } from "../../lib/kernel_files.ts";
import { fakeKernelFiles } from "../../lib/testing/fake_kernel_files.ts";
import {
  HardwareIdentityError,
  kernelHardwareIdentity,
  simulatedHardwareIdentity,
} from "./hardware_identity.ts";

const MACHINE_ID = "3d1219c7c4c5404aaa1f6d2a48adfda4";

Deno.test("kernelHardwareIdentity()", async (t) => {
  await t.step("on this machine, /etc/machine-id is what cat shows", async () => {
    const out = await new Deno.Command("cat", { args: ["/etc/machine-id"], stdout: "piped" })
      .output();
    const identity = await kernelHardwareIdentity(ffiKernelFiles).identity();
    assertEquals(identity.machine_id, new TextDecoder().decode(out.stdout).trim());
  });

  await t.step("the device tree's serial comes first, without its NUL", async () => {
    const files = fakeKernelFiles({
      "/proc/device-tree/serial-number": "10000000a1b2c3d4\0",
      "/proc/cpuinfo": "processor\t: 0\nSerial\t\t: 00000000ffffffff\n",
      "/etc/machine-id": `${MACHINE_ID}\n`,
    });
    assertEquals(await kernelHardwareIdentity(files).identity(), {
      serial: "10000000a1b2c3d4",
      machine_id: MACHINE_ID,
    });
  });

  await t.step("else /proc/cpuinfo's Serial line", async () => {
    const files = fakeKernelFiles({
      "/proc/cpuinfo": "processor\t: 0\nHardware\t: BCM2835\nSerial\t\t: 10000000a1b2c3d4\n",
    });
    assertEquals(await kernelHardwareIdentity(files).identity(), { serial: "10000000a1b2c3d4" });
  });

  await t.step("a serial of zeros or a malformed machine-id is no identity", async () => {
    const files = fakeKernelFiles({
      "/proc/cpuinfo": "Serial\t\t: 0000000000000000\n",
      "/etc/machine-id": "uninitialized\n",
    });
    await assertRejects(
      () => kernelHardwareIdentity(files).identity(),
      HardwareIdentityError,
      "This device has no hardware identity",
    );
  });
});

Deno.test("simulatedHardwareIdentity() checks the plan's identity", async () => {
  assertEquals(await simulatedHardwareIdentity({ serial: "SIM0001" }).identity(), {
    serial: "SIM0001",
  });
  assertThrows(() => simulatedHardwareIdentity({ serial: "sim-1" }));
});
