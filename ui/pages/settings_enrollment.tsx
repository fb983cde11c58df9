import { Island } from "../framework/island.tsx";
import SettingsEnrollment from "../islands/settings_enrollment.tsx";
import type { PortalSession } from "../lib/session.ts";
import type { JoinToken } from "../lib/settings_types.ts";
import { AdminOnly, SettingsShell } from "./settings.tsx";

/** Props of {@linkcode EnrollmentSettingsPage}. */
export interface EnrollmentSettingsPageProps {
  session: PortalSession;
  /** Null when the API refuses this role the list. */
  tokens: JoinToken[] | null;
  now: number;
}

/** `/settings/enrollment`: join tokens nodes enroll with (admins). */
export function EnrollmentSettingsPage({ session, tokens, now }: EnrollmentSettingsPageProps) {
  return (
    <SettingsShell session={session} tab="enrollment">
      {tokens === null
        ? (
          <>
            <h2 class="settings-heading">Enrollment tokens</h2>
            <AdminOnly what="enrollment tokens" />
          </>
        )
        : (
          <Island
            name="settings_enrollment"
            component={SettingsEnrollment}
            props={{ tokens, now }}
          />
        )}
    </SettingsShell>
  );
}
