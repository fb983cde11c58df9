import type { CommandRunner } from "../../lib/command.ts";
import { jpegSize } from "../../lib/image/jpeg_size.ts";
import {
  CAMERA_MAX_IMAGE_BYTES,
  type CameraSnapshotParams,
  cameraSnapshotParamsSchema,
  type CameraSnapshotResult,
} from "../../lib/schemas/commands.ts";
import { CommandFailure, type CommandHandler } from "./executor.ts";

/** The camera tools tried in order: Raspberry Pi OS Bookworm's name, then the older one. */
export const CAMERA_TOOLS = ["rpicam-still", "libcamera-still"] as const;

/** Lets auto-exposure settle before the capture (rpicam-still's --timeout). */
const SETTLE_MS = 1000;
/** The longest a capture may take when the deadline allows more. */
const CAPTURE_TIMEOUT_MS = 30_000;

/** Where a snapshot is written before it is read back. */
export interface SnapshotFiles {
  /** A fresh path in a private directory (on a node, `$HALO_RUN`: RAM, not the SD card). */
  path(): Promise<string>;
  /** The file's bytes. @throws {RangeError} when it holds more than `maxBytes`. */
  read(path: string, maxBytes: number): Promise<Uint8Array>;
  /** Removes it; a missing file is fine. */
  remove(path: string): Promise<void>;
}

/** {@linkcode SnapshotFiles} in `dir`, which is created 0700. */
export function snapshotFilesIn(dir: string): SnapshotFiles {
  return {
    async path() {
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
      return `${dir}/snapshot-${crypto.randomUUID()}.jpg`;
    },
    async read(path, maxBytes) {
      const { size } = await Deno.stat(path);
      if (size > maxBytes) throw new RangeError(`${size} bytes`);
      return await Deno.readFile(path);
    },
    async remove(path) {
      await Deno.remove(path).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    },
  };
}

/** What {@linkcode cameraSnapshot} needs. */
export interface CameraOptions {
  runner: CommandRunner;
  files: SnapshotFiles;
  /** Programs tried in order; the first installed one takes the picture. @default CAMERA_TOOLS */
  tools?: readonly string[];
}

/**
 * The `camera_snapshot` command: one JPEG from `rpicam-still`, else
 * `libcamera-still`, at the size and quality asked, at most
 * {@linkcode CAMERA_MAX_IMAGE_BYTES}. Fails with `no_camera_tool` when
 * neither is installed, `no_camera` when no camera is connected,
 * `image_too_large` or `camera_failed` otherwise.
 */
export function cameraSnapshot(options: CameraOptions): CommandHandler {
  const tools = options.tools ?? CAMERA_TOOLS;
  return async (raw, { signal }) => {
    const parsed = cameraSnapshotParamsSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new CommandFailure(
        "invalid_command",
        `params.${issue.path.join(".")}: ${issue.message}`,
      );
    }
    const params = parsed.data;
    const path = await options.files.path();
    try {
      for (const tool of tools) {
        const ran = await capture(options.runner, tool, params, path, signal);
        if (ran) return await readSnapshot(options.files, path, toolName(tool));
      }
    } finally {
      await options.files.remove(path);
    }
    throw new CommandFailure(
      "no_camera_tool",
      `Neither ${tools.map(toolName).join(" nor ")} is installed: install rpicam-apps ` +
        "(apt install rpicam-apps) on this node",
    );
  };
}

/** Runs one tool; false when it is not installed. */
async function capture(
  runner: CommandRunner,
  tool: string,
  params: CameraSnapshotParams,
  path: string,
  signal: AbortSignal,
): Promise<boolean> {
  const args = [
    "--nopreview",
    "--timeout",
    String(SETTLE_MS),
    "--width",
    String(params.width),
    "--height",
    String(params.height),
    "--quality",
    String(params.quality),
    "--encoding",
    "jpg",
    "--thumb",
    "none",
    "--output",
    path,
  ];
  let out;
  try {
    out = await runner.run(tool, args, { timeoutMs: CAPTURE_TIMEOUT_MS, signal });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    if (signal.aborted) throw error;
    throw new CommandFailure("camera_failed", `${toolName(tool)} failed: ${messageOf(error)}`);
  }
  if (out.code === 0) return true;
  const said = out.stderr.trim().split("\n").at(-1)?.trim() || `exit ${out.code}`;
  if (/no cameras available/i.test(out.stderr)) {
    throw new CommandFailure("no_camera", `No camera is connected to this node (${said})`);
  }
  throw new CommandFailure("camera_failed", `${toolName(tool)} failed: ${said}`);
}

async function readSnapshot(
  files: SnapshotFiles,
  path: string,
  tool: string,
): Promise<CameraSnapshotResult> {
  let data: Uint8Array;
  try {
    data = await files.read(path, CAMERA_MAX_IMAGE_BYTES);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new CommandFailure(
        "image_too_large",
        `The snapshot is ${error.message}, more than the ${CAMERA_MAX_IMAGE_BYTES} allowed: ` +
          "ask for a smaller size or a lower quality",
      );
    }
    if (error instanceof Deno.errors.NotFound) {
      throw new CommandFailure("camera_failed", `${tool} exited without writing an image`);
    }
    throw error;
  }
  if (!jpegSize(data)) {
    throw new CommandFailure("camera_failed", `${tool} wrote a file that is no JPEG`);
  }
  return { tool, image_base64: data.toBase64() };
}

function toolName(tool: string): string {
  return tool.split("/").at(-1)!;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
