/**
 * The Flows builder's palette: the step types by kind, each dragged onto
 * the canvas or added with its button (the keyboard's way).
 */
import type { StepTypeMeta } from "../lib/flow_types.ts";

/** The drag-and-drop type that carries a step type from the palette to the canvas. */
export const DRAG_TYPE = "application/x-halo-step";

const HEADINGS = { trigger: "Triggers", condition: "Conditions", action: "Actions" } as const;

/** Props of {@linkcode FlowPalette}. */
export interface FlowPaletteProps {
  stepTypes: readonly StepTypeMeta[];
  /** Adds a step of this type where there is room. */
  onAdd: (type: string) => void;
}

/** See the module comment. */
export function FlowPalette({ stepTypes, onAdd }: FlowPaletteProps) {
  return (
    <section class="panel palette" aria-labelledby="palette-h">
      <h2 id="palette-h">Steps</h2>
      <p class="muted palette-help">
        Drag a step onto the canvas, or add it with its button.
      </p>
      {(["trigger", "condition", "action"] as const).map((kind) => (
        <div class="palette-group" key={kind}>
          <h3>{HEADINGS[kind]}</h3>
          <ul>
            {stepTypes.filter((t) =>
              t.kind === kind
            ).map((t) => (
              <li
                key={t.type}
                class={`palette-item kind-${kind}`}
                draggable
                title={t.description}
                data-testid={`palette-${t.type}`}
                onDragStart={(e) => {
                  e.dataTransfer?.setData(DRAG_TYPE, t.type);
                  if (e.dataTransfer) e.dataTransfer.effectAllowed = "copy";
                }}
              >
                <span class="grip" aria-hidden="true">⠿</span>
                <span class="palette-label">{t.label}</span>
                <button
                  type="button"
                  class="secondary small"
                  onClick={() =>
                    onAdd(t.type)}
                >
                  Add<span class="sr-only">{` ${t.label}`}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
