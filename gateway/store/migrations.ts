/**
 * The gateway database's schema: the numbered SQL files in `migrations/`,
 * the home of every schema (a subfolder per database once there are two).
 */
export const MIGRATIONS_DIR = new URL("../../migrations/", import.meta.url);
