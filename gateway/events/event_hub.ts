import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { HaloEvent } from "../../lib/schemas/events.ts";
import { iso } from "../store/time.ts";
import { prepared, transaction } from "../../lib/db/database.ts";

/** Filter for stored and streamed events. */
export interface EventFilter {
  node?: string | undefined;
  types?: string[] | undefined;
  from?: number | undefined;
  to?: number | undefined;
  afterId?: number | undefined;
  beforeId?: number | undefined;
  limit?: number;
}

type Listener = (event: HaloEvent) => void;

interface Row {
  id: number;
  ts: number;
  type: string;
  node_id: string | null;
  node_name: string | null;
  message: string;
  data: string;
}

/**
 * Stores events and fans them out to live subscribers (the SSE stream, later
 * the Flows engine). Events recorded inside a transaction are published only
 * after it commits, so a subscriber never sees an event that was rolled back.
 */
export class EventHub {
  readonly #listeners = new Set<Listener>();
  #pending: HaloEvent[] = [];

  constructor(private readonly db: DatabaseSync, private readonly now: () => number) {}

  /** Inserts an event; published when the surrounding {@linkcode EventHub.atomically} commits, or at once outside one. */
  record(
    type: string,
    nodeId: string | null,
    message: string,
    data: Record<string, unknown> = {},
  ): HaloEvent {
    const ts = this.now();
    const { lastInsertRowid } = prepared(
      this.db,
      "INSERT INTO events (ts, type, node_id, message, data) VALUES (?, ?, ?, ?, ?)",
    ).run(ts, type, nodeId, message, JSON.stringify(data));
    const name = nodeId
      ? (prepared(this.db, "SELECT name FROM nodes WHERE id = ?").get(nodeId) as
        | { name: string }
        | undefined)?.name ?? null
      : null;
    const event: HaloEvent = {
      id: Number(lastInsertRowid),
      ts: iso(ts),
      type,
      node_id: nodeId,
      node_name: name,
      message,
      data,
    };
    if (this.db.isTransaction) this.#pending.push(event);
    else this.#emit(event);
    return event;
  }

  /**
   * Runs `fn` in a write transaction; events it records are published after
   * commit and dropped on rollback.
   */
  atomically<T>(fn: () => T): T {
    return transaction(this.db, fn, {
      afterCommit: () => {
        const events = this.#pending;
        this.#pending = [];
        for (const e of events) this.#emit(e);
      },
      afterRollback: () => {
        this.#pending = [];
      },
    });
  }

  /** The newest stored event's id; 0 when there is none. */
  latestId(): number {
    return (prepared(this.db, "SELECT coalesce(max(id), 0) AS id FROM events").get() as {
      id: number;
    }).id;
  }

  /** Calls `listener` for every event published from now on; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stored events, newest first (or oldest first after `afterId`, for resuming a stream). */
  query(filter: EventFilter): HaloEvent[] {
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    if (filter.node !== undefined) (where.push("e.node_id = ?"), args.push(filter.node));
    if (filter.types?.length) {
      where.push(`e.type IN (${filter.types.map(() => "?").join(",")})`);
      args.push(...filter.types);
    }
    if (filter.from !== undefined) (where.push("e.ts >= ?"), args.push(filter.from));
    if (filter.to !== undefined) (where.push("e.ts <= ?"), args.push(filter.to));
    if (filter.afterId !== undefined) (where.push("e.id > ?"), args.push(filter.afterId));
    if (filter.beforeId !== undefined) (where.push("e.id < ?"), args.push(filter.beforeId));
    const order = filter.afterId !== undefined ? "ASC" : "DESC";
    const sql = `SELECT e.*, n.name AS node_name FROM events e LEFT JOIN nodes n ON n.id = e.node_id
      ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY e.id ${order} LIMIT ?`;
    return (prepared(this.db, sql).all(...args, filter.limit ?? 100) as unknown as Row[]).map((
      r,
    ) => ({
      id: r.id,
      ts: iso(r.ts),
      type: r.type,
      node_id: r.node_id,
      node_name: r.node_name,
      message: r.message,
      data: JSON.parse(r.data),
    }));
  }

  #emit(event: HaloEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // One failing subscriber must not stop the others; subscribers log their own errors.
      }
    }
  }
}

/** Whether `event` passes `filter`'s node and type constraints (for live streams). */
export function matchesFilter(event: HaloEvent, filter: EventFilter): boolean {
  if (filter.node !== undefined && event.node_id !== filter.node) return false;
  if (filter.types?.length && !filter.types.includes(event.type)) return false;
  return true;
}
