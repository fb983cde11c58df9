import type { DatabaseSync } from "node:sqlite";
import { type ActionTemplateInput, stepType } from "../../lib/schemas/flows.ts";
import type { ActionTemplate } from "../../lib/schemas/flows_api.ts";
import { keepSecrets } from "../../lib/schemas/secret_fields.ts";
import { iso } from "../store/time.ts";
import { maskedConfig } from "./flow_store.ts";
import { prepared } from "../../lib/db/database.ts";

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

  /** The template with its secret fields, for validation and the engine; null if unknown. */
  resolve(id: number): { type: string; config: Record<string, unknown> } | null {
    const row = this.#row(id);
    return row ? { type: row.type, config: this.#parse(row).config } : null;
  }

  /** The template as the API answers it (secret fields masked); null if unknown. */
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
   * The config to store for `input`: each secret field sent as it is
   * answered keeps the value stored for template `existingId`.
   *
   * @returns the config, and the secret fields sent masked with no stored
   * value to keep (paths within the config; refuse those).
   */
  withKeptSecrets(
    input: ActionTemplateInput,
    existingId?: number,
  ): ReturnType<typeof keepSecrets> {
    const before = existingId !== undefined ? this.resolve(existingId) : null;
    return keepSecrets(
      stepType(input.type)?.schema,
      input.config,
      before?.type === input.type ? before.config : undefined,
    );
  }

  /**
   * Creates a template, or replaces template `existingId`, as given: a
   * client's config goes through {@linkcode withKeptSecrets} first. Runs in
   * the caller's transaction.
   */
  save(input: ActionTemplateInput, now: number, existingId?: number): number {
    const stored = JSON.stringify({ description: input.description, config: input.config });
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
      config: maskedConfig({ type: row.type, config }),
      used_by: this.usedBy(row.id),
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    };
  }
}
