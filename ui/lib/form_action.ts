/**
 * The submit cycle of a settings form: busy while the request runs, the
 * API's refusal placed on the fields it names (focus moves to the first),
 * and a message for the user.
 */
import { type Signal, useSignal } from "@preact/signals";
import type { RefObject } from "preact";
import { useRef } from "preact/hooks";
import type { FormMessage } from "../components/settings_field.tsx";
import { focusFirstInvalid, formProblems } from "./settings_errors.ts";

/** What {@linkcode useFormAction} gives a form. */
export interface FormAction {
  /** Field name → what the API said is wrong with it. */
  errors: Signal<Record<string, string>>;
  message: Signal<FormMessage | null>;
  busy: Signal<boolean>;
  form: RefObject<HTMLFormElement | null>;
  /**
   * The form's submit handler around `action`, which returns the success
   * message to show (or null for none).
   */
  submit(action: () => Promise<string | null>): (event: Event) => Promise<void>;
}

/** A form's submit cycle; `fields` are the API field names the form shows. */
export function useFormAction(fields: readonly string[]): FormAction {
  const errors = useSignal<Record<string, string>>({});
  const message = useSignal<FormMessage | null>(null);
  const busy = useSignal(false);
  const form = useRef<HTMLFormElement>(null);
  return {
    errors,
    message,
    busy,
    form,
    submit: (action) => async (event) => {
      event.preventDefault();
      busy.value = true;
      try {
        const done = await action();
        errors.value = {};
        message.value = done === null ? null : { kind: "ok", text: done };
      } catch (error) {
        const problems = formProblems(error, fields);
        errors.value = problems.fields;
        message.value = { kind: "bad", text: problems.message };
        focusFirstInvalid(form.current);
      } finally {
        busy.value = false;
      }
    },
  };
}
