import type { FileSystem } from "../fs.ts";

/** An in-memory file system; `files` maps path to contents, `modes` path to mode. */
export class FakeFileSystem implements FileSystem {
  readonly files = new Map<string, string>();
  readonly modes = new Map<string, number>();
  readonly dirs = new Set<string>();

  constructor(initial: Record<string, string> = {}) {
    for (const [path, data] of Object.entries(initial)) this.files.set(path, data);
  }

  readTextFile(path: string): Promise<string> {
    const data = this.files.get(path);
    return data === undefined
      ? Promise.reject(new Deno.errors.NotFound(`No such file: ${path}`))
      : Promise.resolve(data);
  }

  writeTextFileAtomic(path: string, data: string, options: { mode?: number } = {}): Promise<void> {
    this.files.set(path, data);
    this.modes.set(path, options.mode ?? 0o644);
    return Promise.resolve();
  }

  exists(path: string): Promise<boolean> {
    return Promise.resolve(this.files.has(path) || this.dirs.has(path));
  }

  mkdir(path: string): Promise<void> {
    this.dirs.add(path);
    return Promise.resolve();
  }

  remove(path: string): Promise<void> {
    this.files.delete(path);
    return Promise.resolve();
  }
}
