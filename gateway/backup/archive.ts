/**
 * The backup's plain tar layout, readable with `tar -x`:
 *
 *     halo-backup/manifest.json       what is inside, and from which gateway
 *     halo-backup/var/halo.db         the database snapshot
 *     halo-backup/var/ssh/id_ed25519  each registered secret file, by its path in $HALO_VAR
 */
import { createTarPacker } from "modern-tar";

/** The archive's top directory. */
export const ARCHIVE_DIR = "halo-backup";
/** The manifest, always the first entry. */
export const MANIFEST_ENTRY = `${ARCHIVE_DIR}/manifest.json`;
/** The database's path in `$HALO_VAR` and so in the archive. */
export const DATABASE_PATH = "halo.db";

/** The archive entry of a file at `path` in `$HALO_VAR`. */
export function entryName(path: string): string {
  return `${ARCHIVE_DIR}/var/${path}`;
}

/** One file to pack. */
export interface PackedFile {
  name: string;
  mode: number;
  size: number;
  body: Uint8Array | ReadableStream<Uint8Array>;
}

const BLOCK = 512;
// Longer names need a PAX header, which the size below does not count.
const MAX_NAME = 99;

/**
 * Packs `files` in order into a tar stream, reading each body as the stream
 * is read (the tar writer holds at most 8 MiB).
 *
 * @returns the stream and its exact length.
 * @throws {RangeError} for a name of 100 bytes or more.
 */
export function packArchive(
  files: readonly PackedFile[],
  mtime: Date,
): { stream: ReadableStream<Uint8Array>; size: number } {
  for (const file of files) {
    if (new TextEncoder().encode(file.name).length > MAX_NAME) {
      throw new RangeError(`Archive entry name "${file.name}" is longer than ${MAX_NAME} bytes`);
    }
  }
  const { readable, controller } = createTarPacker();
  const write = async () => {
    for (const [i, file] of files.entries()) {
      const body = controller.add({
        name: file.name,
        size: file.size,
        mode: file.mode,
        mtime,
        type: "file",
      });
      try {
        if (file.body instanceof Uint8Array) {
          const writer = body.getWriter();
          await writer.write(file.body);
          await writer.close();
        } else {
          await file.body.pipeTo(body);
        }
      } catch (error) {
        // Bodies not started yet still hold open files.
        for (const rest of files.slice(i + 1)) {
          if (!(rest.body instanceof Uint8Array)) await rest.body.cancel(error);
        }
        throw error;
      }
    }
    controller.finalize();
  };
  write().catch((error) => controller.error(error));
  const size = files.reduce((sum, f) => sum + BLOCK + Math.ceil(f.size / BLOCK) * BLOCK, 0) +
    2 * BLOCK;
  return { stream: readable, size };
}
