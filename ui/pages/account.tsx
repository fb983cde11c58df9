import { Layout } from "../components/layout.tsx";
import { Island } from "../framework/island.tsx";
import AccountPassword from "../islands/account_password.tsx";
import { timestamp } from "../lib/format.ts";
import type { PortalSession } from "../lib/session.ts";
import type { User } from "../lib/settings_types.ts";
import type { UserRole } from "../../lib/schemas/common.ts";

/** What each role may do, in the words the account page uses. */
const ROLE_MEANS: Record<UserRole, string> = {
  viewer: "You can see everything, and change nothing.",
  operator: "You can see everything, edit and run flows, and handle alerts and silences.",
  admin: "You can change everything: settings, users, tokens and meshes included.",
};

/** Props of {@linkcode AccountPage}. */
export interface AccountPageProps {
  session: PortalSession;
  user: User;
}

/** `/account`: who you are, your role, changing your password, logging out. */
export function AccountPage({ session, user }: AccountPageProps) {
  return (
    <Layout session={session} active="account" title="Your account">
      {user.must_change_password && (
        <p class="notice warn" role="alert" data-testid="must-change">
          An admin set your password: change it now to one only you know.
        </p>
      )}
      <div class="grid">
        <section class="panel" aria-labelledby="who-h">
          <h2 id="who-h">Who you are</h2>
          <dl class="facts" data-testid="account-facts">
            <dt>Username</dt>
            <dd>{user.username}</dd>
            <dt>Role</dt>
            <dd>
              <span class="badge info">{user.role}</span>
            </dd>
            <dt>Account created</dt>
            <dd>
              <time dateTime={user.created_at}>{timestamp(user.created_at)}</time>
            </dd>
            <dt>Last login</dt>
            <dd>{user.last_login_at ? timestamp(user.last_login_at) : "never"}</dd>
          </dl>
          <p>{ROLE_MEANS[user.role]}</p>
          <form method="post" action="/logout">
            <input type="hidden" name="_csrf" value={session.csrfToken} />
            <button type="submit" class="secondary">Log out</button>
          </form>
        </section>
        <section class="panel" aria-labelledby="pw-h">
          <h2 id="pw-h">Change password</h2>
          <p class="muted">
            Changing it logs you out of every other browser and device; this session stays.
          </p>
          <Island
            name="account_password"
            component={AccountPassword}
            props={{ required: user.must_change_password }}
          />
        </section>
      </div>
    </Layout>
  );
}
