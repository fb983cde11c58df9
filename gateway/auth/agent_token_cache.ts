import type { DatabaseSync } from "node:sqlite";
import { AgentTokenStore } from "../store/agent_tokens.ts";
import { hashSecret } from "./secret_token.ts";

/** Distinct live tokens remembered at most; past it the cache starts over. */
const MAX_ENTRIES = 10_000;

/**
 * Which node a live agent token belongs to, remembered between requests: an
 * agent sends a batch every few seconds, and the database lookup, then the
 * token's hash, were a good part of each request's cost. Remembering the
 * token itself keeps nothing an attacker with the process's memory lacks:
 * every request carries it there anyway.
 *
 * Correctness rests on forgetting everything the moment anything could have
 * changed the answer: temporary triggers on this connection call back on
 * every insert, update or delete of `agent_tokens` (issue, re-enrolment,
 * revocation) and on every change of a node's `decommissioned_at` or its
 * deletion, whichever code path makes it. The gateway is the only writer of
 * its database. Unknown tokens are not remembered, so guessing fills nothing.
 */
export class AgentTokenCache {
  readonly #bySecret = new Map<string, string>();
  readonly #store: AgentTokenStore;

  private constructor(db: DatabaseSync) {
    this.#store = new AgentTokenStore(db);
    db.function("halo_agent_auth_changed", () => {
      this.#bySecret.clear();
      return null;
    });
    for (
      const [name, event] of [
        ["tokens_insert", "INSERT ON main.agent_tokens"],
        ["tokens_update", "UPDATE ON main.agent_tokens"],
        ["tokens_delete", "DELETE ON main.agent_tokens"],
        ["nodes_decommission", "UPDATE OF decommissioned_at ON main.nodes"],
        ["nodes_delete", "DELETE ON main.nodes"],
      ]
    ) {
      db.exec(
        `CREATE TEMP TRIGGER IF NOT EXISTS halo_agent_auth_${name} AFTER ${event} ` +
          "BEGIN SELECT halo_agent_auth_changed(); END",
      );
    }
  }

  static readonly #perDatabase = new WeakMap<DatabaseSync, AgentTokenCache>();

  /** The cache of this connection (one per connection: its triggers call one function). */
  static of(db: DatabaseSync): AgentTokenCache {
    let cache = AgentTokenCache.#perDatabase.get(db);
    if (!cache) AgentTokenCache.#perDatabase.set(db, cache = new AgentTokenCache(db));
    return cache;
  }

  /** The node id of this live agent token (`halo_agent_…`), or null. */
  authenticate(secret: string): string | null {
    const cached = this.#bySecret.get(secret);
    if (cached !== undefined) return cached;
    const nodeId = this.#store.authenticate(hashSecret(secret));
    if (nodeId !== null) {
      if (this.#bySecret.size >= MAX_ENTRIES) this.#bySecret.clear();
      this.#bySecret.set(secret, nodeId);
    }
    return nodeId;
  }
}
