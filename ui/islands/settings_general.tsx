import { useSignal } from "@preact/signals";
import { describedBy, SettingsField } from "../components/settings_field.tsx";
import { api } from "../lib/api.ts";
import { useFormAction } from "../lib/form_action.ts";
import type { SettingGroup, Settings } from "../lib/settings_types.ts";

/** Props of {@linkcode SettingsGeneral}. */
export interface SettingsGeneralProps {
  settings: Settings;
  groups: SettingGroup[];
}

type Values = Record<keyof Settings, string>;

function asValues(settings: Settings): Values {
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)])) as Values;
}

/**
 * The admin's form for the gateway's run-time settings: sends only what
 * changed (PATCH /v1/settings) and shows each refusal on the field the API names.
 */
export default function SettingsGeneral({ settings, groups }: SettingsGeneralProps) {
  const saved = useSignal(settings);
  const values = useSignal(asValues(settings));
  const keys = groups.flatMap((g) => g.fields.map((f) => f.key));
  const { errors, message: summary, busy, form, submit } = useFormAction(keys);

  const save = submit(async () => {
    const changes: Record<string, unknown> = {};
    for (const key of keys) {
      const text = values.value[key].trim();
      if (text === String(saved.value[key])) continue;
      // An empty or non-numeric entry goes as null, so the API names the field.
      changes[key] = key === "network_name" ? text : text === "" ? null : Number(text);
    }
    if (Object.keys(changes).length === 0) return "Nothing changed.";
    const updated = await api<Settings>("PATCH", "/v1/settings", changes);
    saved.value = updated;
    values.value = asValues(updated);
    return "Saved. The gateway uses the new settings now.";
  });

  return (
    <form class="settings-form" ref={form} onSubmit={save} noValidate>
      {groups.map((group) => (
        <fieldset class="panel" key={group.title}>
          <legend>{group.title}</legend>
          <div class="settings-fields">
            {group.fields.map((field) => {
              const id = `setting-${field.key}`;
              const error = errors.value[field.key];
              const bounds = field.min !== undefined && field.max !== undefined
                ? ` (${field.min}–${field.max} ${field.unit ?? ""})`
                : "";
              const common = {
                id,
                name: field.key,
                value: values.value[field.key],
                onInput: (e: Event) =>
                  values.value = {
                    ...values.value,
                    [field.key]: (e.currentTarget as HTMLInputElement).value,
                  },
                ...describedBy(id, error),
              };
              return (
                <SettingsField
                  key={field.key}
                  id={id}
                  label={field.unit ? `${field.label} (${field.unit})` : field.label}
                  error={error}
                  help={`${field.help}${bounds}`}
                >
                  {field.unit
                    ? <input type="number" step={1} {...common} />
                    : <input type="text" {...common} />}
                </SettingsField>
              );
            })}
          </div>
        </fieldset>
      ))}
      <div class="settings-actions">
        <button type="submit" disabled={busy.value}>
          {busy.value ? "Saving…" : "Save settings"}
        </button>
        <p class="settings-status" role="status">
          {summary.value?.kind === "ok" ? summary.value.text : ""}
        </p>
      </div>
      {summary.value?.kind === "bad" && <p class="notice bad" role="alert">{summary.value.text}</p>}
    </form>
  );
}
