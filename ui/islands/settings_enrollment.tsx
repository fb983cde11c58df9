import { useSignal } from "@preact/signals";
import { ConfirmButton } from "../components/settings_confirm.tsx";
import { FormStatus, SelectField, TextField } from "../components/settings_field.tsx";
import { SecretOnce } from "../components/settings_secret.tsx";
import { api } from "../lib/api.ts";
import { timestamp } from "../lib/format.ts";
import { useFormAction } from "../lib/form_action.ts";
import { formProblems } from "../lib/settings_errors.ts";
import type { CreatedJoinToken, JoinToken } from "../lib/settings_types.ts";

/** Props of {@linkcode SettingsEnrollment}. */
export interface SettingsEnrollmentProps {
  tokens: JoinToken[];
  /** Server time of the render, so the first client render matches it. */
  now: number;
}

const FIELDS = ["name", "expires_in_s", "max_uses"] as const;
/** Lifetimes offered, in seconds. */
const LIFETIMES = [
  { value: "3600", label: "1 hour" },
  { value: String(86400), label: "1 day" },
  { value: String(7 * 86400), label: "7 days" },
  { value: String(30 * 86400), label: "30 days" },
];

/** Whether a join token can still enroll a node, in words and as a badge class. */
function state(t: JoinToken, now: number): { text: string; badge: string; live: boolean } {
  if (t.revoked_at) return { text: "revoked", badge: "offline", live: false };
  if (Date.parse(t.expires_at) <= now) return { text: "expired", badge: "", live: false };
  if (t.uses >= t.max_uses) return { text: "used up", badge: "", live: false };
  return { text: "active", badge: "online", live: true };
}

async function list(): Promise<JoinToken[]> {
  return (await api<{ tokens: JoinToken[] }>("GET", "/v1/enrollment/tokens")).tokens;
}

/**
 * Join tokens for enrolling a batch of nodes (/v1/enrollment/tokens): create
 * with a lifetime and a number of uses — the secret is shown once — and revoke.
 */
export default function SettingsEnrollment({ tokens: initial, now }: SettingsEnrollmentProps) {
  const tokens = useSignal(initial);
  const created = useSignal<CreatedJoinToken | null>(null);
  const name = useSignal("");
  const lifetime = useSignal("86400");
  const maxUses = useSignal("1");
  const clock = useSignal(now);
  const { errors, message, busy, form, submit } = useFormAction(FIELDS);

  const create = submit(async () => {
    const token = await api<CreatedJoinToken>("POST", "/v1/enrollment/tokens", {
      name: name.value.trim(),
      expires_in_s: Number(lifetime.value),
      // An empty entry goes as null, so the API names the field.
      max_uses: maxUses.value.trim() === "" ? null : Number(maxUses.value),
    });
    created.value = token;
    tokens.value = await list();
    clock.value = Date.now();
    name.value = "";
    return null;
  });

  async function revoke(token: JoinToken) {
    try {
      await api("DELETE", `/v1/enrollment/tokens/${token.id}`);
      tokens.value = await list();
      if (created.value?.id === token.id) created.value = null;
      message.value = {
        kind: "ok",
        text: `Revoked ${token.name}: no more nodes can join with it.`,
      };
    } catch (error) {
      message.value = { kind: "bad", text: formProblems(error, []).message };
    }
  }

  return (
    <>
      <section class="settings-list" aria-labelledby="join-h">
        <h2 id="join-h" class="settings-heading">Enrollment tokens</h2>
        <p class="muted">
          A node joins the network by enrolling with a join token (<code>POST /v1/enroll</code>
          {"). "}One token can enroll a batch of nodes until it expires or is used up.
        </p>
        {created.value && (
          <SecretOnce
            title={`Join token ${created.value.name}`}
            secret={created.value.token}
            hint={`Valid until ${timestamp(created.value.expires_at)} UTC for ${
              created.value.max_uses === 1 ? "one node" : `${created.value.max_uses} nodes`
            }. Give it to whoever installs the nodes.`}
            onDismiss={() => created.value = null}
          />
        )}
        <FormStatus message={message.value} />
        {tokens.value.length === 0
          ? <p class="empty">No enrollment tokens yet.</p>
          : (
            <div class="table-wrap">
              <table class="settings-cards" data-testid="join-tokens-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Starts with</th>
                    <th scope="col" class="num">Uses</th>
                    <th scope="col">Expires (UTC)</th>
                    <th scope="col">Created</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {tokens.value.map((t) => {
                    const s = state(t, clock.value);
                    return (
                      <tr key={t.id} data-token={t.name}>
                        <td data-label="Name">{t.name}</td>
                        <td data-label="Starts with">
                          <code>{t.prefix}…</code>
                        </td>
                        <td data-label="Uses" class="num">{t.uses} of {t.max_uses}</td>
                        <td data-label="Expires (UTC)">
                          <time dateTime={t.expires_at}>{timestamp(t.expires_at)}</time>
                        </td>
                        <td data-label="Created">
                          <span>
                            <time dateTime={t.created_at}>{timestamp(t.created_at)}</time>{" "}
                            <span class="muted">by {t.created_by}</span>
                          </span>
                        </td>
                        <td data-label="Status" class="settings-cell-actions">
                          <span class={`badge ${s.badge}`}>{s.text}</span>
                          {s.live && (
                            <ConfirmButton
                              label="Revoke"
                              accessibleLabel={`Revoke join token ${t.name}`}
                              question={`Revoke ${t.name}?`}
                              confirmLabel="Yes, revoke"
                              onConfirm={() => revoke(t)}
                            />
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
      </section>
      <section class="panel" aria-labelledby="new-join-h">
        <h2 id="new-join-h">Create an enrollment token</h2>
        <form class="stack" ref={form} onSubmit={create} noValidate>
          <TextField
            id="new-join-name"
            label="Name"
            error={errors.value.name}
            help="The batch it is for, e.g. north-ridge-relays"
            value={name}
          />
          <SelectField
            id="new-join-ttl"
            label="Valid for"
            error={errors.value.expires_in_s}
            help="After this it enrolls nothing, used or not"
            value={lifetime}
            options={LIFETIMES}
          />
          <TextField
            id="new-join-uses"
            label="Nodes it may enroll"
            error={errors.value.max_uses}
            help="1–1000"
            type="number"
            range={{ min: 1, max: 1000, step: 1 }}
            value={maxUses}
          />
          <div>
            <button type="submit" disabled={busy.value}>Create enrollment token</button>
          </div>
        </form>
      </section>
    </>
  );
}
