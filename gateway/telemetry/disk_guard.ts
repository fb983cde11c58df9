import { statfs } from "node:fs/promises";

/** Free and total bytes of the file system holding a path. */
export type DiskSpace = (path: string) => Promise<{ free: number; total: number }>;

/** The real file system's numbers (space available to unprivileged users counts as free). */
export const statDiskSpace: DiskSpace = async (path) => {
  const s = await statfs(path);
  return { free: Number(s.bavail) * Number(s.bsize), total: Number(s.blocks) * Number(s.bsize) };
};

/** Below this share of free space the store stops keeping raw samples. */
export const LOW_DISK_FRACTION = 0.05;
