import { useSignal } from "@preact/signals";
import { useRef } from "preact/hooks";
import { describedBy, SettingsField } from "../components/settings_field.tsx";
import { api } from "../lib/api.ts";
import { focusFirstInvalid, formProblems } from "../lib/settings_errors.ts";

const FIELDS = ["current_password", "new_password", "confirm_password"] as const;
type Values = Record<typeof FIELDS[number], string>;
const EMPTY: Values = { current_password: "", new_password: "", confirm_password: "" };

/** Props of {@linkcode AccountPassword}. */
export interface AccountPasswordProps {
  /** The password was set by an admin: the portal holds every other page until it changes. */
  required: boolean;
}

/**
 * Changes the signed-in user's password (POST /v1/auth/password) and shows
 * the API's refusals on the fields it names. The API ends every other
 * session of the user; this one stays.
 */
export default function AccountPassword({ required }: AccountPasswordProps) {
  const values = useSignal<Values>({ ...EMPTY });
  const errors = useSignal<Record<string, string>>({});
  const summary = useSignal<{ kind: "ok" | "bad"; text: string } | null>(null);
  const busy = useSignal(false);
  const done = useSignal(false);
  const form = useRef<HTMLFormElement>(null);

  async function submit(event: Event) {
    event.preventDefault();
    const v = values.value;
    if (v.new_password !== v.confirm_password) {
      errors.value = { confirm_password: "does not match the new password" };
      summary.value = { kind: "bad", text: "Type the new password twice, the same both times." };
      focusFirstInvalid(form.current);
      return;
    }
    busy.value = true;
    try {
      await api("POST", "/v1/auth/password", {
        current_password: v.current_password,
        new_password: v.new_password,
      });
      values.value = { ...EMPTY };
      errors.value = {};
      summary.value = {
        kind: "ok",
        text: "Password changed. Your other sessions have been logged out; this one stays.",
      };
      done.value = true;
    } catch (error) {
      const problems = formProblems(error, FIELDS);
      errors.value = problems.fields;
      summary.value = { kind: "bad", text: problems.message };
      focusFirstInvalid(form.current);
    } finally {
      busy.value = false;
    }
  }

  const field = (
    name: typeof FIELDS[number],
    label: string,
    autocomplete: string,
    help?: string,
  ) => {
    const id = `account-${name}`;
    const error = errors.value[name];
    return (
      <SettingsField id={id} label={label} error={error} help={help}>
        <input
          id={id}
          type="password"
          autocomplete={autocomplete}
          value={values.value[name]}
          onInput={(e) =>
            values.value = { ...values.value, [name]: (e.currentTarget as HTMLInputElement).value }}
          {...describedBy(id, error, help !== undefined)}
        />
      </SettingsField>
    );
  };

  return (
    <form class="stack" ref={form} onSubmit={submit} noValidate>
      {field("current_password", "Current password", "current-password")}
      {field("new_password", "New password", "new-password", "At least 12 characters")}
      {field("confirm_password", "New password again", "new-password")}
      <div>
        <button type="submit" disabled={busy.value}>Change password</button>
      </div>
      <p class="settings-status" role="status">
        {summary.value?.kind === "ok" ? summary.value.text : ""}
        {required && done.value && (
          <>
            {" "}
            <a href="/">Continue to the overview</a>
          </>
        )}
      </p>
      {summary.value?.kind === "bad" && <p class="notice bad" role="alert">{summary.value.text}</p>}
    </form>
  );
}
