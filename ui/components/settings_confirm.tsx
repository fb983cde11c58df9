import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";

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
 * first press shows the question with the confirming button focused;
 * Cancel puts focus back on the first button.
 */
export function ConfirmButton(
  { label, accessibleLabel, question, confirmLabel, onConfirm }: ConfirmButtonProps,
) {
  const asking = useSignal(false);
  const busy = useSignal(false);
  const confirm = useRef<HTMLButtonElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  // Only a change of `asking` moves focus, not the first render.
  const moved = useRef(false);
  useEffect(() => {
    if (!moved.current) return;
    (asking.value ? confirm : trigger).current?.focus();
  }, [asking.value]);
  const ask = (value: boolean) => {
    moved.current = true;
    asking.value = value;
  };

  if (!asking.value) {
    return (
      <button
        type="button"
        class="secondary"
        ref={trigger}
        aria-label={accessibleLabel}
        onClick={() => ask(true)}
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
        ref={confirm}
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
      <button type="button" class="secondary" onClick={() => ask(false)}>
        Cancel
      </button>
    </span>
  );
}
