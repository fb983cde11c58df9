import { timestamp } from "../lib/format.ts";
import type { Mesh } from "../lib/settings_types.ts";

/** Props of {@linkcode MeshTable}. */
export interface MeshTableProps {
  meshes: Mesh[];
  /** Offers an Edit button per mesh (admins); without it the table is read-only. */
  onEdit?: (mesh: Mesh) => void;
}

/** The meshes as a table; whether a PSK is set, never the PSK. */
export function MeshTable({ meshes, onEdit }: MeshTableProps) {
  if (meshes.length === 0) return <p class="empty">No meshes configured yet.</p>;
  return (
    <div class="table-wrap">
      <table class="settings-cards" data-testid="meshes-table">
        <thead>
          <tr>
            <th scope="col">SSID</th>
            <th scope="col" class="num">Channel</th>
            <th scope="col">Description</th>
            <th scope="col">PSK</th>
            <th scope="col" class="num">Nodes</th>
            <th scope="col">Changed (UTC)</th>
            {onEdit && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {meshes.map((m) => (
            <tr key={m.id} data-mesh={m.ssid}>
              <td data-label="SSID">
                <code>{m.ssid}</code>
              </td>
              <td data-label="Channel" class="num">{m.channel}</td>
              <td data-label="Description">{m.description || <span class="muted">—</span>}</td>
              <td data-label="PSK">
                {m.psk_set ? "set" : <span class="badge warning">not set</span>}
              </td>
              <td data-label="Nodes" class="num">{m.node_count}</td>
              <td data-label="Changed (UTC)">
                <time dateTime={m.updated_at}>{timestamp(m.updated_at)}</time>
              </td>
              {onEdit && (
                <td data-label="Actions">
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`Edit mesh ${m.ssid}`}
                    onClick={() => onEdit(m)}
                  >
                    Edit
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
