/** The file operations HALO components need; injected so logic is testable. */
export interface FileSystem {
  /** Reads a UTF-8 file; rejects with `Deno.errors.NotFound` if it is missing. */
  readTextFile(path: string): Promise<string>;
  /** Writes a file atomically (temp file, fsync, rename) with the given mode. */
  writeTextFileAtomic(path: string, data: string, options?: { mode?: number }): Promise<void>;
  exists(path: string): Promise<boolean>;
  mkdir(path: string): Promise<void>;
  remove(path: string): Promise<void>;
}

/** The real file system. */
export const denoFileSystem: FileSystem = {
  readTextFile: (path) => Deno.readTextFile(path),
  async writeTextFileAtomic(path, data, options = {}) {
    const tmp = `${path}.tmp-${crypto.randomUUID()}`;
    const file = await Deno.open(tmp, {
      write: true,
      createNew: true,
      mode: options.mode ?? 0o644,
    });
    try {
      await file.write(new TextEncoder().encode(data));
      await file.sync();
    } finally {
      file.close();
    }
    // The umask may have narrowed the mode; secrets rely on it being exact.
    if (options.mode !== undefined) await Deno.chmod(tmp, options.mode);
    await Deno.rename(tmp, path);
    // The rename itself survives a power cut only once the directory is synced too.
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) || "/" : ".";
    const handle = await Deno.open(dir, { read: true });
    try {
      await handle.sync();
    } finally {
      handle.close();
    }
  },
  async exists(path) {
    try {
      await Deno.lstat(path);
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  },
  mkdir: (path) => Deno.mkdir(path, { recursive: true }),
  async remove(path) {
    try {
      await Deno.remove(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  },
};
