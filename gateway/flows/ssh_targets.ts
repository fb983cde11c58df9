import type { DatabaseSync } from "node:sqlite";
import type { SshTarget, SshTargetInput } from "../../lib/schemas/flows_ssh.ts";
import { iso } from "../store/time.ts";
import { prepared } from "../../lib/db/database.ts";

interface TargetRow {
  node_id: string;
  node_name: string;
  host: string | null;
  port: number;
  user: string | null;
  host_keys: string;
  updated_at: number;
  updated_by: string;
}

const SELECT =
  `SELECT t.*, n.name AS node_name FROM flow_ssh_targets t JOIN nodes n ON n.id = t.node_id`;

const toView = (r: TargetRow): SshTarget => ({
  node_id: r.node_id,
  node_name: r.node_name,
  host_keys: JSON.parse(r.host_keys),
  host: r.host,
  port: r.port,
  user: r.user,
  updated_at: iso(r.updated_at),
  updated_by: r.updated_by,
});

/**
 * Per-node SSH targets (`flow_ssh_targets`): where to reach a node and the
 * host keys HALO pins for it. The managed known_hosts file is written from
 * this table, keyed by node id (ssh runs with `HostKeyAlias=<node id>`), so a
 * node whose address changes keeps its pinned key.
 */
export class SshTargetStore {
  constructor(private readonly db: DatabaseSync) {}

  list(): SshTarget[] {
    return (prepared(this.db, `${SELECT} ORDER BY n.name`).all() as unknown as TargetRow[]).map(
      toView,
    );
  }

  get(nodeId: string): SshTarget | null {
    const row = prepared(this.db, `${SELECT} WHERE t.node_id = ?`).get(nodeId) as
      | TargetRow
      | undefined;
    return row ? toView(row) : null;
  }

  put(nodeId: string, input: SshTargetInput, by: string, now: number): void {
    prepared(
      this.db,
      `INSERT INTO flow_ssh_targets (node_id, host, port, user, host_keys, updated_at, updated_by)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (node_id) DO UPDATE SET host = excluded.host, port = excluded.port, user = excluded.user,
         host_keys = excluded.host_keys, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ).run(
      nodeId,
      input.host ?? null,
      input.port,
      input.user ?? null,
      JSON.stringify([...new Set(input.host_keys)]),
      now,
      by,
    );
  }

  delete(nodeId: string): boolean {
    return prepared(this.db, "DELETE FROM flow_ssh_targets WHERE node_id = ?").run(nodeId).changes >
      0;
  }

  /** The known_hosts text: one `<node id> <type> <key>` line per pinned key. */
  knownHosts(): string {
    const rows = prepared(
      this.db,
      "SELECT node_id, host_keys FROM flow_ssh_targets ORDER BY node_id",
    )
      .all() as { node_id: string; host_keys: string }[];
    return rows.flatMap((r) =>
      (JSON.parse(r.host_keys) as string[]).map((k) => `${r.node_id} ${k}\n`)
    )
      .join("");
  }

  /**
   * Writes {@linkcode knownHosts} to `path` (mode 0600) through a temporary
   * file and a rename, so ssh never reads a half-written file.
   */
  async writeKnownHosts(path: string): Promise<void> {
    const temporary = `${path}.${crypto.randomUUID()}.tmp`;
    try {
      await Deno.writeTextFile(temporary, this.knownHosts(), { mode: 0o600 });
      await Deno.rename(temporary, path);
    } catch (error) {
      await Deno.remove(temporary).catch(() => {});
      throw error;
    }
  }
}
