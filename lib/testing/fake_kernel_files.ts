import type { KernelFiles } from "../kernel_files.ts";

/**
 * Kernel files from a table of path → text: `read` answers null for a path
 * not in it, and `list` names the entries directly under a directory, as
 * the files' paths imply.
 */
export function fakeKernelFiles(files: Record<string, string>): KernelFiles {
  return {
    read: (path) => Promise.resolve(Object.hasOwn(files, path) ? files[path]! : null),
    list(dir) {
      const prefix = dir.endsWith("/") ? dir : `${dir}/`;
      const names = new Set<string>();
      for (const path of Object.keys(files)) {
        if (path.startsWith(prefix)) names.add(path.slice(prefix.length).split("/")[0]!);
      }
      return Promise.resolve([...names].sort());
    },
  };
}
