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
