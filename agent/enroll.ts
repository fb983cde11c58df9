/**
 * Enrollment: a join token becomes the node's id and agent token, written
 * to agent-env in place of the join token, atomically (temp file, fsync,
 * rename; mode 0640 per NODE-CONTRACT.md). An agent that holds an agent
 * token never enrolls again: the gateway refuses to re-enroll a live node
 * without proof, and a re-flashed board rejoins with an admin's
 * replacement token.
 */
import { GatewayApiError, type GatewayClient } from "../lib/api_client.ts";
import { type Clock, pause } from "../lib/clock.ts";
import {
  type EnrolledAgentEnv,
  formatAgentEnv,
  type JoiningAgentEnv,
} from "../lib/config/agent_env.ts";
import type { FileSystem } from "../lib/fs.ts";
import type { Logger } from "../lib/log.ts";
import type { NodeRole } from "../lib/schemas/common.ts";
import type { HardwareIdentitySource } from "./sources/hardware_identity.ts";
import type { ClockSync } from "./ports.ts";

/** agent-env's mode: readable by group `halo` (halo-mesh reads the agent token). */
export const AGENT_ENV_MODE = 0o640;

/** Enrollment did not happen; `retryable` says whether trying again later may help. */
export class EnrollmentError extends Error {
  override name = "EnrollmentError";
  constructor(message: string, readonly retryable: boolean, options?: ErrorOptions) {
    super(message, options);
  }
}

/** What {@linkcode enroll} needs. */
export interface EnrollOptions {
  /** A client for the gateway, with no token. */
  client: GatewayClient;
  joining: JoiningAgentEnv;
  /** Where agent-env is; replaced with the credentials. */
  agentEnvFile: string;
  fs: Pick<FileSystem, "writeTextFileAtomic">;
  hardware: HardwareIdentitySource;
  /** The device's hostname; null when the kernel's is not one the gateway accepts. */
  hostname: string | null;
  role: NodeRole;
  clock: Clock;
  clockSync: ClockSync;
  log: Logger;
}

/** The node the device became. */
export interface Enrolled {
  env: EnrolledAgentEnv;
  /** The node's name on the gateway. */
  name: string;
  reportIntervalS: number;
}

/** The gateway's refusal, said as what the operator does next. */
function refusal(error: GatewayApiError, file: string): EnrollmentError {
  if (error.code === "node_already_enrolled") {
    return new EnrollmentError(
      `The gateway already has this device as an enrolled node and does not give its identity ` +
        `to a join token. Ask an admin for a replacement token for that node (its page in the ` +
        `portal, or POST /v1/nodes/{id}/replacement-token) and put it in ${file} as ` +
        `HALO_JOIN_TOKEN.`,
      false,
      { cause: error },
    );
  }
  if (error.status === 401) {
    return new EnrollmentError(
      `The gateway refused the join token in ${file}: it is unknown, revoked, expired or used ` +
        `up. Ask an admin for a new one and put it in ${file} as HALO_JOIN_TOKEN.`,
      false,
      { cause: error },
    );
  }
  const retryable = error.status >= 500 || error.status === 429;
  return new EnrollmentError(`Enrollment failed: ${error.message}`, retryable, { cause: error });
}

/**
 * Enrolls once with the join token, then replaces agent-env with the
 * credentials (keeping its HALO_GATEWAY_URL).
 *
 * @throws {EnrollmentError} saying what to do; `retryable` when the gateway
 *   was unreachable or failed, not when it refused.
 */
export async function enroll(options: EnrollOptions): Promise<Enrolled> {
  const { joining, agentEnvFile: file } = options;
  if (options.hostname === null) {
    throw new EnrollmentError(
      "This device's hostname is not one the gateway accepts: use letters, digits, '-' and '.' " +
        "(hostnamectl set-hostname)",
      false,
    );
  }
  const hardware = await options.hardware.identity().catch((error) => {
    throw new EnrollmentError((error as Error).message, false, { cause: error });
  });
  const sentAt = options.clock.now();
  let answer;
  try {
    answer = await options.client.enroll({
      join_token: joining.HALO_JOIN_TOKEN,
      hardware,
      hostname: options.hostname,
      role: options.role,
    });
  } catch (error) {
    if (error instanceof GatewayApiError) throw refusal(error, file);
    throw new EnrollmentError(
      `Cannot reach the gateway at ${options.client.baseUrl}: ${(error as Error).message}`,
      true,
      { cause: error },
    );
  }
  options.clockSync.observe(answer.gateway_time_ms, sentAt, options.clock.now());
  const env: EnrolledAgentEnv = {
    HALO_NODE_ID: answer.node_id,
    HALO_AGENT_TOKEN: answer.agent_token,
    ...(joining.HALO_GATEWAY_URL ? { HALO_GATEWAY_URL: joining.HALO_GATEWAY_URL } : {}),
  };
  try {
    await options.fs.writeTextFileAtomic(file, formatAgentEnv(env), { mode: AGENT_ENV_MODE });
  } catch (error) {
    throw new EnrollmentError(
      `Enrolled as node ${answer.node_id}, but cannot write ${file}: ${
        (error as Error).message
      }. ` +
        `The join token is used up: fix the file system, then ask an admin for a replacement ` +
        `token for ${answer.node_id}.`,
      false,
      { cause: error },
    );
  }
  options.log.info("enrolled", {
    node_id: answer.node_id,
    name: answer.name,
    reenrolled: answer.reenrolled,
    gateway: options.client.baseUrl,
  });
  return { env, name: answer.name, reportIntervalS: answer.report_interval_s };
}

/**
 * {@linkcode enroll}, tried again after a retryable failure with backoff
 * (1 s doubling to 60 s) until it succeeds or `signal` aborts.
 *
 * @returns null when `signal` aborted first.
 * @throws {EnrollmentError} when the gateway refused.
 */
export async function enrollUntilDone(
  options: EnrollOptions,
  signal: AbortSignal,
): Promise<Enrolled | null> {
  for (let wait = 1000;; wait = Math.min(wait * 2, 60_000)) {
    try {
      return await enroll(options);
    } catch (error) {
      if (!(error instanceof EnrollmentError) || !error.retryable) throw error;
      options.log.warn("enrollment failed; trying again", { error, retry_in_ms: wait });
    }
    if (!await pause(options.clock, wait, signal)) return null;
  }
}
