import type { DatabaseSync } from "node:sqlite";
import { buildInfo } from "../lib/build_info.ts";
import { type Clock, systemClock } from "../lib/clock.ts";
import { type CommandRunner, denoCommandRunner } from "../lib/command.ts";
import { denoFileSystem, type FileSystem } from "../lib/fs.ts";
import type { Logger } from "../lib/log.ts";
import { splitListenAddress } from "../lib/schemas/common.ts";
import { createApp } from "./app.ts";
import { createRequestHandler } from "./http_handler.ts";
import { createGatewayDeps, type GatewayDeps } from "./deps.ts";
import { ensureAdmin } from "./bootstrap/initial_admin.ts";
import { openDatabase } from "../lib/db/database.ts";
import { migrate, readMigrations } from "../lib/db/migrate.ts";
import { MIGRATIONS_DIR } from "./store/migrations.ts";
import { runLiveFlusher } from "./nodes/live_flusher.ts";
import { ensureBuiltinFlows } from "./flows/builtin.ts";
import { runOfflineMonitor } from "./nodes/offline_monitor.ts";
import { statDiskSpace } from "./telemetry/disk_guard.ts";
import { runTelemetryLoops } from "./telemetry/loops.ts";
import { clockStatusProbe } from "./system/clock_status.ts";
import { systemClockSetter } from "./system/set_clock.ts";
import { runMaintenance } from "./system/maintenance.ts";
import { jsMemoryBytes, memoryRelease, runMemoryRelease } from "./system/memory_release.ts";

/** The database file inside `$HALO_VAR`. */
export const DATABASE_FILE = "halo.db";

/** Opens `$HALO_VAR/halo.db` (creating the directory) and applies pending migrations. */
export async function openGatewayDatabase(
  varDir: string,
  log: Logger,
  clock: Clock = systemClock,
): Promise<{ db: DatabaseSync; path: string }> {
  await Deno.mkdir(varDir, { recursive: true, mode: 0o750 });
  const path = `${varDir}/${DATABASE_FILE}`;
  // 0600: it holds password hashes and mesh PSKs.
  const db = openDatabase(path, { mode: 0o600 });
  try {
    const applied = await migrate(db, await readMigrations(MIGRATIONS_DIR), {
      now: () => clock.now(),
      program: "gateway-api",
    });
    if (applied.length > 0) log.info("migrations applied", { applied });
  } catch (error) {
    db.close();
    throw error;
  }
  return { db, path };
}

/** Options for {@linkcode startGateway}. */
export interface StartOptions {
  varDir: string;
  listen: string;
  log: Logger;
  clock?: Clock;
  fs?: FileSystem;
  runner?: CommandRunner;
}

/** A running gateway. */
export interface RunningGateway {
  /** The actual address (port resolved when 0 was asked for). */
  address: { hostname: string; port: number };
  deps: GatewayDeps;
  /** Stops background loops, ends streams, closes the server and the database. */
  close(): Promise<void>;
}

/** Opens the database, creates the first admin if needed, and serves the API. */
export async function startGateway(options: StartOptions): Promise<RunningGateway> {
  const clock = options.clock ?? systemClock;
  const fs = options.fs ?? denoFileSystem;
  const log = options.log;
  const { db, path } = await openGatewayDatabase(options.varDir, log, clock);
  const now = () => clock.now();
  await ensureAdmin({ db, fs, log, varDir: options.varDir, now });

  const shutdown = new AbortController();
  const release = memoryRelease();
  const deps = createGatewayDeps({
    db,
    dbPath: path,
    varDir: options.varDir,
    clock,
    log,
    build: buildInfo(),
    clockStatus: clockStatusProbe(options.runner ?? denoCommandRunner, now),
    setSystemClock: systemClockSetter(options.runner ?? denoCommandRunner),
    shutdown: shutdown.signal,
    diskSpace: statDiskSpace,
    collectGarbage: release.collect,
  });
  const builtins = ensureBuiltinFlows(db, clock.now());
  if (builtins.length > 0) log.info("built-in flows created", { flows: builtins });
  deps.triggers.reload();
  const interrupted = deps.flows.recover();
  if (interrupted > 0) {
    log.warn("flow executions interrupted by the restart", { count: interrupted });
  }
  const handler = await createRequestHandler(deps, createApp(deps));
  const { hostname, port } = splitListenAddress(options.listen);
  let address = { hostname, port };
  const server = Deno.serve({
    hostname,
    port,
    onListen: (addr) => {
      address = { hostname: addr.hostname, port: addr.port };
    },
  }, handler);

  const loops = [
    runOfflineMonitor({ ...deps }, deps.startedAt, shutdown.signal),
    runMaintenance(deps, shutdown.signal),
    runLiveFlusher(deps, shutdown.signal),
    runTelemetryLoops(deps, shutdown.signal),
    deps.triggers.run(shutdown.signal),
    // The telemetry head is live until compaction stores it: no collection shrinks it,
    // and at peak ingest it would trigger one every few seconds for nothing.
    runMemoryRelease(
      { clock, log, release, usage: () => jsMemoryBytes() - deps.telemetry.head.bytes },
      shutdown.signal,
    ),
  ];
  log.info("listening", {
    address: address.hostname,
    port: address.port,
    url: `http://${
      address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname
    }:${address.port}`,
    version: deps.build.version,
    commit: deps.build.commit,
    database: path,
  });

  return {
    address,
    deps,
    async close() {
      // Streams and loops end first, so open responses finish instead of being cut off.
      shutdown.abort();
      await server.shutdown();
      await Promise.all(loops);
      // Batches waiting for their group commit are committed, so their senders' retries are duplicates.
      deps.telemetry.flush();
      db.close();
    },
  };
}
