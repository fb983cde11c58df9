import type { DatabaseSync } from "node:sqlite";
import { type FlowDefinition, type FlowStep, stepType } from "../../lib/schemas/flows.ts";
import { keepSecrets, maskSecrets } from "../../lib/schemas/secret_fields.ts";
import type { FlowProblem } from "./validate_flow.ts";
import { iso } from "../store/time.ts";
import { prepared } from "../../lib/db/database.ts";

/** A stored flow: its definition plus identity and bookkeeping. */
export interface StoredFlow extends FlowDefinition {
  id: number;
  version: number;
  builtin: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** One line of the flow list. */
export interface FlowSummary {
  id: number;
  name: string;
  description: string;
  enabled: boolean;
  version: number;
  trigger: string | null;
  steps: number;
  last_run: { execution_id: number; status: string; started_at: string } | null;
  updated_at: string;
}

interface FlowRow {
  id: number;
  name: string;
  description: string;
  enabled: number;
  version: number;
  builtin: string | null;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}

/** Whether a step, or the action inside a for_each_node, runs commands over SSH. */
export function runsCommands(step: Pick<FlowStep, "type" | "config">): boolean {
  if (step.type === "command") return true;
  const inner = (step.config as { action?: { type?: string } }).action;
  return step.type === "for_each_node" && inner?.type === "command";
}

/** A step's config with its secret fields (webhook URLs, secret header values) masked. */
export function maskedConfig(step: Pick<FlowStep, "type" | "config">): Record<string, unknown> {
  return maskSecrets(stepType(step.type)?.schema, step.config);
}

/** Flows, their steps, edges, versions and variables. */
export class FlowStore {
  constructor(private readonly db: DatabaseSync) {}

  list(): FlowSummary[] {
    const rows = prepared(
      this.db,
      `SELECT f.*, (SELECT type FROM flow_steps s WHERE s.flow_id = f.id AND s.kind = 'trigger') AS trigger,
         (SELECT count(*) FROM flow_steps s WHERE s.flow_id = f.id) AS steps
       FROM flows f ORDER BY f.name`,
    ).all() as unknown as (FlowRow & { trigger: string | null; steps: number })[];
    const lastRun = prepared(
      this.db,
      "SELECT id, status, started_at FROM flow_executions WHERE flow_id = ? AND dry_run = 0 ORDER BY id DESC LIMIT 1",
    );
    return rows.map((r) => {
      const run = lastRun.get(r.id) as
        | { id: number; status: string; started_at: number }
        | undefined;
      return {
        id: r.id,
        name: r.name,
        description: r.description,
        enabled: r.enabled === 1,
        version: r.version,
        trigger: r.trigger,
        steps: r.steps,
        last_run: run
          ? { execution_id: run.id, status: run.status, started_at: iso(run.started_at) }
          : null,
        updated_at: iso(r.updated_at),
      };
    });
  }

  /** The flow as stored, secret fields included (for the engine, never for answers). */
  getWithSecrets(id: number): StoredFlow | null {
    const row = prepared(this.db, "SELECT * FROM flows WHERE id = ?").get(id) as
      | FlowRow
      | undefined;
    if (!row) return null;
    const steps =
      (prepared(this.db, "SELECT * FROM flow_steps WHERE flow_id = ? ORDER BY rowid").all(id) as {
        step_id: string;
        type: string;
        name: string | null;
        config: string;
        template_id: number | null;
        position_x: number | null;
        position_y: number | null;
      }[]).map((s) => ({
        id: s.step_id,
        type: s.type,
        ...(s.name !== null ? { name: s.name } : {}),
        config: JSON.parse(s.config) as Record<string, unknown>,
        ...(s.template_id !== null ? { template_id: s.template_id } : {}),
        ...(s.position_x !== null && s.position_y !== null
          ? { position: { x: s.position_x, y: s.position_y } }
          : {}),
      }));
    const edges = (prepared(
      this.db,
      "SELECT from_step, to_step, branch FROM flow_edges WHERE flow_id = ? ORDER BY rowid",
    ).all(id) as { from_step: string; to_step: string; branch: string }[]).map((e) => ({
      from: e.from_step,
      to: e.to_step,
      ...(e.branch ? { branch: e.branch as "true" | "false" | "success" | "failure" } : {}),
    }));
    const variables = Object.fromEntries(
      (prepared(this.db, "SELECT name, value FROM flow_variables WHERE flow_id = ? ORDER BY name")
        .all(id) as {
          name: string;
          value: string;
        }[]).map((v) => [v.name, JSON.parse(v.value) as string | number | boolean]),
    );
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      enabled: row.enabled === 1,
      version: row.version,
      builtin: row.builtin,
      steps,
      edges,
      variables,
      created_at: iso(row.created_at),
      created_by: row.created_by,
      updated_at: iso(row.updated_at),
      updated_by: row.updated_by,
    };
  }

  /** The flow with its secret fields masked, as the API answers it. */
  get(id: number): StoredFlow | null {
    const flow = this.getWithSecrets(id);
    if (!flow) return null;
    return { ...flow, steps: flow.steps.map((s) => ({ ...s, config: maskedConfig(s) })) };
  }

  /** The flow's name and current version; null when there is no such flow. */
  current(id: number): { name: string; version: number } | null {
    return (prepared(this.db, "SELECT name, version FROM flows WHERE id = ?").get(id) as
      | { name: string; version: number }
      | undefined) ?? null;
  }

  /**
   * A saved version's definition as it was saved (secret fields masked),
   * with who saved it and when; null when there is no such version.
   */
  version(
    id: number,
    version: number,
  ): { definition: FlowDefinition; created_at: number; created_by: string } | null {
    const saved = this.versionWithSecrets(id, version);
    if (!saved) return null;
    const def = saved.definition;
    return {
      ...saved,
      definition: { ...def, steps: def.steps.map((s) => ({ ...s, config: maskedConfig(s) })) },
    };
  }

  /** {@linkcode version} with its secret fields (for redacting, never for answers). */
  versionWithSecrets(
    id: number,
    version: number,
  ): { definition: FlowDefinition; created_at: number; created_by: string } | null {
    const row = prepared(
      this.db,
      "SELECT definition, created_at, created_by FROM flow_versions WHERE flow_id = ? AND version = ?",
    ).get(id, version) as
      | { definition: string; created_at: number; created_by: string }
      | undefined;
    if (!row) return null;
    return {
      definition: JSON.parse(row.definition) as FlowDefinition,
      created_at: row.created_at,
      created_by: row.created_by,
    };
  }

  nameTaken(name: string, exceptId = 0): boolean {
    return prepared(this.db, "SELECT 1 FROM flows WHERE name = ? AND id != ?").get(
      name,
      exceptId,
    ) !==
      undefined;
  }

  /**
   * `def` as it is to be stored: each secret field sent as it is answered
   * keeps the value stored for the same step of flow `existingId`.
   *
   * @returns the definition, and the secret fields sent masked with no
   * stored value to keep (refuse those).
   */
  withKeptSecrets(
    def: FlowDefinition,
    existingId?: number,
  ): { def: FlowDefinition; problems: FlowProblem[] } {
    const before = existingId === undefined ? null : this.getWithSecrets(existingId);
    const stored = new Map(before?.steps.map((s) => [s.id, s]));
    const problems: FlowProblem[] = [];
    const steps = def.steps.map((s) => {
      const old = stored.get(s.id);
      const kept = keepSecrets(
        stepType(s.type)?.schema,
        s.config,
        old?.type === s.type ? old.config : undefined,
      );
      for (const p of kept.problems) {
        problems.push({
          path: `steps.${s.id}.config.${p.path}`,
          message: `step ${s.id} (${s.type}): ${p.message}`,
        });
      }
      return { ...s, config: kept.config };
    });
    return { def: { ...def, steps }, problems };
  }

  /**
   * Writes a new flow, or a new version of an existing one (steps and edges
   * replaced, variables too when the definition has them), as given: a
   * client's definition goes through {@linkcode withKeptSecrets} first.
   * Runs inside the caller's transaction.
   */
  save(def: FlowDefinition, actor: string, now: number, existingId?: number): number {
    let id = existingId;
    let version = 1;
    if (id === undefined) {
      const { lastInsertRowid } = prepared(
        this.db,
        `INSERT INTO flows (name, description, enabled, version, created_at, created_by, updated_at, updated_by)
         VALUES (?, ?, ?, 1, ?, ?, ?, ?)`,
      ).run(def.name, def.description, def.enabled ? 1 : 0, now, actor, now, actor);
      id = Number(lastInsertRowid);
    } else {
      const previous = prepared(this.db, "SELECT version FROM flows WHERE id = ?").get(id) as {
        version: number;
      };
      version = previous.version + 1;
      prepared(
        this.db,
        `UPDATE flows SET name = ?, description = ?, enabled = ?, version = ?, updated_at = ?, updated_by = ?
         WHERE id = ?`,
      ).run(def.name, def.description, def.enabled ? 1 : 0, version, now, actor, id);
      // Variables are replaced only when the definition gives them; steps set them at run time.
      const tables = ["flow_steps", "flow_edges", ...def.variables ? ["flow_variables"] : []];
      for (const table of tables) {
        prepared(this.db, `DELETE FROM ${table} WHERE flow_id = ?`).run(id);
      }
    }
    const step = prepared(
      this.db,
      `INSERT INTO flow_steps (flow_id, step_id, type, kind, name, config, template_id, position_x, position_y)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const s of def.steps) {
      step.run(
        id,
        s.id,
        s.type,
        stepType(s.type)!.kind,
        s.name ?? null,
        JSON.stringify(s.config),
        s.template_id ?? null,
        s.position?.x ?? null,
        s.position?.y ?? null,
      );
    }
    const edge = prepared(
      this.db,
      "INSERT INTO flow_edges (flow_id, from_step, to_step, branch) VALUES (?, ?, ?, ?)",
    );
    for (const e of def.edges) edge.run(id, e.from, e.to, e.branch ?? "");
    const variable = prepared(
      this.db,
      "INSERT INTO flow_variables (flow_id, name, value, updated_at) VALUES (?, ?, ?, ?)",
    );
    for (const [name, value] of Object.entries(def.variables ?? {})) {
      variable.run(id, name, JSON.stringify(value), now);
    }
    prepared(
      this.db,
      "INSERT INTO flow_versions (flow_id, version, definition, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
    ).run(id, version, JSON.stringify(def), now, actor);
    return id;
  }

  delete(id: number): boolean {
    return prepared(this.db, "DELETE FROM flows WHERE id = ?").run(id).changes > 0;
  }
}
