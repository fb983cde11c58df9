import { backupArchiveSchema, backupRequestSchema } from "../../lib/schemas/backup.ts";
import {
  healthSchema,
  settingsSchema,
  systemInfoSchema,
  updateSettingsSchema,
} from "../../lib/schemas/system.ts";
import { iso } from "../store/time.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { ApiError } from "./errors.ts";
import { jsonBody, jsonResponse, route } from "./route.ts";
import { appliedMigrations } from "../../lib/db/migrate.ts";
import { createBackup } from "../backup/create.ts";

/** `/health`, system information, settings and backup. */
export function systemApi(deps: GatewayDeps) {
  const app = apiApp();

  app.openapi(
    route("public", {
      method: "get",
      path: "/health",
      tags: ["system"],
      summary: "Liveness for load balancers and operators; no login needed",
      responses: {
        200: jsonResponse(healthSchema, "Healthy"),
        503: jsonResponse(healthSchema, "The database cannot be read"),
      },
    }),
    async (c) => {
      let database: { ok: boolean; message?: string } = { ok: true };
      try {
        appliedMigrations(deps.db);
      } catch (error) {
        database = { ok: false, message: (error as Error).message };
      }
      const telemetry = deps.telemetry.health();
      const body = {
        status: database.ok && !telemetry.raw_paused ? "ok" as const : "degraded" as const,
        version: deps.build.version,
        commit: deps.build.commit,
        build_time: deps.build.builtAt,
        uptime_s: Math.round((deps.clock.now() - deps.startedAt) / 1000),
        database,
        clock: await deps.clockStatus(),
        telemetry,
      };
      return c.json(body, database.ok ? 200 : 503);
    },
  );
  return app;
}

/** `/v1/system`, `/v1/settings` and `/v1/system/backup`. */
export function systemV1Api(deps: GatewayDeps) {
  const app = apiApp();

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/system",
      tags: ["system"],
      summary: "Version, database size and applied migrations",
      responses: { 200: jsonResponse(systemInfoSchema, "System information") },
    }),
    async (c) => {
      let size = 0;
      for (const suffix of ["", "-wal"]) {
        try {
          size += (await Deno.stat(deps.dbPath + suffix)).size;
        } catch { /* the WAL may not exist */ }
      }
      const migrations = appliedMigrations(deps.db).map((m) => ({
        name: m.name,
        applied_at: iso(m.appliedAt),
      }));
      return c.json({
        version: deps.build.version,
        commit: deps.build.commit,
        build_time: deps.build.builtAt,
        started_at: iso(deps.startedAt),
        database: { path: deps.dbPath, size_bytes: size },
        migrations,
      }, 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/settings",
      tags: ["system"],
      summary: "Run-time settings",
      responses: { 200: jsonResponse(settingsSchema, "Settings") },
    }),
    (c) => c.json(deps.settings.get(), 200),
  );

  app.openapi(
    route("admin", {
      method: "patch",
      path: "/settings",
      tags: ["system"],
      summary: "Change run-time settings; they take effect without a restart",
      request: { body: jsonBody(updateSettingsSchema) },
      responses: { 200: jsonResponse(settingsSchema, "Settings now") },
    }),
    (c) => {
      const changes = c.req.valid("json");
      const merged = settingsSchema.safeParse({ ...deps.settings.get(), ...changes });
      if (!merged.success) {
        const details = merged.error.issues.map((i) => ({
          path: ["body", ...i.path.map(String)].join("."),
          message: i.message,
        }));
        throw new ApiError(
          400,
          "validation_failed",
          details.map((d) => `${d.path}: ${d.message}`).join("; "),
          details,
        );
      }
      try {
        const updated = deps.events.atomically(() => {
          const before = deps.settings.get();
          const after = deps.settings.update(changes, actorOf(c).name, deps.clock.now());
          const diff = Object.fromEntries(
            Object.keys(changes).map((k) => [k, {
              from: before[k as keyof typeof before],
              to: after[k as keyof typeof after],
            }]),
          );
          deps.audit.record(actorOf(c), "settings.update", null, diff);
          return after;
        });
        return c.json(updated, 200);
      } catch (error) {
        deps.settings.invalidate();
        throw error;
      }
    },
  );

  app.openapi(
    route("admin", {
      method: "post",
      path: "/system/backup",
      tags: ["system"],
      summary:
        "An encrypted backup: the database snapshot and the secret files, to restore onto new hardware",
      description:
        "A tar archive (`halo-backup/manifest.json`, `halo-backup/var/halo.db` and each secret " +
        "file of `$HALO_VAR`) encrypted with the passphrase in the age format " +
        "(age-encryption.org/v1, scrypt). Decrypt with `age -d`; restore with " +
        "`gateway-api restore FILE` while the gateway is stopped.",
      request: { body: jsonBody(backupRequestSchema) },
      responses: {
        200: {
          description: "The age-encrypted archive, `halo-backup-<time>.tar.age`",
          content: {
            "application/octet-stream": { schema: backupArchiveSchema },
          },
        },
      },
    }),
    async (c) => {
      const { passphrase } = c.req.valid("json");
      const now = deps.clock.now();
      const made = await createBackup({
        db: deps.db,
        varDir: deps.varDir,
        tmpDir: deps.tmpDir,
        now,
        gateway: { version: deps.build.version, commit: deps.build.commit },
      }, passphrase);
      deps.audit.record(actorOf(c), "system.backup", null, {
        size_bytes: made.size,
        files: made.manifest.files.map((f) => f.path),
      });
      const stamp = iso(now).replaceAll(":", "").replace(/\.\d+Z$/, "Z");
      return new Response(made.stream, {
        headers: {
          "content-type": "application/octet-stream",
          "content-length": String(made.size),
          "content-disposition": `attachment; filename="halo-backup-${stamp}.tar.age"`,
          "cache-control": "no-store",
        },
      });
    },
  );

  return app;
}
