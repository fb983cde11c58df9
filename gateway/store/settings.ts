import type { DatabaseSync } from "node:sqlite";
import { DEFAULT_SETTINGS, type Settings, settingsSchema } from "../../lib/schemas/system.ts";
import { prepared } from "../../lib/db/database.ts";

/** Run-time settings, stored as JSON values so each can change without a migration. */
export class SettingsStore {
  #cache: Settings | null = null;
  constructor(private readonly db: DatabaseSync) {}

  /** Current settings; defaults fill keys never set. */
  get(): Settings {
    if (this.#cache) return this.#cache;
    const rows = prepared(this.db, "SELECT key, value FROM settings").all() as {
      key: string;
      value: string;
    }[];
    const stored: Record<string, unknown> = {};
    for (const r of rows) {
      if (r.key in DEFAULT_SETTINGS) stored[r.key] = JSON.parse(r.value);
    }
    // A value from an older release that no longer validates falls back to the default.
    const merged = settingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...stored });
    this.#cache = merged.success ? merged.data : { ...DEFAULT_SETTINGS };
    return this.#cache;
  }

  update(
    changes: { [K in keyof Settings]?: Settings[K] | undefined },
    by: string,
    now: number,
  ): Settings {
    const stmt = prepared(
      this.db,
      `INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
       updated_by = excluded.updated_by`,
    );
    for (const [key, value] of Object.entries(changes)) {
      if (value !== undefined) stmt.run(key, JSON.stringify(value), now, by);
    }
    this.#cache = null;
    return this.get();
  }

  /** Drops the cache, e.g. after a transaction that changed settings rolled back. */
  invalidate(): void {
    this.#cache = null;
  }
}
