import type { Signal } from "@preact/signals";
import type { ComponentChildren } from "preact";

/** Props of {@linkcode SettingsField}. */
export interface SettingsFieldProps {
  /** The input's id; its hint and error get ids derived from it. */
  id: string;
  label: string;
  /** What the API said is wrong with the value, if anything. */
  error?: string | undefined;
  /** A standing hint under the input. */
  help?: ComponentChildren;
  /** The control, given `aria-describedby`/`aria-invalid` through {@linkcode describedBy}. */
  children: ComponentChildren;
}

/**
 * A labelled control with its hint and its error below it. The label names
 * the control alone, so screen readers and tests find it by its label; the
 * hint and error are linked with `aria-describedby`.
 */
export function SettingsField({ id, label, error, help, children }: SettingsFieldProps) {
  return (
    <div class={error ? "settings-field invalid" : "settings-field"}>
      <label for={id}>{label}</label>
      {children}
      {help && <small class="muted" id={`${id}-help`}>{help}</small>}
      {error && <span class="field-error" id={`${id}-error`}>{error}</span>}
    </div>
  );
}

/** The ARIA attributes linking a control to its field's hint and error. */
export function describedBy(
  id: string,
  error: string | undefined,
  hasHelp = true,
): { "aria-describedby"?: string; "aria-invalid"?: "true" } {
  const ids = [hasHelp ? `${id}-help` : "", error ? `${id}-error` : ""].filter(Boolean);
  return {
    ...(ids.length ? { "aria-describedby": ids.join(" ") } : {}),
    ...(error ? { "aria-invalid": "true" as const } : {}),
  };
}

/** Props of {@linkcode TextField}. */
export interface TextFieldProps {
  id: string;
  label: string;
  /** What the API said is wrong with the value, if anything. */
  error?: string | undefined;
  help?: ComponentChildren;
  /** The value, two-way. */
  value: Signal<string>;
  type?: "password" | "number";
  autocomplete?: string;
  /** For `type: "number"`: the range the browser offers. */
  range?: { min: number; max: number; step: number };
}

/** A {@linkcode SettingsField} holding a text (or password, or number) input bound to a signal. */
export function TextField(
  { id, label, error, help, value, type, autocomplete = "off", range }: TextFieldProps,
) {
  return (
    <SettingsField id={id} label={label} error={error} help={help}>
      <input
        id={id}
        {...(type ? { type } : {})}
        autocomplete={autocomplete}
        {...range}
        value={value.value}
        onInput={(e) => value.value = (e.currentTarget as HTMLInputElement).value}
        {...describedBy(id, error, help !== undefined)}
      />
    </SettingsField>
  );
}

/** Props of {@linkcode SelectField}. */
export interface SelectFieldProps<T extends string> {
  id: string;
  label: string;
  error?: string | undefined;
  help?: ComponentChildren;
  /** The chosen option's value, two-way. */
  value: Signal<T>;
  options: readonly { value: T; label: string }[];
}

/** A {@linkcode SettingsField} holding a select bound to a signal. */
export function SelectField<T extends string>(
  { id, label, error, help, value, options }: SelectFieldProps<T>,
) {
  return (
    <SettingsField id={id} label={label} error={error} help={help}>
      <select
        id={id}
        value={value.value}
        onChange={(e) => value.value = (e.currentTarget as HTMLSelectElement).value as T}
        {...describedBy(id, error, help !== undefined)}
      >
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    </SettingsField>
  );
}

/** An outcome to tell the user: a success (announced politely) or a problem (an alert). */
export interface FormMessage {
  kind: "ok" | "bad";
  text: string;
}

/**
 * Where a form or list says how an action went: a live status line for
 * successes (kept in the page so screen readers announce changes) and an
 * alert for problems.
 */
export function FormStatus({ message }: { message: FormMessage | null }) {
  return (
    <>
      <p class="settings-status" role="status">{message?.kind === "ok" ? message.text : ""}</p>
      {message?.kind === "bad" && <p class="notice bad" role="alert">{message.text}</p>}
    </>
  );
}
