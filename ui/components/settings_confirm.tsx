import { useSignal } from "@preact/signals";

/** Props of {@linkcode ConfirmButton}. */
export interface ConfirmButtonProps {
  /** The first button, e.g. "Delete". */
  label: string;
  /** Names the thing for screen readers, e.g. "Delete user alice". */
  accessibleLabel: string;
  /** The question asked before acting, e.g. "Delete alice?". */
  question: string;
  /** The confirming button, e.g. "Yes, delete". */
  confirmLabel: string;
  onConfirm: () => Promise<void> | void;
}

/**
 * A destructive action asked about in place (no `confirm()` dialog): the
 * first press shows the question with the confirming button focused.
 */
export function ConfirmButton(
  { label, accessibleLabel, question, confirmLabel, onConfirm }: ConfirmButtonProps,
) {
  const asking = useSignal(false);
  const busy = useSignal(false);
  if (!asking.value) {
    return (
      <button
        type="button"
        class="secondary"
        aria-label={accessibleLabel}
        onClick={() => asking.value = true}
      >
        {label}
      </button>
    );
  }
  return (
    <span class="settings-confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button
        type="button"
        class="danger"
        autoFocus
        disabled={busy.value}
        onClick={async () => {
          busy.value = true;
          try {
            await onConfirm();
          } finally {
            busy.value = false;
            asking.value = false;
          }
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" class="secondary" onClick={() => asking.value = false}>
        Cancel
      </button>
    </span>
  );
}
