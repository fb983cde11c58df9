import type { DatabaseSync } from "node:sqlite";
import { prepared } from "../../lib/db/database.ts";

/** What a silence applies to: a node id, a tag or a flow id. */
export type SilenceTarget = "node" | "tag" | "flow";

/** A silence as stored; times in ms since the epoch. */
export interface SilenceRow {
  id: number;
  target: SilenceTarget;
  value: string;
  reason: string;
  created_by: string;
  created_at: number;
  ends_at: number;
}

/** Silences (maintenance windows): alerts raised under one are marked silenced, webhooks held back. */
export class SilenceStore {
  constructor(private readonly db: DatabaseSync) {}

  /** Silences ending after `since`, the soonest to end first. */
  endingAfter(since: number): SilenceRow[] {
    return prepared(this.db, "SELECT * FROM silences WHERE ends_at > ? ORDER BY ends_at")
      .all(since) as unknown as SilenceRow[];
  }

  get(id: number): SilenceRow | null {
    return (prepared(this.db, "SELECT * FROM silences WHERE id = ?").get(id) as
      | SilenceRow
      | undefined) ?? null;
  }

  /** @returns the new silence's id. */
  create(
    s: { target: SilenceTarget; value: string; reason: string; createdBy: string },
    now: number,
    endsAt: number,
  ): number {
    const { lastInsertRowid } = prepared(
      this.db,
      "INSERT INTO silences (target, value, reason, created_by, created_at, ends_at) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(s.target, s.value, s.reason, s.createdBy, now, endsAt);
    return Number(lastInsertRowid);
  }

  /** Ends a silence still active at `now`; false when there is none. */
  end(id: number, now: number): boolean {
    return prepared(this.db, "UPDATE silences SET ends_at = ? WHERE id = ? AND ends_at > ?")
      .run(now, id, now).changes !== 0;
  }

  /**
   * Whether a silence covers this flow and node at `now`: a silence on the
   * flow, on the node, or on one of the node's tags.
   */
  covers(now: number, flowId: number, nodeId: string | null): boolean {
    return prepared(
      this.db,
      `SELECT 1 FROM silences WHERE ends_at > ? AND (
         (target = 'flow' AND value = ?) OR
         (target = 'node' AND value = ?) OR
         (target = 'tag' AND value IN (SELECT tag FROM node_tags WHERE node_id = ?)))
       LIMIT 1`,
    ).get(now, String(flowId), nodeId ?? "", nodeId ?? "") !== undefined;
  }
}
