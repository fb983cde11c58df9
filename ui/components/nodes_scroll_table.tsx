import type { ComponentChildren } from "preact";

/**
 * A table that may scroll sideways on a phone: the scrolling box is a named,
 * focusable region, so keyboard users can scroll it too.
 */
export function ScrollTable({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
