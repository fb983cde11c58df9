import { denoCommandRunner } from "../../lib/command.ts";
import { CAMERA_MAX_IMAGE_BYTES } from "../../lib/schemas/commands.ts";
import { assertEquals, assertRejects } from "../../lib/testing/assert.ts";
import { FAKE_CAMERA_TOOL, NO_CAMERA_TOOL, testJpeg } from "../../lib/testing/commands.ts";
import { FakeCommandRunner } from "../../lib/testing/fake_command.ts";
import { cameraSnapshot, type SnapshotFiles, snapshotFilesIn } from "./camera.ts";
import { CommandFailure } from "./executor.ts";

const context = () => ({ signal: new AbortController().signal });
const DEFAULTS = { width: 1280, height: 720, quality: 80, store: false };

/** Snapshot files in memory: the runner's stand-in "writes" `written` to the path. */
function memoryFiles(written: Uint8Array | null) {
  const removed: string[] = [];
  const files: SnapshotFiles = {
    path: () => Promise.resolve("/run/halo/camera/snapshot-1.jpg"),
    read: (_path, max) => {
      if (written === null) return Promise.reject(new Deno.errors.NotFound("no file"));
      if (written.length > max) return Promise.reject(new RangeError(`${written.length} bytes`));
      return Promise.resolve(written);
    },
    remove: (path) => Promise.resolve(void removed.push(path)),
  };
  return { files, removed };
}

const ok = { code: 0, stdout: "", stderr: "" };

/** The failure `take` rejects with. */
function failureOf(take: () => Promise<unknown>, message?: string): Promise<CommandFailure> {
  return assertRejects(take, CommandFailure, message) as Promise<CommandFailure>;
}

Deno.test("a snapshot runs rpicam-still with the size and quality asked", async () => {
  const runner = new FakeCommandRunner(() => ok);
  const { files, removed } = memoryFiles(testJpeg());
  const result = await cameraSnapshot({ runner, files })(
    { width: 640, height: 480, quality: 70, store: true },
    context(),
  );
  assertEquals(result, { tool: "rpicam-still", image_base64: testJpeg().toBase64() });
  assertEquals(runner.calls.map((c) => [c.program, ...c.args].join(" ")), [
    "rpicam-still --nopreview --timeout 1000 --width 640 --height 480 --quality 70 " +
    "--encoding jpg --thumb none --output /run/halo/camera/snapshot-1.jpg",
  ]);
  assertEquals(removed, ["/run/halo/camera/snapshot-1.jpg"], "the file is removed after");
});

Deno.test("without rpicam-still, libcamera-still takes it; without either, a clear error", async () => {
  const missing = (program: string) => new Deno.errors.NotFound(`${program}: not found`);
  const older = new FakeCommandRunner((p) => p === "rpicam-still" ? missing(p) : ok);
  const { files } = memoryFiles(testJpeg());
  assertEquals(
    (await cameraSnapshot({ runner: older, files })(DEFAULTS, context())).tool,
    "libcamera-still",
  );

  const none = new FakeCommandRunner((p) => missing(p));
  const failure = await failureOf(
    () => cameraSnapshot({ runner: none, files })(DEFAULTS, context()),
    "Neither rpicam-still nor libcamera-still is installed: install rpicam-apps",
  );
  assertEquals(failure.code, "no_camera_tool");
});

Deno.test("each way a capture fails has its own code", async (t) => {
  const cases: [string, number, string, Uint8Array | null, string, string][] = [
    [
      "no camera",
      255,
      "ERROR: *** no cameras available ***\n",
      null,
      "no_camera",
      "No camera is connected to this node (ERROR: *** no cameras available ***)",
    ],
    [
      "the tool fails",
      1,
      "line one\nERROR: failed to start camera\n",
      null,
      "camera_failed",
      "rpicam-still failed: ERROR: failed to start camera",
    ],
    [
      "it writes nothing",
      0,
      "",
      null,
      "camera_failed",
      "rpicam-still exited without writing an image",
    ],
    [
      "it writes no JPEG",
      0,
      "",
      new TextEncoder().encode("P6 64 48 255"),
      "camera_failed",
      "rpicam-still wrote a file that is no JPEG",
    ],
    [
      "the image is too large",
      0,
      "",
      new Uint8Array(CAMERA_MAX_IMAGE_BYTES + 1),
      "image_too_large",
      `The snapshot is ${
        CAMERA_MAX_IMAGE_BYTES + 1
      } bytes, more than the ${CAMERA_MAX_IMAGE_BYTES} allowed: ask for a smaller size or a lower quality`,
    ],
  ];
  for (const [what, code, stderr, written, failure, message] of cases) {
    await t.step(what, async () => {
      const runner = new FakeCommandRunner(() => ({ code, stdout: "", stderr }));
      const { files, removed } = memoryFiles(written);
      const error = await failureOf(() => cameraSnapshot({ runner, files })(DEFAULTS, context()));
      assertEquals([error.code, error.message], [failure, message]);
      assertEquals(removed.length, 1);
    });
  }
});

Deno.test("with a stand-in camera tool and real files, the JPEG it writes comes back", async () => {
  const dir = await Deno.makeTempDir({ prefix: "halo-camera-" });
  try {
    const files = snapshotFilesIn(`${dir}/camera`);
    const take = cameraSnapshot({ runner: denoCommandRunner, files, tools: [FAKE_CAMERA_TOOL] });
    const result = await take(DEFAULTS, context());
    assertEquals(result, { tool: "rpicam-still", image_base64: testJpeg().toBase64() });
    assertEquals([...Deno.readDirSync(`${dir}/camera`)], [], "nothing is left behind");
    assertEquals(Deno.statSync(`${dir}/camera`).mode! & 0o777, 0o700);

    const none = cameraSnapshot({ runner: denoCommandRunner, files, tools: [NO_CAMERA_TOOL] });
    const error = await failureOf(() => none(DEFAULTS, context()));
    assertEquals(error.code, "no_camera");
    const missing = cameraSnapshot({ runner: denoCommandRunner, files, tools: [`${dir}/nothing`] });
    assertEquals((await failureOf(() => missing(DEFAULTS, context()))).code, "no_camera_tool");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("params the schema refuses never reach the tool", async () => {
  const runner = new FakeCommandRunner(() => ok);
  const { files } = memoryFiles(testJpeg());
  await assertRejects(() =>
    cameraSnapshot({ runner, files })({ width: "1280; reboot" }, context())
  );
  assertEquals(runner.calls, []);
});
