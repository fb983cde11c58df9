import { type ComponentChildren, Fragment } from "preact";
import { Layout } from "../components/layout.tsx";
import { type SettingsTab, SettingsTabs } from "../components/settings_tabs.tsx";
import { Island } from "../framework/island.tsx";
import SettingsGeneral from "../islands/settings_general.tsx";
import { can, type PortalSession } from "../lib/session.ts";
import type { SettingGroup, Settings } from "../lib/settings_types.ts";

/** Props of {@linkcode SettingsShell}. */
export interface SettingsShellProps {
  session: PortalSession;
  tab: SettingsTab;
  children: ComponentChildren;
}

/** Every Settings sub-page: the section layout and the links between sub-pages. */
export function SettingsShell({ session, tab, children }: SettingsShellProps) {
  return (
    <Layout session={session} active="settings" title="Settings">
      <SettingsTabs active={tab} />
      {children}
    </Layout>
  );
}

/** A section the API does not show this role: said plainly, not as an error. */
export function AdminOnly({ what }: { what: string }) {
  return (
    <p class="notice" data-testid="admin-only">
      Only admins can see {what}. Ask an admin if you need one.
    </p>
  );
}

/** Props of {@linkcode GeneralSettingsPage}. */
export interface GeneralSettingsPageProps {
  session: PortalSession;
  settings: Settings;
  groups: SettingGroup[];
}

/** `/settings`: report interval, offline threshold, retention and flow history. */
export function GeneralSettingsPage({ session, settings, groups }: GeneralSettingsPageProps) {
  return (
    <SettingsShell session={session} tab="general">
      <h2 class="settings-heading">Gateway &amp; retention</h2>
      {can(session, "admin")
        ? (
          <Island
            name="settings_general"
            component={SettingsGeneral}
            props={{ settings, groups }}
          />
        )
        : (
          <>
            <p class="muted">Only admins change these settings.</p>
            {groups.map((group) => (
              <section class="panel" key={group.title} aria-label={group.title}>
                <h3>{group.title}</h3>
                <dl class="facts">
                  {group.fields.map((field) => (
                    <Fragment key={field.key}>
                      <dt>{field.label}</dt>
                      <dd data-setting={field.key}>
                        {settings[field.key]}
                        {field.unit ? ` ${field.unit}` : ""}
                      </dd>
                    </Fragment>
                  ))}
                </dl>
              </section>
            ))}
          </>
        )}
    </SettingsShell>
  );
}
