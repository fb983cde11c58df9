/**
 * The Flows visual builder: a palette of the step types in
 * `GET /v1/flows/metadata` (drag onto the canvas, or "Add" by keyboard), a
 * canvas where steps move and connect (drag from an output port, or "Connect
 * to…"), a form per step generated from its JSON Schema, and save, dry run
 * and trigger through the API, with the API's errors shown on the step and
 * field they name and a run's path highlighted on the canvas. Viewers get
 * the canvas read-only.
 *
 * The editor's state and every change to it are in `ui/lib/flow_editor.ts`;
 * this island keeps the state and wires the panels to it.
 */
import { useSignal } from "@preact/signals";
import { useMemo } from "preact/hooks";
import { FlowCanvas } from "../components/flow_canvas.tsx";
import { FlowPalette } from "../components/flow_palette.tsx";
import { FlowStepDetails } from "../components/flow_step_details.tsx";
import { FlowToolbar } from "../components/flow_toolbar.tsx";
import { api } from "../lib/api.ts";
import { type EditorAction, type EditorState, flowEditor, openFlow } from "../lib/flow_editor.ts";
import { flowRequests } from "../lib/flow_editor_requests.ts";
import type { FlowsMetadata, StoredFlow } from "../lib/flow_types.ts";

/** Props of {@linkcode FlowBuilder}. */
export interface FlowBuilderProps {
  metadata: FlowsMetadata;
  /** The flow as stored, or null for a new one. */
  flow: StoredFlow | null;
  /** Whether the user may change flows (operator and up); viewers get the canvas read-only. */
  canEdit: boolean;
  /** Said once on load ("Flow created"). */
  notice: string | null;
}

/** See the module comment. */
export default function FlowBuilder(props: FlowBuilderProps) {
  const { metadata, canEdit } = props;
  const flowId = props.flow?.id ?? null;
  const types = useMemo(
    () => Object.fromEntries(metadata.step_types.map((t) => [t.type, t])),
    [metadata],
  );
  const editor = useSignal<EditorState>(useMemo(() => openFlow(props.flow, props.notice), []));
  const focus = useSignal<string | null>(null);
  const edit = useMemo(() => flowEditor(types), [types]);

  const dispatch = (action: EditorAction) => {
    const next = edit(editor.value, action);
    // Keyboard users land on the step they just added.
    if (action.kind === "add" && next.steps.length > editor.value.steps.length) {
      focus.value = next.steps[next.steps.length - 1]!.id;
    }
    editor.value = next;
  };
  const requests = flowRequests(flowId, {
    api,
    state: () => editor.value,
    dispatch,
    navigate: (url) => location.assign(url),
  });
  const state = editor.value;

  return (
    <div class={`builder ${canEdit ? "editable" : "read-only"}`}>
      <FlowToolbar
        state={state}
        flowId={flowId}
        types={types}
        canEdit={canEdit}
        dispatch={dispatch}
        requests={requests}
      />
      {canEdit && (
        <FlowPalette
          stepTypes={metadata.step_types}
          onAdd={(type) => dispatch({ kind: "add", type })}
        />
      )}
      <FlowCanvas state={state} types={types} canEdit={canEdit} dispatch={dispatch} focus={focus} />
      <FlowStepDetails
        state={state}
        metadata={metadata}
        types={types}
        storedVariables={Object.keys(props.flow?.variables ?? {})}
        canEdit={canEdit}
        dispatch={dispatch}
      />
    </div>
  );
}
