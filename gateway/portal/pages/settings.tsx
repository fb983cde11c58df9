import type { Hono } from "hono";
import type { AppEnv } from "../../api/context.ts";
import { GeneralSettingsPage } from "../../../ui/pages/settings.tsx";
import { EnrollmentSettingsPage } from "../../../ui/pages/settings_enrollment.tsx";
import { I2cSettingsPage } from "../../../ui/pages/settings_i2c.tsx";
import { MeshesSettingsPage } from "../../../ui/pages/settings_meshes.tsx";
import { TokensSettingsPage } from "../../../ui/pages/settings_tokens.tsx";
import { UsersSettingsPage } from "../../../ui/pages/settings_users.tsx";
import { SETTING_GROUPS } from "../../../ui/lib/settings_fields.ts";
import type { ApiToken, JoinToken, Mesh, Settings, User } from "../../../ui/lib/settings_types.ts";
import { type PortalApi, PortalApiError } from "../api_bridge.ts";
import { definePage, type PortalContext } from "../page_route.tsx";

/**
 * Reads `path`, or null when the API refuses the caller's role (403): the
 * page then says the section is for admins instead of showing an error.
 */
async function readUnlessRefused<T>(api: PortalApi, path: string): Promise<T | null> {
  try {
    return await api.get<T>(path);
  } catch (error) {
    if (error instanceof PortalApiError && error.status === 403) return null;
    throw error;
  }
}

/** `/settings` and its sub-pages: gateway settings, users, tokens, meshes, I2C templates. */
export function registerSettings(app: Hono<AppEnv>, ctx: PortalContext): void {
  definePage(app, ctx, "/settings", "settings", async ({ api, session }) => {
    const settings = await api.get<Settings>("/v1/settings");
    return {
      title: "Settings",
      body: <GeneralSettingsPage session={session} settings={settings} groups={SETTING_GROUPS} />,
    };
  });

  definePage(app, ctx, "/settings/users", "settings", async ({ api, session, deps }) => {
    const body = await readUnlessRefused<{ users: User[] }>(api, "/v1/users");
    return {
      title: "Users · Settings",
      body: (
        <UsersSettingsPage session={session} users={body?.users ?? null} now={deps.clock.now()} />
      ),
    };
  });

  definePage(app, ctx, "/settings/tokens", "settings", async ({ api, session, deps }) => {
    const body = await readUnlessRefused<{ tokens: ApiToken[] }>(api, "/v1/tokens");
    return {
      title: "API tokens · Settings",
      body: (
        <TokensSettingsPage
          session={session}
          tokens={body?.tokens ?? null}
          now={deps.clock.now()}
        />
      ),
    };
  });

  definePage(app, ctx, "/settings/enrollment", "settings", async ({ api, session, deps }) => {
    const body = await readUnlessRefused<{ tokens: JoinToken[] }>(api, "/v1/enrollment/tokens");
    return {
      title: "Enrollment tokens · Settings",
      body: (
        <EnrollmentSettingsPage
          session={session}
          tokens={body?.tokens ?? null}
          now={deps.clock.now()}
        />
      ),
    };
  });

  definePage(app, ctx, "/settings/meshes", "settings", async ({ api, session }) => {
    const { meshes } = await api.get<{ meshes: Mesh[] }>("/v1/meshes");
    return {
      title: "Meshes · Settings",
      body: <MeshesSettingsPage session={session} meshes={meshes} />,
    };
  });

  definePage(app, ctx, "/settings/i2c", "settings", ({ session }) => ({
    title: "I2C templates · Settings",
    body: <I2cSettingsPage session={session} />,
  }));
}
