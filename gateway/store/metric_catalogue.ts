import type { DatabaseSync } from "node:sqlite";
import { prepared } from "../../lib/db/database.ts";
import { ConflictError, ValidationError } from "../../lib/errors.ts";
import { MetricCatalogue, type MetricInfo } from "../../lib/metrics/catalogue.ts";
import { type CatalogueEntry, metricInfoSchema } from "../../lib/schemas/metric_catalogue.ts";

/**
 * Metrics declared at run time — by sensor templates, external monitors —
 * stored beside the built-ins of lib/metrics/catalogue.ts; `catalogue()`
 * answers both through one lookup.
 *
 * @example
 * ```ts
 * const store = new MetricCatalogueStore(db);
 * store.put({ name: "bme688.gas", unit: null, labels: ["sensor"],
 *   description: "Gas resistance", source: "template:bme688" }, Date.now());
 * store.catalogue().lookup("bme688.gas");
 * ```
 */
export class MetricCatalogueStore {
  constructor(private readonly db: DatabaseSync) {}

  /** Every stored entry, by name. */
  list(): MetricInfo[] {
    const rows = prepared(
      this.db,
      "SELECT name, unit, labels, description, source FROM metric_catalogue ORDER BY name",
    ).all() as {
      name: string;
      unit: string | null;
      labels: string;
      description: string;
      source: string;
    }[];
    return rows.map((r) => ({
      name: r.name,
      unit: r.unit as MetricInfo["unit"],
      labels: JSON.parse(r.labels) as string[],
      description: r.description,
      source: r.source,
    }));
  }

  /**
   * Adds an entry, or replaces the one of the same name.
   *
   * @throws {ValidationError} naming each field that breaks metricInfoSchema
   * @throws {ConflictError} for the name of a built-in metric, which a stored entry cannot change
   */
  put(info: MetricInfo, now: number): void {
    const parsed = metricInfoSchema.safeParse(info);
    if (!parsed.success) {
      throw new ValidationError(`Metric "${String(info.name)}" not stored: fix the fields named`, {
        details: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      });
    }
    if (MetricCatalogue.isBuiltin(info.name)) {
      throw new ConflictError(
        `"${info.name}" is a built-in metric: declare it under another name`,
        {
          code: "builtin_metric",
        },
      );
    }
    const m = parsed.data;
    prepared(
      this.db,
      `INSERT INTO metric_catalogue (name, unit, labels, description, source, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET unit = excluded.unit, labels = excluded.labels,
         description = excluded.description, source = excluded.source,
         updated_at = excluded.updated_at`,
    ).run(m.name, m.unit, JSON.stringify(m.labels), m.description, m.source, now);
  }

  /** Removes a stored entry (a template deleted); false when there was none. */
  remove(name: string): boolean {
    return prepared(this.db, "DELETE FROM metric_catalogue WHERE name = ?").run(name).changes > 0;
  }

  /** The built-ins and the stored entries, as one catalogue. */
  catalogue(): MetricCatalogue {
    return new MetricCatalogue(this.list());
  }

  /** Every metric of {@linkcode catalogue}, as the API answers it. */
  entries(): CatalogueEntry[] {
    return this.catalogue().list().map(entryOf);
  }

  /** The entry of one metric, or null when nothing declares it. */
  entry(name: string): CatalogueEntry | null {
    const info = this.catalogue().lookup(name);
    return info ? entryOf(info) : null;
  }
}

function entryOf(info: MetricInfo): CatalogueEntry {
  return { ...info, labels: [...info.labels], builtin: MetricCatalogue.isBuiltin(info.name) };
}
