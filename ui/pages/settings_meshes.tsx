import { MeshTable } from "../components/settings_mesh_table.tsx";
import { Island } from "../framework/island.tsx";
import SettingsMeshes from "../islands/settings_meshes.tsx";
import { can, type PortalSession } from "../lib/session.ts";
import type { Mesh } from "../lib/settings_types.ts";
import { SettingsShell } from "./settings.tsx";

/** Props of {@linkcode MeshesSettingsPage}. */
export interface MeshesSettingsPageProps {
  session: PortalSession;
  meshes: Mesh[];
}

/** `/settings/meshes`: mesh profiles; everyone reads them, admins change them. */
export function MeshesSettingsPage({ session, meshes }: MeshesSettingsPageProps) {
  return (
    <SettingsShell session={session} tab="meshes">
      <h2 class="settings-heading">Meshes</h2>
      <p class="muted">
        Each mesh is an SSID, a HaLow channel and a PSK its nodes join with. The PSK is write-only:
        the gateway never shows it, here or in the API.
      </p>
      {can(session, "admin")
        ? <Island name="settings_meshes" component={SettingsMeshes} props={{ meshes }} />
        : (
          <>
            <div class="settings-list">
              <MeshTable meshes={meshes} />
            </div>
            <p class="muted">Only admins add or change meshes.</p>
          </>
        )}
    </SettingsShell>
  );
}
