import { assertEquals, assertRejects } from "../../lib/testing/assert.ts";
import { FakeFileSystem } from "../../lib/testing/fake_fs.ts";
import { CommandLogError, FileCommandLog } from "./command_log.ts";

const PATH = "/var/lib/halo/agent-commands.json";
const A = "cmd-000000000000000a";
const B = "cmd-000000000000000b";
const SNAPSHOT = { outcome: "succeeded" as const, type: "camera_snapshot", result: { tool: "x" } };

Deno.test("the log survives a restart: what started, finished and was posted", async () => {
  const fs = new FakeFileSystem();
  const log = new FileCommandLog(fs, PATH);
  await log.started(A, 1);
  await log.started(B, 2);
  await log.finished(B, SNAPSHOT, 3);
  assertEquals(fs.modes.get(PATH), 0o600);

  const restarted = new FileCommandLog(fs, PATH);
  assertEquals(await restarted.get(A), { id: A, state: "started", at: 1 });
  assertEquals(await restarted.unposted(), [{ id: B, result: SNAPSHOT }]);
  await restarted.posted(B);
  assertEquals(await new FileCommandLog(fs, PATH).unposted(), []);
  assertEquals(await new FileCommandLog(fs, PATH).get("cmd-00000000000000ff"), null);
});

Deno.test("a full log lets its oldest posted entries go, never an unposted one", async () => {
  const fs = new FakeFileSystem();
  const log = new FileCommandLog(fs, PATH, { maxEntries: 2 });
  const id = (n: number) => `cmd-${n.toString(16).padStart(16, "0")}`;
  await log.finished(id(1), SNAPSHOT, 1);
  await log.finished(id(2), SNAPSHOT, 2);
  await log.posted(id(2));
  await log.started(id(3), 3);
  await log.started(id(4), 4);
  const kept = JSON.parse(fs.files.get(PATH)!).commands.map((c: { id: string }) => c.id);
  assertEquals(kept, [id(1), id(3), id(4)]);
});

Deno.test("concurrent changes all land in the file", async () => {
  const fs = new FakeFileSystem();
  const log = new FileCommandLog(fs, PATH);
  await Promise.all([log.started(A, 1), log.started(B, 2)]);
  assertEquals((await new FileCommandLog(fs, PATH).get(B))?.state, "started");
  assertEquals((await new FileCommandLog(fs, PATH).get(A))?.state, "started");
});

Deno.test("a log that cannot be read is an error naming the file and the field", async () => {
  const broken = new FakeFileSystem({ [PATH]: '{"version":1,"commands":[{"id":"x"}]}' });
  await assertRejects(
    () => new FileCommandLog(broken, PATH).get(A),
    CommandLogError,
    `Cannot read ${PATH}: commands.0.state`,
  );
  const garbage = new FakeFileSystem({ [PATH]: "{" });
  await assertRejects(
    () => new FileCommandLog(garbage, PATH).started(A, 1),
    CommandLogError,
    `Cannot read ${PATH}: not JSON`,
  );
});
