/**
 * The gateway database's schema: the numbered SQL files in
 * `migrations/gateway/` (`migrations/` holds every database's schema, a
 * folder each).
 */
export const MIGRATIONS_DIR = new URL("../../migrations/gateway/", import.meta.url);
