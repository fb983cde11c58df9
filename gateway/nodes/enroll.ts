import type { DatabaseSync } from "node:sqlite";
import type { z } from "zod";
import { ConflictError, CredentialError } from "../../lib/errors.ts";
import type { enrollRequestSchema } from "../../lib/schemas/enrollment.ts";
import { generateSecret, hashSecret } from "../auth/secret_token.ts";
import type { EventHub } from "../events/event_hub.ts";
import type { AuditLog } from "../store/audit.ts";
import { AgentTokenStore } from "../store/agent_tokens.ts";
import { type JoinToken, JoinTokenStore } from "../store/join_tokens.ts";
import { type NodeRow, NodeStore } from "../store/nodes.ts";
import { prepared } from "../../lib/db/database.ts";

type EnrollRequest = z.output<typeof enrollRequestSchema>;
type Deps = { db: DatabaseSync; events: EventHub; audit: AuditLog; now: () => number };

/** What a node gets back from enrollment. */
export interface Enrollment {
  node: NodeRow;
  agentToken: string;
  reenrolled: boolean;
}

const JOIN_PROBLEMS = {
  unknown: "Join token is not known to this gateway: ask an admin for a current one",
  revoked: "Join token was revoked: ask an admin for a new one",
  expired: "Join token has expired: ask an admin for a new one",
  used_up: "Join token has been used as often as allowed: ask an admin for a new one",
} as const;

/** A request field that identifies hardware, and the node column it is kept in. */
const IDENTITY = {
  "hardware.serial": { column: "hw_serial", words: "board serial" },
  "hardware.machine_id": { column: "hw_machine_id", words: "machine-id" },
  "wg_public_key": { column: "wg_public_key", words: "WireGuard key" },
} as const;
type IdentityField = keyof typeof IDENTITY;

/** What entitles an enrollment to a node that is enrolled now. */
type Proof = "agent_token" | "replacement_token";

/** How an enrollment goes ahead. */
interface Plan {
  /** The node it re-enrolls, or null for a new one. */
  target: NodeRow | null;
  proof: Proof | null;
  /** Identifiers other nodes hold that this device takes: decommissioned nodes', a moved SD card's. */
  release: { nodeId: string; field: IdentityField }[];
}

/** Why an enrollment would take an enrolled node's identity, and which node. */
interface Refusal {
  node: NodeRow;
  reason: "known_identity" | "wrong_agent_token" | "replacement_for_other_node";
  field: IdentityField | "agent_token" | "join_token";
  /** For `replacement_for_other_node`: the node the replacement token is for. */
  replaces?: NodeRow;
}

/**
 * Enrolls a device: finds it by hardware identity (board serial first, then
 * machine-id, then WireGuard key) so re-enrolling returns the same node and
 * revokes its previous agent token, or creates a node. A node that is
 * enrolled (not decommissioned) is re-enrolled only with its own agent token
 * or an admin's replacement token for it; any other attempt is refused with
 * a `node_already_enrolled` conflict, recorded as an `enroll_refused` event
 * and in the audit log, and uses none of the join token.
 *
 * @throws {CredentialError} `join_token_<problem>` for a join token that cannot be used.
 * @throws {ConflictError} `node_already_enrolled`, or for a second gateway.
 */
export function enroll(deps: Deps, request: EnrollRequest, ip: string | null): Enrollment {
  const joinHash = hashSecret(request.join_token);
  const agentToken = generateSecret("agent");
  const agentHash = hashSecret(agentToken);
  const tokens = new JoinTokenStore(deps.db);
  const now = deps.now();

  const outcome = deps.events.atomically((): Enrollment | ConflictError => {
    const checked = tokens.check(joinHash, now);
    if ("problem" in checked) {
      throw new CredentialError(JOIN_PROBLEMS[checked.problem], {
        code: `join_token_${checked.problem}`,
      });
    }
    const token = checked.token;
    const plan = planEnrollment(deps.db, request, token);
    if ("reason" in plan) return refuse(deps, plan, request, token, ip);
    const gateway = new NodeStore(deps.db).gateway();
    if (request.role === "gateway" && gateway && gateway.id !== plan.target?.id) {
      throw new ConflictError(
        `This HALO network already has a gateway (${gateway.name}, ${gateway.id}): ` +
          `decommission it first or enroll this device with role "node"`,
      );
    }
    tokens.spend(token.id);
    const node = store(deps.db, request, plan, now);
    new AgentTokenStore(deps.db).issue(node.id, agentHash, now);
    record(deps, { node, plan, request, token, ip });
    return { node, agentToken, reenrolled: plan.target !== null };
  });
  if (outcome instanceof ConflictError) throw outcome;
  return outcome;
}

/** Which node this enrollment is, and whether it may have it; reads only. */
function planEnrollment(
  db: DatabaseSync,
  request: EnrollRequest,
  token: JoinToken,
): Plan | Refusal {
  const found = findByIdentity(db, request);
  let target = found?.node ?? null;
  let proof: Proof | null = null;
  if (token.replaces_node !== null) {
    const replaced = new NodeStore(db).row(token.replaces_node)!;
    if (found && found.node.id !== replaced.id && isLive(found.node)) {
      return refusal(found.node, "replacement_for_other_node", "join_token", replaced);
    }
    target = replaced;
    proof = "replacement_token";
  } else if (found && isLive(found.node)) {
    const agent = request.agent_token;
    if (agent === undefined) return refusal(found.node, "known_identity", found.field);
    if (new AgentTokenStore(db).authenticate(hashSecret(agent)) !== found.node.id) {
      return refusal(found.node, "wrong_agent_token", "agent_token");
    }
    proof = "agent_token";
  }
  const release: Plan["release"] = [];
  for (const [field, value] of identifiers(request)) {
    const holder = prepared(
      db,
      `SELECT * FROM nodes WHERE ${IDENTITY[field].column} = ? AND id IS NOT ?`,
    ).get(value, target?.id ?? null) as NodeRow | undefined;
    if (!holder) continue;
    // A machine-id on a node with a board serial is a moved SD card: the serial stays that node's.
    const movedCard = field === "hardware.machine_id" && holder.hw_serial !== null;
    if (isLive(holder) && !movedCard) return refusal(holder, "known_identity", field);
    release.push({ nodeId: holder.id, field });
  }
  return { target, proof, release };
}

const refusal = (
  node: NodeRow,
  reason: Refusal["reason"],
  field: Refusal["field"],
  replaces?: NodeRow,
): Refusal => ({ node, reason, field, ...(replaces ? { replaces } : {}) });

const isLive = (node: NodeRow) => node.decommissioned_at === null;

/** How a person calls a refused field: "board serial" for `hardware.serial`. */
const wordsFor = (field: Refusal["field"]): string =>
  field in IDENTITY ? IDENTITY[field as IdentityField].words : field;

function identifiers(request: EnrollRequest): [IdentityField, string][] {
  const all: [IdentityField, string | undefined][] = [
    ["hardware.serial", request.hardware.serial],
    ["hardware.machine_id", request.hardware.machine_id],
    ["wg_public_key", request.wg_public_key],
  ];
  return all.filter((entry): entry is [IdentityField, string] => entry[1] !== undefined);
}

function findByIdentity(
  db: DatabaseSync,
  request: EnrollRequest,
): { node: NodeRow; field: IdentityField } | null {
  const q = (field: IdentityField, value: string | undefined) => {
    if (value === undefined) return null;
    const node = prepared(db, `SELECT * FROM nodes WHERE ${IDENTITY[field].column} = ?`)
      .get(value) as NodeRow | undefined;
    return node ? { node, field } : null;
  };
  const bySerial = q("hardware.serial", request.hardware.serial);
  if (bySerial) return bySerial;
  const byMachine = q("hardware.machine_id", request.hardware.machine_id);
  // A machine-id match on a node with another board serial is a moved SD card, not this device.
  if (byMachine && (request.hardware.serial === undefined || byMachine.node.hw_serial === null)) {
    return byMachine;
  }
  const byKey = q("wg_public_key", request.wg_public_key);
  if (byKey && (request.hardware.serial === undefined || byKey.node.hw_serial === null)) {
    return byKey;
  }
  return null;
}

/** Writes the node row as planned and returns it. */
function store(db: DatabaseSync, request: EnrollRequest, plan: Plan, now: number): NodeRow {
  const nodes = new NodeStore(db);
  for (const { nodeId, field } of plan.release) {
    prepared(db, `UPDATE nodes SET ${IDENTITY[field].column} = NULL, updated_at = ? WHERE id = ?`)
      .run(now, nodeId);
  }
  const existing = plan.target;
  if (!existing) {
    const id = `n-${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    prepared(
      db,
      `INSERT INTO nodes (id, name, role, status, hw_serial, hw_machine_id, wg_public_key,
         hostname, enrolled_at, updated_at)
       VALUES (?, ?, ?, 'enrolled', ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      uniqueName(nodes, request.hostname),
      request.role,
      request.hardware.serial ?? null,
      request.hardware.machine_id ?? null,
      request.wg_public_key ?? null,
      request.hostname,
      now,
      now,
    );
    return nodes.row(id)!;
  }
  if (plan.proof === "replacement_token") {
    // The admin approved new hardware for this node: it forgets the old board's identity.
    prepared(
      db,
      "UPDATE nodes SET hw_serial = NULL, hw_machine_id = NULL, wg_public_key = NULL WHERE id = ?",
    ).run(existing.id);
  }
  const revived = !isLive(existing);
  const name = revived && nodes.nameTaken(existing.name, existing.id)
    ? uniqueName(nodes, existing.name)
    : existing.name;
  prepared(
    db,
    `UPDATE nodes SET role = ?, hostname = ?, name = ?,
       hw_serial = coalesce(?, hw_serial), hw_machine_id = coalesce(?, hw_machine_id),
       wg_public_key = coalesce(?, wg_public_key),
       status = CASE WHEN decommissioned_at IS NOT NULL THEN 'enrolled' ELSE status END,
       decommissioned_at = NULL, updated_at = ?
     WHERE id = ?`,
  ).run(
    request.role,
    request.hostname,
    name,
    request.hardware.serial ?? null,
    request.hardware.machine_id ?? null,
    request.wg_public_key ?? null,
    now,
    existing.id,
  );
  return nodes.row(existing.id)!;
}

/** The `enrolled` event and the audit entry of an enrollment that went ahead. */
function record(
  deps: Deps,
  e: { node: NodeRow; plan: Plan; request: EnrollRequest; token: JoinToken; ip: string | null },
): void {
  const { node, plan } = e;
  const proof = plan.proof ? { proof: plan.proof } : {};
  const replaced = plan.proof === "replacement_token";
  deps.events.record(
    "enrolled",
    node.id,
    !plan.target
      ? `${node.name} enrolled as ${node.role}`
      : replaced
      ? `${node.name} re-enrolled with an admin's replacement token`
      : `${node.name} re-enrolled`,
    { reenrolled: plan.target !== null, role: node.role, join_token: e.token.name, ...proof },
  );
  deps.audit.record(
    { kind: "anonymous", name: `join-token:${e.token.name}`, ip: e.ip },
    !plan.target ? "node.enroll" : replaced ? "node.replace" : "node.reenroll",
    node.id,
    {
      name: node.name,
      role: node.role,
      hostname: e.request.hostname,
      ...proof,
      ...(replaced && plan.target ? { previous_hardware: hardwareOf(plan.target) } : {}),
    },
  );
}

const hardwareOf = (node: NodeRow) => ({
  serial: node.hw_serial,
  machine_id: node.hw_machine_id,
  wg_public_key: node.wg_public_key,
});

/**
 * Records a refused takeover (an `enroll_refused` event on the node it
 * claimed, and an audit entry) and returns the conflict that says what to do.
 */
function refuse(
  deps: Deps,
  refusal: Refusal,
  request: EnrollRequest,
  token: JoinToken,
  ip: string | null,
): ConflictError {
  const { node, reason, field } = refusal;
  const how = reason === "known_identity"
    ? `by its ${wordsFor(field)}, without its agent token or a replacement token`
    : reason === "wrong_agent_token"
    ? "with an agent token that is not its current one"
    : `with a replacement token for ${refusal.replaces!.name}`;
  deps.events.record(
    "enroll_refused",
    node.id,
    `Refused an enrollment claiming ${node.name} ${how}`,
    { reason, field, join_token: token.name, hostname: request.hostname },
  );
  deps.audit.record(
    { kind: "anonymous", name: `join-token:${token.name}`, ip },
    "node.enroll_refused",
    node.id,
    { reason, field, hostname: request.hostname, hardware: request.hardware },
  );
  return new ConflictError(refusalMessage(refusal), {
    code: "node_already_enrolled",
    details: [{ path: `body.${field}`, message: refusalDetail(refusal) }],
  });
}

function refusalMessage({ node, reason, field, replaces }: Refusal): string {
  const named = `${node.name} (${node.id})`;
  const ask = `ask an admin for a replacement token on ${node.name}'s page (/nodes/${node.id}) ` +
    `and enroll with it`;
  if (reason === "replacement_for_other_node") {
    return `This device is the enrolled node ${named}, but the replacement token is for ` +
      `${replaces!.name} (${replaces!.id}): enroll ${replaces!.name}'s device with it, or ${ask}`;
  }
  const cause = reason === "wrong_agent_token"
    ? `agent_token is not the current agent token of ${named}, the enrolled node this device is`
    : `This device's ${wordsFor(field)} belongs to ${named}, ` +
      `an enrolled node`;
  return `${cause}: a new enrollment cannot take its identity. If this is that node re-flashed ` +
    `or on new hardware, ${ask}; a node that still has its agent token sends it as agent_token`;
}

function refusalDetail({ node, reason, replaces }: Refusal): string {
  if (reason === "wrong_agent_token") return `is not ${node.name}'s current agent token`;
  if (reason === "replacement_for_other_node") {
    return `replaces ${replaces!.name}, but this device is ${node.name}`;
  }
  return `belongs to the enrolled node ${node.name} (${node.id})`;
}

/** A lowercase DNS-label name from a hostname, with `-2`, `-3` … if taken. */
export function uniqueName(nodes: NodeStore, hostname: string): string {
  const base = hostname.toLowerCase().split(".")[0]!.replace(/[^a-z0-9-]/g, "-")
    .replace(/^-+/, "").slice(0, 56) || "node";
  if (!nodes.nameTaken(base)) return base;
  for (let i = 2;; i++) {
    const name = `${base}-${i}`;
    if (!nodes.nameTaken(name)) return name;
  }
}
