import type { KernelFiles } from "../../lib/kernel_files.ts";

/**
 * A test double of the agent's kernel files that reads /proc and /sys with
 * Deno's own file API, which Deno allows there only under `--allow-all` —
 * as `deno test --allow-all` runs. The agent reads them through libc instead.
 */
export const allowAllKernelFiles: KernelFiles = {
  async read(path) {
    try {
      return await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  },
  async list(dir) {
    try {
      return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
  },
};
