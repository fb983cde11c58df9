/**
 * Serves agent.sock: a Unix socket in `$HALO_RUN`, mode 0660 so group
 * `halo` (halo-field, haloctl) may connect (NODE-CONTRACT.md).
 */
import type { Logger } from "../../lib/log.ts";
import type { AgentStatus } from "../../lib/schemas/agent_socket.ts";
import { agentSocketApp } from "./app.ts";
import type { LiveFeed } from "./live_feed.ts";

/** The socket's mode: owner and group `halo`. */
export const AGENT_SOCKET_MODE = 0o660;

/** Options for {@linkcode serveAgentSocket}. */
export interface AgentSocketOptions {
  /** e.g. `/run/halo/agent.sock` */
  path: string;
  status: () => AgentStatus;
  live: LiveFeed;
  log: Logger;
}

/** A serving agent.sock. */
export interface AgentSocketServer extends AsyncDisposable {
  path: string;
  /** Ends open streams, stops serving and removes the socket file. */
  close(): Promise<void>;
}

/** Removes a socket file left by an agent that died; refuses when one still answers on it. */
async function removeStale(path: string): Promise<void> {
  let conn: Deno.UnixConn;
  try {
    conn = await Deno.connect({ transport: "unix", path });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    if (!(error instanceof Deno.errors.ConnectionRefused)) throw error;
    await Deno.remove(path);
    return;
  }
  conn.close();
  throw new Error(`Another program serves ${path}: is halo-agent running already?`);
}

/**
 * Serves agent.sock at `options.path`.
 *
 * @throws {Error} when another process serves that socket, or its directory is missing.
 */
export async function serveAgentSocket(options: AgentSocketOptions): Promise<AgentSocketServer> {
  await removeStale(options.path);
  const shutdown = new AbortController();
  const app = agentSocketApp({ ...options, shutdown: shutdown.signal });
  const server = Deno.serve({ path: options.path, onListen() {} }, app.fetch);
  try {
    await Deno.chmod(options.path, AGENT_SOCKET_MODE);
  } catch (error) {
    await server.shutdown();
    throw error;
  }
  options.log.info("serving agent.sock", { path: options.path });
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      shutdown.abort();
      await server.shutdown();
    })();
  return { path: options.path, close, [Symbol.asyncDispose]: close };
}
