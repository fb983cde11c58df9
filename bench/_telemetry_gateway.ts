/**
 * The real gateway process for the telemetry benchmark: started the way the
 * system tests start it (the `gateway` task's permissions, fresh temp
 * directories, 127.0.0.1:0), with nodes enrolled through the API.
 */
import { DatabaseSync } from "node:sqlite";
import { GatewayClient } from "../lib/api_client.ts";
import { createdJoinTokenSchema } from "../lib/schemas/enrollment.ts";
import {
  type GatewayProcess,
  loginAdmin,
  startGatewayProcess,
  tempDirs,
} from "../tests/_helpers/gateway_process.ts";
import { COMPACTION_GRACE_MS } from "../gateway/telemetry/loops.ts";
import { WINDOW_MS } from "../gateway/telemetry/windows.ts";
import { DATABASE_FILE } from "../gateway/start.ts";
import { writeBytes } from "./_telemetry_proc.ts";

/** An enrolled node as its agent knows itself. */
export interface BenchAgent {
  index: number;
  id: string;
  token: string;
  reportIntervalS: number;
}

/** A gateway process with enrolled nodes; dispose to stop it and remove its files. */
export interface BenchGateway extends AsyncDisposable {
  process: GatewayProcess;
  baseUrl: string;
  pid: number;
  dbPath: string;
  agents: BenchAgent[];
  /** Logged in as the first admin. */
  admin: GatewayClient;
  /** Head samples (acknowledged, not yet compacted), from `/health`. */
  headSamples(): Promise<number>;
  /**
   * Checkpoints the gateway's WAL into the database from a connection of
   * this process (PASSIVE: never blocks the gateway's writer) and returns
   * the bytes that cost this process, so a measurement can end with the WAL
   * written back instead of depending on when SQLite's auto-checkpoint last ran.
   */
  checkpoint(): { writtenBytes: number; walFrames: number; checkpointed: number };
  /** Stops the gateway with SIGTERM (clean shutdown) and waits for it. */
  stop(): Promise<void>;
}

/** Starts a gateway and enrolls `nodes` nodes (hostnames n0…). */
export async function startBenchGateway(nodes: number): Promise<BenchGateway> {
  const dirs = await tempDirs();
  let gw: GatewayProcess;
  try {
    gw = await startGatewayProcess(dirs);
  } catch (error) {
    await dirs[Symbol.asyncDispose]();
    throw error;
  }
  const dispose = async () => {
    await gw.stop("SIGKILL");
    await dirs[Symbol.asyncDispose]();
  };
  try {
    const { client: admin } = await loginAdmin(gw.baseUrl, dirs);
    const join = await admin.request("POST", "/v1/enrollment/tokens", {
      body: { name: "telemetry-bench", max_uses: nodes },
      schema: createdJoinTokenSchema,
    });
    const anonymous = admin.withToken(undefined);
    const agents: BenchAgent[] = [];
    for (let i = 0; i < nodes; i++) {
      const e = await anonymous.enroll({
        join_token: join.token,
        hardware: { serial: `TBENCH${String(i).padStart(5, "0")}` },
        hostname: `n${i}`,
      });
      agents.push({
        index: i,
        id: e.node_id,
        token: e.agent_token,
        reportIntervalS: e.report_interval_s,
      });
    }
    const dbPath = `${dirs.varDir}/${DATABASE_FILE}`;
    return {
      process: gw,
      baseUrl: gw.baseUrl,
      pid: gw.pid,
      dbPath,
      agents,
      admin,
      async headSamples() {
        const res = await fetch(`${gw.baseUrl}/health`);
        const body = await res.json() as { telemetry: { head_samples: number } };
        return body.telemetry.head_samples;
      },
      checkpoint() {
        const db = new DatabaseSync(dbPath);
        try {
          const before = writeBytes("self");
          const row = db.prepare("PRAGMA wal_checkpoint(PASSIVE)").get() as {
            busy: number;
            log: number;
            checkpointed: number;
          };
          return {
            writtenBytes: writeBytes("self") - before,
            walFrames: row.log,
            checkpointed: row.checkpointed,
          };
        } finally {
          db.close();
        }
      },
      async stop() {
        await gw.stop("SIGTERM");
      },
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** When the gateway's next compaction starts after `now` (see gateway/telemetry/loops.ts). */
export function nextCompactionAt(now: number): number {
  return Math.floor((now - COMPACTION_GRACE_MS) / WINDOW_MS) * WINDOW_MS + WINDOW_MS +
    COMPACTION_GRACE_MS;
}

/** How long after its start a compaction is taken to be done (it takes ~1 s at 50 nodes). */
const COMPACTION_SETTLE_MS = 15_000;

/**
 * Waits for the gateway's next compaction and resolves, once it is done,
 * with the time it was seen (its head shrank, plus a settling delay) and
 * the head just before it, or null if none was seen at the next two
 * scheduled times (a gateway started in the 30 s after a window closed
 * skips that window's slot). Polls `/health` only around those times, so
 * the polling costs the measured process next to nothing.
 */
export async function waitForCompaction(
  gw: BenchGateway,
  signal: AbortSignal,
): Promise<{ at: number; headBefore: number } | null> {
  for (let attempt = 0; attempt < 2 && !signal.aborted; attempt++) {
    const due = nextCompactionAt(Date.now());
    await sleep(due - 3000 - Date.now(), signal);
    const before = await gw.headSamples();
    await sleep(due + 500 - Date.now(), signal);
    for (let i = 0; i < 60 && !signal.aborted; i++) {
      if (await gw.headSamples() < before) {
        // The head empties when compaction starts; it then writes in slices for a moment.
        await sleep(COMPACTION_SETTLE_MS, signal);
        return { at: Date.now(), headBefore: before };
      }
      await sleep(1000, signal);
    }
  }
  return null;
}

/** Resolves after `ms` (at once if not positive), or early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
