import type { DatabaseSync } from "node:sqlite";
import type { BuildInfo } from "../lib/build_info.ts";
import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/log.ts";
import type { ClockStatus, GatewayDeps } from "./api/context.ts";
import { LoginLimiter } from "./auth/login_limiter.ts";
import { EventHub } from "./events/event_hub.ts";
import { LiveNodeState } from "./nodes/live_state.ts";
import { AuditLog } from "./store/audit.ts";
import { SettingsStore } from "./store/settings.ts";

/** What {@linkcode createGatewayDeps} needs from the outside. */
export interface DepsOptions {
  db: DatabaseSync;
  dbPath: string;
  varDir: string;
  clock: Clock;
  log: Logger;
  build: BuildInfo;
  clockStatus: () => Promise<ClockStatus>;
  shutdown: AbortSignal;
}

/** Builds the handlers' dependencies around an open, migrated database. */
export function createGatewayDeps(options: DepsOptions): GatewayDeps {
  const { db, clock } = options;
  const now = () => clock.now();
  return {
    db,
    dbPath: options.dbPath,
    tmpDir: `${options.varDir}/tmp`,
    clock,
    log: options.log,
    events: new EventHub(db, now),
    audit: new AuditLog(db, now),
    settings: new SettingsStore(db),
    live: new LiveNodeState(),
    loginLimiter: new LoginLimiter({ now }),
    build: options.build,
    startedAt: clock.now(),
    clockStatus: options.clockStatus,
    shutdown: options.shutdown,
  };
}
