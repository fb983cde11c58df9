import { useSignal } from "@preact/signals";
import { ConfirmButton } from "../components/settings_confirm.tsx";
import { FormStatus, SelectField, TextField } from "../components/settings_field.tsx";
import { SecretOnce } from "../components/settings_secret.tsx";
import { api } from "../lib/api.ts";
import { ago, timestamp } from "../lib/format.ts";
import { useFormAction } from "../lib/form_action.ts";
import { formProblems } from "../lib/settings_errors.ts";
import type { ApiToken, CreatedApiToken } from "../lib/settings_types.ts";
import type { UserRole } from "../../lib/schemas/common.ts";

/** Props of {@linkcode SettingsTokens}. */
export interface SettingsTokensProps {
  tokens: ApiToken[];
  /** Server time of the render, so the first client render matches it. */
  now: number;
}

const ROLE_OPTIONS = (["viewer", "operator", "admin"] as const).map((r) => ({
  value: r,
  label: r,
}));
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
  const name = useSignal("");
  const role = useSignal<UserRole>("viewer");
  const { errors, message, busy, form, submit } = useFormAction(FIELDS);

  const create = submit(async () => {
    const token = await api<CreatedApiToken>("POST", "/v1/tokens", {
      name: name.value.trim(),
      role: role.value,
    });
    created.value = token;
    tokens.value = await list();
    name.value = "";
    return null;
  });

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
        <FormStatus message={message.value} />
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
          <TextField
            id="new-token-name"
            label="Name"
            error={errors.value.name}
            help="What uses it, e.g. backup-script"
            value={name}
          />
          <SelectField
            id="new-token-role"
            label="Role"
            error={errors.value.role}
            help="Give it the least role its job needs"
            value={role}
            options={ROLE_OPTIONS}
          />
          <div>
            <button type="submit" disabled={busy.value}>Create token</button>
          </div>
        </form>
      </section>
    </>
  );
}
