import type { DatabaseSync, StatementSync } from "node:sqlite";
import { prepared } from "../../lib/db/database.ts";

/** Per-node agent tokens; a node has at most one live token. */
export class AgentTokenStore {
  readonly #byHash: StatementSync;

  constructor(private readonly db: DatabaseSync) {
    this.#byHash = prepared(
      db,
      `SELECT t.node_id FROM agent_tokens t JOIN nodes n ON n.id = t.node_id
       WHERE t.token_hash = ? AND t.revoked_at IS NULL AND n.decommissioned_at IS NULL`,
    );
  }

  /** Revokes the node's previous tokens and stores the new one's hash. */
  issue(nodeId: string, hash: string, now: number): void {
    prepared(
      this.db,
      "UPDATE agent_tokens SET revoked_at = ? WHERE node_id = ? AND revoked_at IS NULL",
    ).run(now, nodeId);
    prepared(this.db, "INSERT INTO agent_tokens (node_id, token_hash, created_at) VALUES (?, ?, ?)")
      .run(nodeId, hash, now);
  }

  /** Whether the node still has a live agent token and is not decommissioned. */
  isLive(nodeId: string): boolean {
    return prepared(
      this.db,
      `SELECT 1 FROM agent_tokens t JOIN nodes n ON n.id = t.node_id
       WHERE t.node_id = ? AND t.revoked_at IS NULL AND n.decommissioned_at IS NULL`,
    ).get(nodeId) !== undefined;
  }

  /** The node id of the live token with this hash. */
  authenticate(hash: string): string | null {
    const row = this.#byHash.get(hash) as { node_id: string } | undefined;
    return row?.node_id ?? null;
  }
}
