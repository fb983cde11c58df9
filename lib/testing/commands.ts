/**
 * Command-channel fixtures: a desired-state command type for tests (this
 * version ships none), the test JPEG and the stand-in camera tools.
 */
import { z } from "zod";
import { CAMERA_SNAPSHOT, type CommandType } from "../schemas/commands.ts";

/** A desired-state type: the node is to hold `value`; it answers with what it applied. */
export const TEST_DESIRED_VALUE = {
  type: "test_desired_value",
  summary: "Test: a value the node is to hold",
  desiredState: true,
  role: "admin",
  deadlineS: { default: 86_400, max: 7 * 86_400 },
  params: z.strictObject({ value: z.number().int() }),
  result: z.strictObject({ applied: z.number().int() }),
  view: z.object({ applied: z.number().int() }),
} as const satisfies CommandType;

/** This version's types and the test's desired-state type. */
export const TEST_COMMAND_TYPES: readonly CommandType[] = [CAMERA_SNAPSHOT, TEST_DESIRED_VALUE];

const TESTDATA = new URL("./testdata/", import.meta.url);

/** A 64×48 grayscale JPEG of 223 bytes (diagonal stripes). */
export function testJpeg(): Uint8Array<ArrayBuffer> {
  return Deno.readFileSync(new URL("snapshot.jpg", TESTDATA));
}

/** A stand-in `rpicam-still` that writes {@linkcode testJpeg} to its `--output`. */
export const FAKE_CAMERA_TOOL = decodeURIComponent(
  new URL("camera/rpicam-still", TESTDATA).pathname,
);

/** A stand-in `rpicam-still` on a board without a camera. */
export const NO_CAMERA_TOOL = decodeURIComponent(
  new URL("no-camera/rpicam-still", TESTDATA).pathname,
);
