import type { DatabaseSync } from "node:sqlite";
import type { Clock } from "../../lib/clock.ts";
import type { BuildInfo } from "../../lib/build_info.ts";
import type { Logger } from "../../lib/log.ts";
import type { LoginLimiter } from "../auth/login_limiter.ts";
import type { EventHub } from "../events/event_hub.ts";
import type { LiveNodeState } from "../nodes/live_state.ts";
import type { TelemetryStore } from "../telemetry/store.ts";
import type { AlertStore } from "../flows/alert_store.ts";
import type { FlowService } from "../flows/service.ts";
import type { TriggerService } from "../flows/trigger_service.ts";
import type { ManagedSshIdentity } from "../flows/ssh_identity.ts";
import type { AuditLog } from "../store/audit.ts";
import type { SettingsStore } from "../store/settings.ts";
import type { UserRecord } from "../store/users.ts";
import type { ApiToken } from "../store/api_tokens.ts";
import type { UserRole } from "../../lib/schemas/common.ts";

/** Whether the system clock is NTP-synchronised; null when it cannot be told. */
export interface ClockStatus {
  synchronized: boolean | null;
  source: string;
}

/** Everything the API handlers use; built once by `main.ts`, faked in tests. */
export interface GatewayDeps {
  db: DatabaseSync;
  dbPath: string;
  /** `$HALO_VAR`: the database and the secret files a backup carries. */
  varDir: string;
  /** Directory for temporary files such as backups (same file system as the database). */
  tmpDir: string;
  clock: Clock;
  log: Logger;
  events: EventHub;
  audit: AuditLog;
  settings: SettingsStore;
  /** Latest node reports held in memory; see LiveNodeState. */
  live: LiveNodeState;
  telemetry: TelemetryStore;
  alerts: AlertStore;
  flows: FlowService;
  triggers: TriggerService;
  /** The key and known_hosts the Flows command action runs ssh with. */
  sshIdentity: ManagedSshIdentity;
  loginLimiter: LoginLimiter;
  build: BuildInfo;
  startedAt: number;
  clockStatus: () => Promise<ClockStatus>;
  /** Aborted when the gateway shuts down; long-lived responses (SSE) end with it. */
  shutdown: AbortSignal;
}

/** Who is calling. */
export type Principal =
  | { kind: "anonymous" }
  | { kind: "user"; role: UserRole; user: UserRecord; sessionHash: string }
  | { kind: "token"; role: UserRole; token: ApiToken }
  | { kind: "agent"; nodeId: string };

/** Hono environment of the gateway app. */
export interface AppEnv {
  Variables: { principal: Principal; clientIp: string | null; secure: boolean };
  Bindings: { remoteAddr?: { hostname: string } };
}
