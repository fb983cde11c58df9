import type { PortalSession } from "../lib/session.ts";
import { SettingsShell } from "./settings.tsx";

/**
 * `/settings/i2c`: the place for I2C sensor templates. The gateway stores
 * none yet (the halo-agent work on the roadmap brings them), so it says so.
 */
export function I2cSettingsPage({ session }: { session: PortalSession }) {
  return (
    <SettingsShell session={session} tab="i2c">
      <h2 class="settings-heading">I2C templates</h2>
      <p class="empty" data-testid="i2c-empty">No I2C templates are configured yet.</p>
      <section class="panel" aria-labelledby="i2c-next-h">
        <h3 id="i2c-next-h">What will come here</h3>
        <p>
          I2C templates describe a sensor on a node's I2C bus — its address, the registers to read
          and how to turn them into metrics — as TOML files. The gateway will push them to each
          node's <code>halo-agent</code>, which also brings built-in support for common sensors.
        </p>
        <p class="muted">
          That arrives with the halo-agent work on the roadmap; until then there is nothing to set
          up here.
        </p>
      </section>
    </SettingsShell>
  );
}
