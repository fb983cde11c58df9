/**
 * Where the agent learns the radio, batman-adv's links, the gateway's
 * address and the overlay: halo-mesh's `mesh.sock` on a node
 * ({@linkcode meshSocketStatus}), a simulation in the demo and tests
 * (`sim_mesh_status.ts`).
 */
import {
  MESH_STATUS_PATH,
  type MeshStatus,
  meshStatusSchema,
} from "../../lib/schemas/mesh_socket.ts";

/** Radio, links and overlay as halo-mesh serves them. */
export interface MeshStatusSource {
  /** Radio, links and overlay as halo-mesh serves them on mesh.sock; null when unknown. */
  status(signal: AbortSignal): Promise<MeshStatus | null>;
}

/** mesh.sock answered, but not with a status the agent can read. */
export class MeshSocketError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MeshSocketError";
  }
}

/** The socket file is missing, or nobody listens on it: halo-mesh is not running. */
const NOT_RUNNING = /os error (2|111)\)/;

/**
 * The status halo-mesh serves on its Unix socket at `socketPath`; null
 * while halo-mesh is not running. Needs `--allow-read` and `--allow-write`
 * on the socket and `--allow-net` for `unix:<socketPath>` and `localhost`
 * (Deno checks the request URL's host too).
 *
 * @throws {MeshSocketError} from `status` for an answer that is not a valid status
 */
export function meshSocketStatus(
  socketPath: string,
  options: { timeoutMs?: number } = {},
): MeshStatusSource & Disposable {
  let client: Deno.HttpClient | null = null;
  return {
    async status(signal) {
      client ??= Deno.createHttpClient({ proxy: { transport: "unix", path: socketPath } });
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 2000);
      let response: Response;
      try {
        response = await fetch(`http://localhost${MESH_STATUS_PATH}`, {
          client,
          signal: AbortSignal.any([signal, timeout]),
        });
      } catch (error) {
        if (NOT_RUNNING.test(String((error as Error).cause ?? ""))) return null;
        throw error;
      }
      return await readStatus(response, socketPath);
    },
    [Symbol.dispose]() {
      client?.close();
      client = null;
    },
  };
}

async function readStatus(response: Response, socketPath: string): Promise<MeshStatus> {
  const where = `${socketPath} GET ${MESH_STATUS_PATH}`;
  if (response.status !== 200) {
    const body = (await response.text()).slice(0, 200);
    throw new MeshSocketError(`${where} answered ${response.status}: ${body}`);
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch (error) {
    throw new MeshSocketError(`${where} answered no JSON`, { cause: error });
  }
  const parsed = meshStatusSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
    throw new MeshSocketError(`${where} answered an invalid status: ${fields.join("; ")}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
