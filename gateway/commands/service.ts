import { createHash } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";
import type { Clock } from "../../lib/clock.ts";
import { ConflictError, PermissionError, ValidationError } from "../../lib/errors.ts";
import {
  CAMERA_IMAGE_HOLD_S,
  COMMAND_TYPES,
  type CommandDelivery,
  type CommandRecord,
  type CommandResultBody,
  type CommandSchemas,
  commandSchemas,
  type CommandState,
  type CommandType,
  FINAL_COMMAND_STATES,
  type IssueCommand,
} from "../../lib/schemas/commands.ts";
import type { UserRole } from "../../lib/schemas/common.ts";
import type { Actor, AuditLog } from "../store/audit.ts";
import { type CommandRow, CommandStore } from "../store/commands.ts";
import { iso, isoOrNull } from "../store/time.ts";
import { type HeldImage, HeldImages } from "./held_images.ts";
import { RESULT_HANDLERS, type ResultHandler } from "./results.ts";

/** How long a running command's result may arrive after its deadline (the agent stops at it). */
const RESULT_GRACE_MS = 30_000;
/** Images held in memory at most, for callers who have not fetched them yet. */
const HELD_IMAGE_BYTES = 8 * 1024 * 1024;
const RANK: Record<UserRole, number> = { viewer: 1, operator: 2, admin: 3 };

/** Where the stream of a connected node's agent takes commands to write. */
export interface CommandSink {
  /** Command `id` is ready for this node: write {@linkcode CommandService.delivery} of it. */
  deliver(id: string): void;
  /** A newer stream of the node took this one's place: end it. */
  replaced(): void;
}

/** What {@linkcode CommandService} needs. */
export interface CommandServiceOptions {
  db: DatabaseSync;
  clock: Clock;
  audit: AuditLog;
  /** Runs `fn` in one write transaction (the event hub's, so events publish after commit). */
  atomically: <T>(fn: () => T) => T;
  /** A node's name: null when unknown; `live` false once decommissioned. */
  node: (id: string) => { name: string; live: boolean } | null;
  /** @default COMMAND_TYPES */
  types?: readonly CommandType[];
  /** The gateway's side of each type's results. @default RESULT_HANDLERS */
  results?: Readonly<Record<string, ResultHandler>>;
}

/** Who issues a command. */
export interface Issuer {
  actor: Actor;
  role: UserRole;
}

/**
 * The command channel's gateway side: issues commands, hands them to the
 * stream of the node's agent, records what the agent says, and expires what
 * passed its deadline. Expiry is checked whenever commands are read or
 * delivered, so every answer shows the state as of now.
 */
export class CommandService {
  readonly schemas: CommandSchemas;
  readonly #store: CommandStore;
  readonly #sinks = new Map<string, CommandSink>();
  readonly #held: HeldImages;
  readonly #results: Readonly<Record<string, ResultHandler>>;

  constructor(private readonly o: CommandServiceOptions) {
    this.schemas = commandSchemas(o.types ?? COMMAND_TYPES);
    this.#store = new CommandStore(o.db);
    this.#results = o.results ?? RESULT_HANDLERS;
    this.#held = new HeldImages(
      { ttlMs: CAMERA_IMAGE_HOLD_S * 1000, maxBytes: HELD_IMAGE_BYTES },
      () => o.clock.now(),
    );
  }

  /**
   * Issues a command for `nodeId`: queued and handed to its stream when the
   * node is connected or the type is desired state, else stored as refused.
   *
   * @returns the command, or null when there is no such live node.
   * @throws {PermissionError} when the issuer's role is below the type's.
   */
  issue(nodeId: string, request: IssueCommand, issuer: Issuer): CommandRecord | null {
    const type = this.#type(request.type);
    if (RANK[issuer.role] < RANK[type.role]) {
      throw new PermissionError(`A ${type.type} command needs the ${type.role} role`);
    }
    const node = this.o.node(nodeId);
    if (!node?.live) return null;
    const now = this.o.clock.now();
    const id = `cmd-${randomHex(8)}`;
    const connected = this.#sinks.has(nodeId);
    const refused = !connected && !type.desiredState;
    this.o.atomically(() => {
      this.#store.expireDue(now, RESULT_GRACE_MS);
      if (type.desiredState) this.#store.supersede(nodeId, type.type, id, now);
      this.#store.insert({
        id,
        nodeId,
        type: type.type,
        params: request.params,
        desiredState: type.desiredState,
        state: refused ? "refused" : "queued",
        issuedBy: issuer.actor.name,
        issuedRole: issuer.role,
        createdAt: now,
        deadline: now + (request.deadline_s ?? type.deadlineS.default) * 1000,
        ...(refused
          ? {
            error: {
              code: "node_offline",
              message: `${node.name} is offline: its agent holds no command stream open. ` +
                `A ${type.type} command is refused at once; only desired-state commands wait`,
            },
          }
          : {}),
      });
      this.o.audit.record(issuer.actor, "command.issue", nodeId, {
        command_id: id,
        type: type.type,
        params: request.params,
        state: refused ? "refused" : "queued",
      });
    });
    if (connected) this.#sinks.get(nodeId)!.deliver(id);
    return this.get(id);
  }

  /** A command as the API shows it, or null. */
  get(id: string): CommandRecord | null {
    this.#expire();
    const row = this.#store.get(id);
    return row ? this.#present(row) : null;
  }

  /** A node's commands, newest first; null when the node never enrolled. */
  list(nodeId: string, limit: number): CommandRecord[] | null {
    if (!this.o.node(nodeId)) return null;
    this.#expire();
    return this.#store.listForNode(nodeId, limit).map((row) => this.#present(row));
  }

  /** Whether `nodeId`'s agent holds its command stream open. */
  isConnected(nodeId: string): boolean {
    return this.#sinks.has(nodeId);
  }

  /**
   * Takes `sink` as `nodeId`'s stream (ending an older one) and hands it
   * every command still open for the node: queued, and sent or running ones
   * again, which the agent's log keeps from running twice.
   *
   * @returns detaches the sink; a newer sink of the node stays.
   */
  connect(nodeId: string, sink: CommandSink): () => void {
    const older = this.#sinks.get(nodeId);
    this.#sinks.set(nodeId, sink);
    older?.replaced();
    this.#expire();
    for (const row of this.#store.openFor(nodeId)) sink.deliver(row.id);
    return () => {
      if (this.#sinks.get(nodeId) === sink) this.#sinks.delete(nodeId);
    };
  }

  /** What to write to the stream for command `id`; null once it is no longer open. */
  delivery(id: string): CommandDelivery | null {
    this.#expire();
    const row = this.#store.get(id);
    if (!row || FINAL_COMMAND_STATES.includes(row.state)) return null;
    return {
      gateway_time_ms: this.o.clock.now(),
      command: {
        id: row.id,
        type: row.type,
        params: JSON.parse(row.params),
        desired_state: row.desired_state === 1,
        deadline: iso(row.deadline),
        issued_by: row.issued_by,
        issued_role: row.issued_role,
        created_at: iso(row.created_at),
      },
    };
  }

  /** Command `id` was written to its node's stream. */
  sent(id: string): void {
    this.#store.markSent(id, this.o.clock.now());
  }

  /**
   * The agent of `nodeId` starts command `id`.
   *
   * @returns its state, or null when the node has no such command.
   * @throws {ConflictError} when it already finished: the agent must not run it.
   */
  started(nodeId: string, id: string): { id: string; state: CommandState } | null {
    const row = this.#own(nodeId, id);
    if (!row) return null;
    if (FINAL_COMMAND_STATES.includes(row.state)) throw finished(row);
    this.#store.markRunning(id, this.o.clock.now());
    return { id, state: "running" };
  }

  /**
   * Records what the agent of `nodeId` says command `id` came to. The same
   * result posted again is answered as the first time.
   *
   * @returns its state, or null when the node has no such command.
   * @throws {ConflictError} when it finished otherwise, or the result is of another type.
   * @throws {ValidationError} when the result's content is unusable (a snapshot that is no JPEG).
   */
  finish(
    nodeId: string,
    id: string,
    body: CommandResultBody,
  ): { id: string; state: CommandState } | null {
    const row = this.#own(nodeId, id);
    if (!row) return null;
    const digest = createHash("sha256").update(JSON.stringify(body)).digest("hex");
    if (FINAL_COMMAND_STATES.includes(row.state)) {
      if (row.result_digest === digest) return { id, state: row.state };
      throw finished(row);
    }
    if (body.outcome === "succeeded" && body.type !== row.type) {
      throw new ConflictError(`Command ${id} is a ${row.type}, not a ${body.type}`, {
        code: "command_type_mismatch",
      });
    }
    const accepted = body.outcome === "succeeded"
      ? this.#accept(row, body.result)
      : { view: null, image: undefined };
    const state = body.outcome;
    const now = this.o.clock.now();
    this.o.atomically(() => {
      this.#store.finish(id, {
        state,
        result: accepted.view,
        digest,
        error: body.outcome === "failed" ? body.error : null,
      }, now);
      if (accepted.image?.store) {
        this.#store.storeImage(id, accepted.image.contentType, accepted.image.data, now);
      }
    });
    if (accepted.image && !accepted.image.store) this.#held.hold(id, accepted.image);
    return { id, state };
  }

  /** Command `id`'s image: a stored one, or a held one, which it hands over once. */
  takeImage(id: string): HeldImage | null {
    return this.#store.image(id) ?? this.#held.take(id);
  }

  #accept(row: CommandRow, result: Record<string, unknown>) {
    const handler = this.#results[row.type];
    return handler ? handler.accept(result, JSON.parse(row.params)) : { view: result };
  }

  #present(row: CommandRow): CommandRecord {
    const view = row.result === null ? null : JSON.parse(row.result) as Record<string, unknown>;
    const handler = this.#results[row.type];
    const images = { has: (id: string) => this.#held.has(id) || this.#store.hasImage(id) };
    return {
      id: row.id,
      node_id: row.node_id,
      type: row.type,
      params: JSON.parse(row.params),
      desired_state: row.desired_state === 1,
      state: row.state,
      issued_by: row.issued_by,
      issued_role: row.issued_role,
      created_at: iso(row.created_at),
      deadline: iso(row.deadline),
      sent_at: isoOrNull(row.sent_at),
      started_at: isoOrNull(row.started_at),
      finished_at: isoOrNull(row.finished_at),
      result: view && handler ? handler.present(view, row.id, images) : view,
      error: row.error_code === null
        ? null
        : { code: row.error_code, message: row.error_message ?? "" },
    };
  }

  #own(nodeId: string, id: string): CommandRow | null {
    this.#expire();
    const row = this.#store.get(id);
    return row && row.node_id === nodeId ? row : null;
  }

  #expire(): void {
    this.o.atomically(() => this.#store.expireDue(this.o.clock.now(), RESULT_GRACE_MS));
  }

  #type(name: string): CommandType {
    const type = this.schemas.byType.get(name);
    if (!type) {
      throw new ValidationError(`Unknown command type ${name}`, {
        details: [{
          path: "body.type",
          message: `expected one of ${[...this.schemas.byType.keys()]}`,
        }],
      });
    }
    return type;
  }
}

/** The refusal of a change to a finished command. */
function finished(row: CommandRow): ConflictError {
  const when = row.finished_at === null ? "" : ` at ${iso(row.finished_at)}`;
  return new ConflictError(
    `Command ${row.id} already ${row.state}${when}: ${
      row.state === "succeeded" || row.state === "failed"
        ? "its result is taken once"
        : "it is not to run"
    }`,
    { code: "command_finished" },
  );
}

function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}
