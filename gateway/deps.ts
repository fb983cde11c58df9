import type { DatabaseSync } from "node:sqlite";
import type { BuildInfo } from "../lib/build_info.ts";
import type { Clock } from "../lib/clock.ts";
import { denoCommandRunner } from "../lib/command.ts";
import { fetchHttpClient } from "../lib/http_client.ts";
import type { Logger } from "../lib/log.ts";
import { LoginLimiter } from "./auth/login_limiter.ts";
import { CommandService } from "./commands/service.ts";
import type { CommandType } from "../lib/schemas/commands.ts";
import { EventHub } from "./events/event_hub.ts";
import { LiveNodeState } from "./nodes/live_state.ts";
import { AuditLog } from "./store/audit.ts";
import { NodeStore } from "./store/nodes.ts";
import { SettingsStore } from "./store/settings.ts";
import type { ClockStatus } from "./system/clock_status.ts";
import type { CollectGarbage } from "./system/memory_release.ts";
import type { DiskSpace } from "./telemetry/disk_guard.ts";
import { TelemetryStore } from "./telemetry/store.ts";
import { AlertStore } from "./flows/alert_store.ts";
import { alertRunner, type SilenceCheck } from "./flows/runners/alert.ts";
import { commandRunner, nodeSshAddress } from "./flows/runners/command.ts";
import { forEachNodeRunner } from "./flows/runners/for_each_node.ts";
import { setVariableRunner } from "./flows/runners/set_variable.ts";
import { webhookRunner } from "./flows/runners/webhook.ts";
import { ManagedSshIdentity } from "./flows/ssh_identity.ts";
import { SshTargetStore } from "./flows/ssh_targets.ts";
import { cooldownRunner, responseRunner, thresholdRunner } from "./flows/runners/conditions.ts";
import { FlowService } from "./flows/service.ts";
import { SilenceStore } from "./flows/silence_store.ts";
import { TriggerService } from "./flows/trigger_service.ts";
import { nodesBehind } from "./topology/behind.ts";
import { TopologyStore } from "./topology/topology_store.ts";

/**
 * The gateway's services: everything the API handlers and the portal use,
 * built by {@linkcode createGatewayDeps}.
 */
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
  /** The command channel to the nodes' agents. */
  commands: CommandService;
  /** The key and known_hosts the Flows command action runs ssh with. */
  sshIdentity: ManagedSshIdentity;
  loginLimiter: LoginLimiter;
  build: BuildInfo;
  startedAt: number;
  clockStatus: () => Promise<ClockStatus>;
  /** Sets the system clock (an admin's, from the browser, when nothing else syncs it). */
  setSystemClock: (ms: number) => Promise<void>;
  /** Aborted when the gateway shuts down; long-lived responses (SSE) end with it. */
  shutdown: AbortSignal;
}

/** What {@linkcode createGatewayDeps} needs from the outside. */
export interface DepsOptions {
  db: DatabaseSync;
  dbPath: string;
  varDir: string;
  clock: Clock;
  log: Logger;
  build: BuildInfo;
  clockStatus: () => Promise<ClockStatus>;
  setSystemClock: (ms: number) => Promise<void>;
  shutdown: AbortSignal;
  diskSpace: DiskSpace;
  /** Group commit delay of the telemetry store. @default 1000 */
  commitDelayMs?: number;
  /** A full garbage collection, for the telemetry store's compaction. */
  collectGarbage?: CollectGarbage | null;
  /** The command types nodes are sent. @default COMMAND_TYPES */
  commandTypes?: readonly CommandType[];
}

/** Builds the handlers' dependencies around an open, migrated database. */
export function createGatewayDeps(options: DepsOptions): GatewayDeps {
  const { db, clock } = options;
  const now = () => clock.now();
  const events = new EventHub(db, now);
  const settings = new SettingsStore(db);
  const telemetry = new TelemetryStore({
    db,
    clock,
    log: options.log,
    settings,
    events,
    dataDir: options.varDir,
    diskSpace: options.diskSpace,
    ...(options.commitDelayMs !== undefined ? { commitDelayMs: options.commitDelayMs } : {}),
    collectGarbage: options.collectGarbage ?? null,
  });
  const topology = new TopologyStore(db);
  // Root-cause grouping asks for each offline alert; networks are a few hundred nodes at most.
  const behind = (nodeId: string) => nodesBehind(topology.nodes(), topology.links(), nodeId);
  const alerts = new AlertStore(db, events, { nodesBehind: behind });
  const silences = new SilenceStore(db);
  const silenced: SilenceCheck = (flowId, nodeId) => silences.covers(now(), flowId, nodeId);
  const sshIdentity = new ManagedSshIdentity({ varDir: options.varDir });
  const commandAudit = new AuditLog(db, now);
  const sshTargets = new SshTargetStore(db);
  const reportedAddress = nodeSshAddress(db);
  const actions = {
    alert: alertRunner({ alerts, now, silenced }),
    webhook_out: webhookRunner({
      http: fetchHttpClient,
      clock,
      silenced,
      grouped: (flowId, nodeId) => alerts.groupedAlert(flowId, nodeId),
    }),
    command: commandRunner({
      runner: denoCommandRunner,
      // known_hosts is rewritten from the SSH targets before each run, so it is never stale.
      identity: async () => {
        const identity = await sshIdentity.ensure();
        await sshTargets.writeKnownHosts(identity.knownHosts);
        return identity;
      },
      nodeAddress: (nodeId) => {
        const target = sshTargets.get(nodeId);
        const reported = reportedAddress(nodeId);
        const host = target?.host ?? reported?.host;
        if (host === undefined) return null;
        return {
          host,
          port: target?.port ?? reported?.port ?? 22,
          ...(target?.user ? { user: target.user } : {}),
          hostKeyAlias: nodeId,
        };
      },
      audit: (entry) =>
        commandAudit.record({ kind: "system", name: "flows" }, "flow.command", entry.node_id, {
          ...entry,
        }),
    }),
  };
  const flows = new FlowService({
    db,
    clock,
    log: options.log,
    runners: {
      ...actions,
      for_each_node: forEachNodeRunner({
        db,
        runners: actions,
        nodesBehind: (nodeId) => [...behind(nodeId)],
      }),
      threshold: thresholdRunner({ telemetry, now }),
      cooldown: cooldownRunner({ db, now }),
      response: responseRunner(),
      set_variable: setVariableRunner({ db, now }),
    },
  });
  alerts.onStandAlone = (alertId) => {
    const failed = (error: unknown) =>
      options.log.error("sending held-back alert notifications failed", {
        alert_id: alertId,
        error,
      });
    try {
      flows.notifyStandAlone(alertId)?.done.catch(failed);
    } catch (error) {
      failed(error);
    }
  };
  const triggers = new TriggerService({ db, clock, log: options.log, events, flows, alerts });
  triggers.reload();
  telemetry.onSamples = (nodeId, samples, seriesIds) =>
    triggers.onSamples(nodeId, samples, seriesIds);
  const nodes = new NodeStore(db);
  const commands = new CommandService({
    db,
    clock,
    audit: new AuditLog(db, now),
    atomically: (fn) => events.atomically(fn),
    node: (id) => {
      const row = nodes.row(id);
      return row ? { name: row.name, live: row.decommissioned_at === null } : null;
    },
    ...(options.commandTypes ? { types: options.commandTypes } : {}),
  });
  return {
    db,
    dbPath: options.dbPath,
    varDir: options.varDir,
    tmpDir: `${options.varDir}/tmp`,
    clock,
    log: options.log,
    events,
    audit: new AuditLog(db, now),
    settings,
    live: new LiveNodeState(),
    telemetry,
    alerts,
    flows,
    triggers,
    commands,
    sshIdentity,
    loginLimiter: new LoginLimiter({ now }),
    build: options.build,
    startedAt: clock.now(),
    clockStatus: options.clockStatus,
    setSystemClock: options.setSystemClock,
    shutdown: options.shutdown,
  };
}
