import { useSignal } from "@preact/signals";
import { FormStatus, SelectField } from "../components/settings_field.tsx";
import { SecretOnce } from "../components/settings_secret.tsx";
import { api } from "../lib/api.ts";
import { timestamp } from "../lib/format.ts";
import { useFormAction } from "../lib/form_action.ts";
import type { CreatedJoinToken } from "../lib/settings_types.ts";

/** Props of {@linkcode NodeReplacement}. */
export interface NodeReplacementProps {
  nodeId: string;
  nodeName: string;
}

const FIELDS = ["expires_in_s"] as const;
/** Lifetimes offered, in seconds (the API allows up to 7 days). */
const LIFETIMES = [
  { value: "3600", label: "1 hour" },
  { value: String(86400), label: "1 day" },
  { value: String(7 * 86400), label: "7 days" },
];

/**
 * An admin's approval to re-enroll this node on a re-flashed board or new
 * hardware (`POST /v1/nodes/{id}/replacement-token`): the token's secret is
 * shown once.
 */
export default function NodeReplacement({ nodeId, nodeName }: NodeReplacementProps) {
  const created = useSignal<CreatedJoinToken | null>(null);
  const lifetime = useSignal("86400");
  const { errors, message, busy, form, submit } = useFormAction(FIELDS);

  const create = submit(async () => {
    created.value = await api<CreatedJoinToken>(
      "POST",
      `/v1/nodes/${encodeURIComponent(nodeId)}/replacement-token`,
      { expires_in_s: Number(lifetime.value) },
    );
    return null;
  });

  return (
    <section class="panel" aria-labelledby="replace-h">
      <h2 id="replace-h">Re-flash or replace the hardware</h2>
      <p class="muted">
        A re-flashed board has lost its agent token and new hardware has none, so enrolling them as
        {" "}
        {nodeName}{" "}
        needs your approval: a replacement token. It enrolls one device once as this node, which
        takes that device's hardware identity; the node's current agent token stops working.
        Creating one revokes any earlier unused one.
      </p>
      {created.value && (
        <SecretOnce
          title={`Replacement token for ${nodeName}`}
          secret={created.value.token}
          hint={`Valid until ${
            timestamp(created.value.expires_at)
          } UTC for one enrollment as ${nodeName}. The device enrolls with it as its join token.`}
          onDismiss={() => created.value = null}
        />
      )}
      <FormStatus message={message.value} />
      <form class="stack" ref={form} onSubmit={create} noValidate>
        <SelectField
          id="replace-ttl"
          label="Valid for"
          error={errors.value.expires_in_s}
          help="After this it enrolls nothing, used or not"
          value={lifetime}
          options={LIFETIMES}
        />
        <div>
          <button type="submit" disabled={busy.value}>Create replacement token</button>
        </div>
      </form>
    </section>
  );
}
