/** The Settings sub-pages, in order. */
export const SETTINGS_TABS = [
  { id: "general", href: "/settings", label: "Gateway & retention" },
  { id: "users", href: "/settings/users", label: "Users" },
  { id: "tokens", href: "/settings/tokens", label: "API tokens" },
  { id: "enrollment", href: "/settings/enrollment", label: "Enrollment tokens" },
  { id: "meshes", href: "/settings/meshes", label: "Meshes" },
  { id: "i2c", href: "/settings/i2c", label: "I2C templates" },
] as const;

/** A Settings sub-page id. */
export type SettingsTab = typeof SETTINGS_TABS[number]["id"];

/** Links between the Settings sub-pages; plain links, so they work without JavaScript. */
export function SettingsTabs({ active }: { active: SettingsTab }) {
  return (
    <nav class="settings-tabs" aria-label="Settings">
      <ul>
        {SETTINGS_TABS.map((t) => (
          <li key={t.id}>
            <a href={t.href} aria-current={t.id === active ? "page" : undefined}>{t.label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
