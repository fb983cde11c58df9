/**
 * The `command` action: runs a shell command on a node over SSH with the
 * OpenSSH client, the HALO-managed key and known_hosts, strict host key
 * checking and no interaction. Interpolated values are shell-quoted, so a
 * node name or metric label is data, never shell syntax.
 */
import type { DatabaseSync } from "node:sqlite";
import { type Clock, systemClock } from "../../../lib/clock.ts";
import type { CommandRunner } from "../../../lib/command.ts";
import { commandActionSchema } from "../../../lib/schemas/flows.ts";
import type { StepRunner } from "../engine.ts";
import type { SshIdentity } from "../ssh_identity.ts";
import { quotedVariables, renderTemplate, shellQuote } from "../template.ts";
import { prepared } from "../../../lib/db/database.ts";

/** At most this much of stdout and of stderr is kept in the step's output. */
export const COMMAND_OUTPUT_LIMIT = 16 * 1024;

/** Extra time the local `ssh` gets beyond connecting and the remote timeout. */
const LOCAL_GRACE_S = 5;

/** Where to reach a node over SSH. */
export interface SshAddress {
  host: string;
  port: number;
  /** Login user; the identity's user when absent. */
  user?: string;
  /** Name the host key is looked up under in known_hosts (HALO uses the node id). @default host:port */
  hostKeyAlias?: string;
}

/** What the audit log records of every command run. */
export interface CommandAuditEntry {
  flow_id: number;
  flow_name: string;
  execution_id: number;
  step_id: string;
  node_id: string;
  host: string;
  /** The command as run, values interpolated (without the remote `timeout` wrapper). */
  command: string;
  /** Null when ssh did not finish in time or could not be started. */
  exit_code: number | null;
  error?: string;
}

/** Dependencies of {@linkcode commandRunner}. */
export interface CommandRunnerDeps {
  runner: CommandRunner;
  /** The identity, or a function that provides it (e.g. generating the key on first use). */
  identity: SshIdentity | (() => Promise<SshIdentity>);
  /** A node's SSH address, or null when none is known; see {@linkcode nodeSshAddress}. */
  nodeAddress: (nodeId: string) => SshAddress | null;
  /** Writes one entry to the audit log. */
  audit: (entry: CommandAuditEntry) => void;
  /** Times the local timeout. @default systemClock */
  clock?: Clock;
}

/** Interface kinds in the order their addresses are preferred for SSH. */
const ADDRESS_PREFERENCE = ["wireguard", "batman", "halow", "eth"] as const;

/**
 * Finds nodes' SSH addresses in the interfaces they reported: the first
 * address of an up interface, preferring the wireguard overlay, then
 * batman-adv, then HaLow, then Ethernet; port 22. IPv6 link-local addresses
 * are skipped (they need a zone). Decommissioned nodes have no address.
 */
export function nodeSshAddress(db: DatabaseSync): (nodeId: string) => SshAddress | null {
  const query = prepared(
    db,
    `SELECT i.kind, i.addresses FROM interfaces i JOIN nodes n ON n.id = i.node_id
     WHERE i.node_id = ? AND i.up = 1 AND n.decommissioned_at IS NULL ORDER BY i.name`,
  );
  return (nodeId) => {
    const rows = query.all(nodeId) as { kind: string; addresses: string }[];
    for (const kind of ADDRESS_PREFERENCE) {
      for (const row of rows.filter((r) => r.kind === kind)) {
        const addresses = JSON.parse(row.addresses) as string[];
        const host = addresses.map((cidr) => cidr.split("/")[0]!)
          .find((ip) => ip !== "" && !/^fe80:/i.test(ip));
        if (host !== undefined) return { host, port: 22 };
      }
    }
    return null;
  };
}

/** The first `limit` bytes of `text` in UTF-8, without cutting a character in half. */
function truncateUtf8(text: string, limit: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= limit) return text;
  return new TextDecoder().decode(bytes.subarray(0, limit), { stream: true });
}

/**
 * What to tell the operator when ssh refused the node's host key: it is
 * unknown, or it differs from the pinned one. Null for other failures.
 */
function hostKeyProblem(nodeId: string, address: SshAddress, stderr: string): string | null {
  if (!/Host key verification failed/.test(stderr)) return null;
  const where = `${address.host} port ${address.port}`;
  const fix =
    `PUT /v1/flows/ssh/targets/${nodeId} with its host key (ssh-keyscan -p ${address.port} ${address.host} prints it)`;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/.test(stderr)) {
    return `Host key of node ${nodeId} (${where}) does not match the one HALO pinned: nothing ran. If the node was reinstalled, ${fix}; otherwise someone may be intercepting the connection`;
  }
  return `Host key of node ${nodeId} (${where}) is not known to HALO, so nothing ran: ${fix}`;
}

/** The `ssh` arguments; every option that matters is explicit, none comes from a config file. */
export function sshArgs(
  identity: SshIdentity,
  address: SshAddress,
  remoteCommand: string,
  connectTimeoutS: number,
): string[] {
  return [
    "-F",
    "/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    `UserKnownHostsFile=${identity.knownHosts}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "IdentityAgent=none",
    "-o",
    `ConnectTimeout=${connectTimeoutS}`,
    ...(address.hostKeyAlias !== undefined ? ["-o", `HostKeyAlias=${address.hostKeyAlias}`] : []),
    "-i",
    identity.key,
    "-p",
    String(address.port),
    "-T",
    `${address.user ?? identity.user}@${address.host}`,
    "--",
    remoteCommand,
  ];
}

/**
 * The `command` action.
 *
 * The command template is rendered with each value as one shell-quoted
 * word, then run remotely as `timeout <timeout_s> sh -c '<command>'` so it
 * cannot outlive the step; locally `ssh` is stopped after connecting and
 * running could have taken (plus a few seconds). Output `{exit_code,
 * stdout, stderr}` (16 KiB each); success iff the exit code is 0 — 255 means
 * ssh itself failed (connection, host key, login), 124 the remote timeout;
 * a refused host key adds `error` saying how to pin the right one.
 * Every run is audited. A dry run runs nothing: `{would_run: {node, command}}`.
 *
 * @throws {Error} when the step has no node, the node has no known address,
 *   or a variable sits inside quotes (where quoting could not protect it).
 */
export function commandRunner(deps: CommandRunnerDeps): StepRunner {
  const clock = deps.clock ?? systemClock;
  return async ({ step, execution, context, prevResult, signal }) => {
    const config = commandActionSchema.parse(step.config);
    const nodeId = config.node === "trigger" ? context.node_id : config.node;
    if (typeof nodeId !== "string") {
      throw new Error(`step ${step.id}: the trigger gives no node; name one in the command step`);
    }
    // Saving a flow refuses this too; checked again because a quoted value could break out.
    for (const [offset, quoted] of quotedVariables(config.command, "shell")) {
      if (quoted) {
        throw new Error(
          `step ${step.id}: the variable at character ${
            offset + 1
          } of the command is inside quotes; leave it unquoted, values are quoted for you`,
        );
      }
    }
    const command = renderTemplate(
      config.command,
      { ...context, prev_result: prevResult },
      "shell",
    );
    if (execution.dryRun) {
      return { outcome: "success", output: { would_run: { node: nodeId, command } } };
    }
    const address = deps.nodeAddress(nodeId);
    if (!address) {
      throw new Error(
        `step ${step.id}: Cannot run a command on node ${nodeId}: it has reported no address to reach it over SSH`,
      );
    }
    const identity = typeof deps.identity === "function" ? await deps.identity() : deps.identity;
    const remote = `timeout ${config.timeout_s} sh -c ${shellQuote(command)}`;
    const limitS = config.connect_timeout_s + config.timeout_s + LOCAL_GRACE_S;
    const localTimeout = new AbortController();
    const timerDone = new AbortController();
    clock.sleep(limitS * 1000, timerDone.signal).then(() => localTimeout.abort(), () => {});
    const entry = {
      flow_id: execution.flowId,
      flow_name: execution.flowName,
      execution_id: execution.executionId,
      step_id: step.id,
      node_id: nodeId,
      host: address.host,
      command,
    };
    let result;
    try {
      result = await deps.runner.run(
        "ssh",
        sshArgs(identity, address, remote, config.connect_timeout_s),
        {
          // A backstop only: the signal below stops ssh first.
          timeoutMs: (limitS + 1) * 1000,
          signal: AbortSignal.any([signal, localTimeout.signal]),
        },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      deps.audit({ ...entry, exit_code: null, error: message });
      throw new Error(`step ${step.id}: Cannot run ssh: ${message}`, { cause: error });
    } finally {
      timerDone.abort();
    }
    const stdout = truncateUtf8(result.stdout, COMMAND_OUTPUT_LIMIT);
    const stderr = truncateUtf8(result.stderr, COMMAND_OUTPUT_LIMIT);
    if (localTimeout.signal.aborted || signal.aborted) {
      const error = signal.aborted ? "stopped" : `ssh did not finish within ${limitS} s`;
      deps.audit({ ...entry, exit_code: null, error });
      return { outcome: "failure", output: { exit_code: null, stdout, stderr, error } };
    }
    const hostKeyError = result.code === 255 ? hostKeyProblem(nodeId, address, stderr) : null;
    deps.audit({
      ...entry,
      exit_code: result.code,
      ...(hostKeyError ? { error: hostKeyError } : {}),
    });
    return {
      outcome: result.code === 0 ? "success" : "failure",
      output: {
        exit_code: result.code,
        stdout,
        stderr,
        ...(hostKeyError ? { error: hostKeyError } : {}),
      },
    };
  };
}
