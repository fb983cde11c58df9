/**
 * The device's hardware identity for enrollment: the board serial and
 * `/etc/machine-id`. The gateway maps the same hardware to the same node
 * (the canonical device model), so a simulated node brings its own.
 */
import type { KernelFiles } from "../../lib/kernel_files.ts";
import { type HardwareIdentity, hardwareIdentitySchema } from "../../lib/schemas/enrollment.ts";

/** Where the hardware identity comes from: the board, or a simulated device's plan. */
export interface HardwareIdentitySource {
  identity(): Promise<HardwareIdentity>;
}

/** The device has neither a board serial nor a machine-id. */
export class HardwareIdentityError extends Error {
  override name = "HardwareIdentityError";
}

const SERIAL = hardwareIdentitySchema.shape.serial.unwrap();
const MACHINE_ID = hardwareIdentitySchema.shape.machine_id.unwrap();
/** Boards without a programmed serial report zeros: no identity at all. */
const ZEROS = /^0+$/;

/** A serial the gateway accepts, else undefined. */
function serialOf(text: string | null | undefined): string | undefined {
  const value = text?.replace(/\0/g, "").trim();
  if (!value || ZEROS.test(value) || !SERIAL.safeParse(value).success) return undefined;
  return value;
}

/** The `Serial : …` line of /proc/cpuinfo (Raspberry Pi kernels), if any. */
function cpuinfoSerial(cpuinfo: string | null): string | undefined {
  const line = cpuinfo?.split("\n").find((l) => /^Serial\s*:/.test(l));
  return serialOf(line?.slice(line.indexOf(":") + 1));
}

/**
 * The real device: the board serial from the device tree
 * (`/proc/device-tree/serial-number`), else `/proc/cpuinfo`'s `Serial`; and
 * `/etc/machine-id`. A value the gateway would refuse (not 4-64 letters and
 * digits, or all zeros) is left out rather than sent.
 *
 * @throws {HardwareIdentityError} when neither is there.
 */
export function kernelHardwareIdentity(files: KernelFiles): HardwareIdentitySource {
  return {
    async identity() {
      const serial = serialOf(await files.read("/proc/device-tree/serial-number")) ??
        cpuinfoSerial(await files.read("/proc/cpuinfo"));
      const machineId = (await files.read("/etc/machine-id"))?.trim();
      const identity: HardwareIdentity = {
        ...(serial !== undefined ? { serial } : {}),
        ...(machineId && MACHINE_ID.safeParse(machineId).success ? { machine_id: machineId } : {}),
      };
      if (identity.serial === undefined && identity.machine_id === undefined) {
        throw new HardwareIdentityError(
          "This device has no hardware identity: no board serial in " +
            "/proc/device-tree/serial-number or /proc/cpuinfo, and no valid /etc/machine-id " +
            "(create one with systemd-machine-id-setup)",
        );
      }
      return identity;
    },
  };
}

/** A simulated device's identity, from its plan. */
export function simulatedHardwareIdentity(identity: HardwareIdentity): HardwareIdentitySource {
  const checked = hardwareIdentitySchema.parse(identity);
  return { identity: () => Promise.resolve(checked) };
}
