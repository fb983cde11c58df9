import type { DatabaseSync } from "node:sqlite";
import type { ActionTemplateInput } from "../../lib/schemas/flows.ts";
import { iso } from "../store/time.ts";
import { maskSecrets, SECRET_MASK, secretHeaders } from "./flow_store.ts";
import { prepared } from "../db/database.ts";

/** A stored action template. */
export interface ActionTemplate {
  id: number;
  name: string;
  description: string;
  type: ActionTemplateInput["type"];
  config: Record<string, unknown>;
  /** The flows whose current version has a step using it. */
  used_by: { id: number; name: string; steps: string[] }[];
  created_at: string;
  updated_at: string;
}

interface TemplateRow {
  id: number;
  name: string;
  type: ActionTemplateInput["type"];
  config: string;
  created_at: number;
  updated_at: number;
}

/**
 * Reusable action configs (`flow_action_templates`). The description is kept
 * inside the stored JSON next to the config, as the table has no column for it.
 */
export class ActionTemplateStore {
  constructor(private readonly db: DatabaseSync) {}

  /** The template with secret header values, for validation and the engine; null if unknown. */
  resolve(id: number): { type: string; config: Record<string, unknown> } | null {
    const row = this.#row(id);
    return row ? { type: row.type, config: this.#parse(row).config } : null;
  }

  /** The template as the API answers it (secret header values masked); null if unknown. */
  get(id: number): ActionTemplate | null {
    const row = this.#row(id);
    return row ? this.#view(row) : null;
  }

  list(): ActionTemplate[] {
    return (prepared(this.db, "SELECT * FROM flow_action_templates ORDER BY name")
      .all() as unknown as TemplateRow[]).map((r) => this.#view(r));
  }

  /** The flows whose current version uses template `id`, with the steps that do. */
  usedBy(id: number): { id: number; name: string; steps: string[] }[] {
    const rows = prepared(
      this.db,
      `SELECT f.id, f.name, s.step_id FROM flow_steps s JOIN flows f ON f.id = s.flow_id
       WHERE s.template_id = ? ORDER BY f.name, s.step_id`,
    ).all(id) as { id: number; name: string; step_id: string }[];
    const flows = new Map<number, { id: number; name: string; steps: string[] }>();
    for (const r of rows) {
      const flow = flows.get(r.id) ?? flows.set(r.id, { id: r.id, name: r.name, steps: [] })
        .get(r.id)!;
      flow.steps.push(r.step_id);
    }
    return [...flows.values()];
  }

  nameTaken(name: string, exceptId = 0): boolean {
    return prepared(this.db, "SELECT 1 FROM flow_action_templates WHERE name = ? AND id != ?")
      .get(name, exceptId) !== undefined;
  }

  /**
   * The config to store for `input`: a secret header sent empty keeps the
   * value stored for template `existingId`.
   */
  withKeptSecrets(input: ActionTemplateInput, existingId?: number): Record<string, unknown> {
    const config = structuredClone(input.config);
    const before = existingId !== undefined ? this.resolve(existingId) : null;
    const headers = secretHeaders(config);
    const old = before ? secretHeaders(before.config) : undefined;
    if (headers) {
      for (const [k, v] of Object.entries(headers)) {
        if (v === SECRET_MASK && old?.[k] !== undefined) headers[k] = old[k]!;
      }
    }
    return config;
  }

  /** Creates a template, or replaces template `existingId`; runs in the caller's transaction. */
  save(input: ActionTemplateInput, now: number, existingId?: number): number {
    const stored = JSON.stringify({
      description: input.description,
      config: this.withKeptSecrets(input, existingId),
    });
    if (existingId === undefined) {
      const { lastInsertRowid } = prepared(
        this.db,
        `INSERT INTO flow_action_templates (name, type, config, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?)`,
      ).run(input.name, input.type, stored, now, now);
      return Number(lastInsertRowid);
    }
    prepared(
      this.db,
      "UPDATE flow_action_templates SET name = ?, type = ?, config = ?, updated_at = ? WHERE id = ?",
    ).run(input.name, input.type, stored, now, existingId);
    return existingId;
  }

  delete(id: number): boolean {
    return prepared(this.db, "DELETE FROM flow_action_templates WHERE id = ?").run(id).changes > 0;
  }

  #row(id: number): TemplateRow | undefined {
    return prepared(this.db, "SELECT * FROM flow_action_templates WHERE id = ?").get(id) as
      | TemplateRow
      | undefined;
  }

  #parse(row: TemplateRow): { description: string; config: Record<string, unknown> } {
    return JSON.parse(row.config);
  }

  #view(row: TemplateRow): ActionTemplate {
    const { description, config } = this.#parse(row);
    return {
      id: row.id,
      name: row.name,
      description,
      type: row.type,
      config: maskSecrets(config),
      used_by: this.usedBy(row.id),
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    };
  }
}
