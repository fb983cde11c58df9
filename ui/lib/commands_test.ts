import { assertEquals } from "../../lib/testing/assert.ts";
import { type CommandRecord, isOpen, snapshotStatus } from "./commands.ts";

const base: CommandRecord = {
  id: "cmd-0000000000000001",
  node_id: "n-0123456789ab",
  type: "camera_snapshot",
  params: {},
  desired_state: false,
  state: "queued",
  issued_by: "ada",
  issued_role: "operator",
  created_at: "2026-11-23T12:00:00.000Z",
  deadline: "2026-11-23T12:01:00.000Z",
  sent_at: null,
  started_at: null,
  finished_at: null,
  result: null,
  error: null,
};
const at = (state: CommandRecord["state"], error: CommandRecord["error"] = null) =>
  snapshotStatus({ ...base, state, error, finished_at: "2026-11-23T12:00:03.250Z" }, "leaf-1");

Deno.test("a snapshot's status reads as a person would say it", () => {
  assertEquals(isOpen(base), true);
  assertEquals(at("sent"), { kind: "waiting", text: "Sent to leaf-1; waiting for it to start…" });
  assertEquals(at("succeeded"), { kind: "ok", text: "Snapshot taken at 2026-11-23 12:00:03 UTC." });
  assertEquals(isOpen({ state: "succeeded" }), false);
  assertEquals(
    at("refused", { code: "node_offline", message: "leaf-1 is offline: …" }).text,
    "leaf-1 is offline: its agent is not connected, so the snapshot was not sent.",
  );
  assertEquals(
    at("failed", { code: "no_camera", message: "No camera is connected to this node" }).text,
    "No camera is connected to leaf-1.",
  );
  assertEquals(
    at("expired", {
      code: "deadline_passed",
      message: "The deadline passed before the node took the command",
    }).text,
    "leaf-1 did not answer before the deadline: The deadline passed before the node took the command.",
  );
  assertEquals(
    at("failed", { code: "camera_failed", message: "rpicam-still failed: ERROR: x" }),
    { kind: "bad", text: "The snapshot failed: rpicam-still failed: ERROR: x" },
  );
});
