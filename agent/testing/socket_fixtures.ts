/** What agent.sock's tests serve and wait for. */
import type { AgentStatus } from "../../lib/schemas/agent_socket.ts";
import type { LiveFeed } from "../socket/live_feed.ts";

/** A status as a running agent would give it. */
export const STATUS: AgentStatus = {
  version: "dev (0123456789ab)",
  node_id: "n-0123456789ab",
  started_at: "2026-11-23T12:00:00.000Z",
  report_interval_s: 10,
  last_report: { at: "2026-11-23T12:00:10.000Z", ok: false, error: "gateway unreachable" },
  buffer: { samples: 42, batches: 1, bytes: 0, dropped: 0 },
  clock: { offset_ms: -1250, synced: true },
  collectors: [{ collector: "host", ok: true, error: null, readings: 0, duration_ms: 3 }],
};

/** Resolves once `feed` has `count` listeners. */
export async function listening(feed: LiveFeed, count = 1): Promise<void> {
  while (feed.listeners < count) await new Promise((r) => setTimeout(r, 1));
}
