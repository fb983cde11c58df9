import { Island } from "../framework/island.tsx";
import SettingsUsers from "../islands/settings_users.tsx";
import type { PortalSession } from "../lib/session.ts";
import type { User } from "../lib/settings_types.ts";
import { AdminOnly, SettingsShell } from "./settings.tsx";

/** Props of {@linkcode UsersSettingsPage}. */
export interface UsersSettingsPageProps {
  session: PortalSession;
  /** Null when the API refuses this role the list. */
  users: User[] | null;
  now: number;
}

/** `/settings/users`: people, their roles, adding and removing them (admins). */
export function UsersSettingsPage({ session, users, now }: UsersSettingsPageProps) {
  return (
    <SettingsShell session={session} tab="users">
      {users === null
        ? (
          <>
            <h2 class="settings-heading">Users</h2>
            <AdminOnly what="users and roles" />
          </>
        )
        : (
          <Island
            name="settings_users"
            component={SettingsUsers}
            props={{ users, me: session.username, now }}
          />
        )}
    </SettingsShell>
  );
}
