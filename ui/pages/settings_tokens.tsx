import { Island } from "../framework/island.tsx";
import SettingsTokens from "../islands/settings_tokens.tsx";
import type { PortalSession } from "../lib/session.ts";
import type { ApiToken } from "../lib/settings_types.ts";
import { AdminOnly, SettingsShell } from "./settings.tsx";

/** Props of {@linkcode TokensSettingsPage}. */
export interface TokensSettingsPageProps {
  session: PortalSession;
  /** Null when the API refuses this role the list. */
  tokens: ApiToken[] | null;
  now: number;
}

/** `/settings/tokens`: bearer API tokens (admins). */
export function TokensSettingsPage({ session, tokens, now }: TokensSettingsPageProps) {
  return (
    <SettingsShell session={session} tab="tokens">
      {tokens === null
        ? (
          <>
            <h2 class="settings-heading">API tokens</h2>
            <AdminOnly what="API tokens" />
          </>
        )
        : <Island name="settings_tokens" component={SettingsTokens} props={{ tokens, now }} />}
    </SettingsShell>
  );
}
