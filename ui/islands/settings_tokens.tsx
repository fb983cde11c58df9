import { useSignal } from "@preact/signals";
import { useRef } from "preact/hooks";
import { ConfirmButton } from "../components/settings_confirm.tsx";
import { describedBy, SettingsField } from "../components/settings_field.tsx";
import { SecretOnce } from "../components/settings_secret.tsx";
import { api } from "../lib/api.ts";
import { ago, timestamp } from "../lib/format.ts";
import { focusFirstInvalid, formProblems } from "../lib/settings_errors.ts";
import type { ApiToken, CreatedApiToken } from "../lib/settings_types.ts";
import type { UserRole } from "../../lib/schemas/common.ts";

/** Props of {@linkcode SettingsTokens}. */
export interface SettingsTokensProps {
  tokens: ApiToken[];
  /** Server time of the render, so the first client render matches it. */
  now: number;
}

const ROLES: UserRole[] = ["viewer", "operator", "admin"];
const FIELDS = ["name", "role"] as const;

async function list(): Promise<ApiToken[]> {
  return (await api<{ tokens: ApiToken[] }>("GET", "/v1/tokens")).tokens;
}

/**
 * Bearer API tokens for scripts and `haloctl` (/v1/tokens): create — the
 * secret is shown once — and revoke.
 */
export default function SettingsTokens({ tokens: initial, now }: SettingsTokensProps) {
  const tokens = useSignal(initial);
  const created = useSignal<CreatedApiToken | null>(null);
  const message = useSignal<{ kind: "ok" | "bad"; text: string } | null>(null);
  const name = useSignal("");
  const role = useSignal<UserRole>("viewer");
  const errors = useSignal<Record<string, string>>({});
  const busy = useSignal(false);
  const form = useRef<HTMLFormElement>(null);

  async function create(event: Event) {
    event.preventDefault();
    busy.value = true;
    try {
      const token = await api<CreatedApiToken>("POST", "/v1/tokens", {
        name: name.value.trim(),
        role: role.value,
      });
      created.value = token;
      tokens.value = await list();
      errors.value = {};
      message.value = null;
      name.value = "";
    } catch (error) {
      const problems = formProblems(error, FIELDS);
      errors.value = problems.fields;
      message.value = { kind: "bad", text: problems.message };
      focusFirstInvalid(form.current);
    } finally {
      busy.value = false;
    }
  }

  async function revoke(token: ApiToken) {
    try {
      await api("DELETE", `/v1/tokens/${token.id}`);
      tokens.value = await list();
      if (created.value?.id === token.id) created.value = null;
      message.value = { kind: "ok", text: `Revoked ${token.name}: it no longer works.` };
    } catch (error) {
      message.value = { kind: "bad", text: formProblems(error, []).message };
    }
  }

  return (
    <>
      <section class="settings-list" aria-labelledby="tokens-h">
        <h2 id="tokens-h" class="settings-heading">API tokens</h2>
        <p class="muted">
          For scripts and <code>haloctl</code>: send as <code>Authorization: Bearer …</code>
          {". "}A token acts with its role; the gateway stores only a hash of it.
        </p>
        {created.value && (
          <SecretOnce
            title={`API token ${created.value.name} (${created.value.role})`}
            secret={created.value.token}
            hint="Store it in your password manager or the script's secret store."
            onDismiss={() => created.value = null}
          />
        )}
        <p class="settings-status" role="status">
          {message.value?.kind === "ok" ? message.value.text : ""}
        </p>
        {message.value?.kind === "bad" && (
          <p class="notice bad" role="alert">{message.value.text}</p>
        )}
        {tokens.value.length === 0
          ? <p class="empty">No API tokens yet.</p>
          : (
            <div class="table-wrap">
              <table class="settings-cards" data-testid="tokens-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">Starts with</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {tokens.value.map((t) => (
                    <tr key={t.id} data-token={t.name}>
                      <td data-label="Name">{t.name}</td>
                      <td data-label="Role">{t.role}</td>
                      <td data-label="Starts with">
                        <code>{t.prefix}…</code>
                      </td>
                      <td data-label="Created">
                        <span>
                          <time dateTime={t.created_at}>{timestamp(t.created_at)}</time>{" "}
                          <span class="muted">by {t.created_by}</span>
                        </span>
                      </td>
                      <td data-label="Last used">{ago(t.last_used_at, now)}</td>
                      <td data-label="Status">
                        {t.revoked_at ? <span class="badge offline">revoked</span> : (
                          <ConfirmButton
                            label="Revoke"
                            accessibleLabel={`Revoke API token ${t.name}`}
                            question={`Revoke ${t.name}?`}
                            confirmLabel="Yes, revoke"
                            onConfirm={() => revoke(t)}
                          />
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </section>
      <section class="panel" aria-labelledby="new-token-h">
        <h2 id="new-token-h">Create an API token</h2>
        <form class="stack" ref={form} onSubmit={create} noValidate>
          <SettingsField
            id="new-token-name"
            label="Name"
            error={errors.value.name}
            help="What uses it, e.g. backup-script"
          >
            <input
              id="new-token-name"
              autocomplete="off"
              value={name.value}
              onInput={(e) => name.value = (e.currentTarget as HTMLInputElement).value}
              {...describedBy("new-token-name", errors.value.name)}
            />
          </SettingsField>
          <SettingsField
            id="new-token-role"
            label="Role"
            error={errors.value.role}
            help="Give it the least role its job needs"
          >
            <select
              id="new-token-role"
              value={role.value}
              onChange={(e) =>
                role.value = (e.currentTarget as HTMLSelectElement).value as UserRole}
              {...describedBy("new-token-role", errors.value.role)}
            >
              {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </SettingsField>
          <div>
            <button type="submit" disabled={busy.value}>Create token</button>
          </div>
        </form>
      </section>
    </>
  );
}
