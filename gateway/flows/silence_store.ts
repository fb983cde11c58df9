import type { DatabaseSync } from "node:sqlite";
import { prepared } from "../../lib/db/database.ts";

/**
 * Whether a silence (maintenance window) covers this flow and node now: a
 * silence on the flow, on the node, or on one of the node's tags.
 */
export function isSilenced(
  db: DatabaseSync,
  now: number,
  flowId: number,
  nodeId: string | null,
): boolean {
  return prepared(
    db,
    `SELECT 1 FROM silences WHERE ends_at > ? AND (
       (target = 'flow' AND value = ?) OR
       (target = 'node' AND value = ?) OR
       (target = 'tag' AND value IN (SELECT tag FROM node_tags WHERE node_id = ?)))
     LIMIT 1`,
  ).get(now, String(flowId), nodeId ?? "", nodeId ?? "") !== undefined;
}
