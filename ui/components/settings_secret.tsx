import { useSignal } from "@preact/signals";

/** Props of {@linkcode SecretOnce}. */
export interface SecretOnceProps {
  /** What the secret is, e.g. "API token ci-deploy". */
  title: string;
  secret: string;
  /** How to use it, under the secret. */
  hint: string;
  onDismiss: () => void;
}

/**
 * A freshly created secret, shown this once: it lives only in the island's
 * memory, so a reload or leaving the page loses it for good.
 */
export function SecretOnce({ title, secret, hint, onDismiss }: SecretOnceProps) {
  const copied = useSignal<"" | "copied" | "failed">("");
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      copied.value = "copied";
    } catch {
      copied.value = "failed";
    }
  }
  return (
    <section class="notice warn settings-secret" aria-labelledby="secret-once-h">
      <h3 id="secret-once-h">{title}</h3>
      <p>
        <strong>Copy it now: it is shown only this once.</strong>{" "}
        The gateway keeps only a hash; if it is lost, revoke it and create another.
      </p>
      <div class="settings-secret-row">
        <label class="settings-sr" for="secret-once-value">Secret</label>
        <input
          id="secret-once-value"
          class="mono"
          readOnly
          value={secret}
          data-testid="secret-once"
          onFocus={(e) => (e.currentTarget as HTMLInputElement).select()}
        />
        <button type="button" onClick={copy}>Copy</button>
        <button type="button" class="secondary" onClick={onDismiss}>Done</button>
      </div>
      <p class="muted" role="status">
        {copied.value === "copied"
          ? "Copied to the clipboard."
          : copied.value === "failed"
          ? "Copying is not allowed here: select the text and copy it yourself."
          : hint}
      </p>
    </section>
  );
}
