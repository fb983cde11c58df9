import type { KernelFiles } from "../kernel_files.ts";

/**
 * A {@linkcode KernelFiles} over `files` (path to text). It reads the record
 * on every call, so a test changes what the "kernel" says by assigning to it;
 * a directory lists the next segment of every path below it.
 *
 * @example
 * ```ts
 * const files = { "/proc/uptime": "12.5 40.1\n", "/sys/class/net/eth0/mtu": "1500\n" };
 * const kernel = fakeKernelFiles(files);
 * await kernel.list("/sys/class/net"); // ["eth0"]
 * files["/proc/uptime"] = "22.5 80.0\n";
 * ```
 */
export function fakeKernelFiles(files: Record<string, string>): KernelFiles {
  return {
    read: (path) => Promise.resolve(Object.hasOwn(files, path) ? files[path]! : null),
    list(dir) {
      const prefix = dir.replace(/\/+$/, "") + "/";
      const names = new Set<string>();
      for (const path of Object.keys(files)) {
        if (path.startsWith(prefix)) names.add(path.slice(prefix.length).split("/")[0]!);
      }
      return Promise.resolve([...names].sort());
    },
  };
}
