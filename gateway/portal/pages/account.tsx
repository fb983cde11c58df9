import type { Hono } from "hono";
import type { AppEnv } from "../../api/context.ts";
import { AccountPage } from "../../../ui/pages/account.tsx";
import type { Principal } from "../../../ui/lib/settings_types.ts";
import { definePage, type PortalContext } from "../page_route.tsx";

/** `/account`: the signed-in user's own account. */
export function registerAccount(app: Hono<AppEnv>, ctx: PortalContext): void {
  definePage(app, ctx, "/account", "account", async ({ api, session }) => {
    const me = await api.get<Principal>("/v1/auth/me");
    // The portal only serves people with a session, so /auth/me names a user.
    return { title: "Your account", body: <AccountPage session={session} user={me.user!} /> };
  });
}
