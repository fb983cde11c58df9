/**
 * Reads of the kernel's pseudo-files under /proc and /sys. Deno refuses
 * those paths without `--allow-all`, so the agent reads them through libc
 * (FFI); collectors see only this interface, and tests a fake
 * (`lib/testing/fake_kernel_files.ts`).
 */
export interface KernelFiles {
  /** A /proc or /sys file's text; null when it does not exist (ENOENT). */
  read(path: string): Promise<string | null>;
  /** Entry names of a /sys directory; [] when it does not exist. */
  list(dir: string): Promise<string[]>;
}
