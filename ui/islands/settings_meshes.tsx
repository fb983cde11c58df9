import { type Signal, useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { describedBy, SettingsField } from "../components/settings_field.tsx";
import { MeshTable } from "../components/settings_mesh_table.tsx";
import { api } from "../lib/api.ts";
import { focusFirstInvalid, formProblems } from "../lib/settings_errors.ts";
import type { Mesh } from "../lib/settings_types.ts";

/** Props of {@linkcode SettingsMeshes}. */
export interface SettingsMeshesProps {
  meshes: Mesh[];
}

const FIELDS = ["ssid", "channel", "psk", "description"] as const;
type Draft = Record<typeof FIELDS[number], string>;
const EMPTY: Draft = { ssid: "", channel: "", psk: "", description: "" };

async function list(): Promise<Mesh[]> {
  return (await api<{ meshes: Mesh[] }>("GET", "/v1/meshes")).meshes;
}

/**
 * Mesh profiles for admins (/v1/meshes): create and edit. The PSK is
 * write-only: the API never returns it, and an empty PSK field on edit keeps it.
 */
export default function SettingsMeshes({ meshes: initial }: SettingsMeshesProps) {
  const meshes = useSignal(initial);
  const editing = useSignal<Mesh | null>(null);
  const message = useSignal<string>("");

  return (
    <>
      <div class="settings-list">
        <MeshTable
          meshes={meshes.value}
          onEdit={(m) => {
            editing.value = m;
            message.value = "";
          }}
        />
        <p class="settings-status" role="status">{message.value}</p>
      </div>
      {editing.value && (
        <MeshForm
          key={editing.value.id}
          mesh={editing.value}
          onDone={async (text) => {
            editing.value = null;
            if (text) {
              message.value = text;
              meshes.value = await list();
            }
          }}
        />
      )}
      <MeshForm
        mesh={null}
        onDone={async (text) => {
          message.value = text;
          meshes.value = await list();
        }}
      />
    </>
  );
}

function draftOf(mesh: Mesh | null): Draft {
  return mesh
    ? { ssid: mesh.ssid, channel: String(mesh.channel), psk: "", description: mesh.description }
    : { ...EMPTY };
}

function MeshForm(
  { mesh, onDone }: { mesh: Mesh | null; onDone: (message: string) => Promise<void> | void },
) {
  const draft = useSignal<Draft>(draftOf(mesh));
  const errors = useSignal<Record<string, string>>({});
  const failure = useSignal("");
  const busy = useSignal(false);
  const form = useRef<HTMLFormElement>(null);
  const prefix = mesh ? `edit-mesh-${mesh.id}` : "new-mesh";
  const heading = mesh ? `Edit mesh ${mesh.ssid}` : "Add a mesh";
  // Opening the edit form from a row's Edit button takes the keyboard there.
  useEffect(() => {
    if (mesh) form.current?.querySelector("input")?.focus();
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    busy.value = true;
    const d = draft.value;
    // An empty or non-numeric channel goes as null, so the API names the field.
    const channel = d.channel.trim() === "" ? null : Number(d.channel);
    try {
      if (mesh) {
        const changes: Record<string, unknown> = {};
        if (d.channel !== String(mesh.channel)) changes.channel = channel;
        if (d.description !== mesh.description) changes.description = d.description;
        if (d.psk !== "") changes.psk = d.psk;
        if (Object.keys(changes).length === 0) {
          await onDone("");
          return;
        }
        await api<Mesh>("PATCH", `/v1/meshes/${mesh.id}`, changes);
        await onDone(`Saved ${mesh.ssid}${changes.psk ? " with a new PSK" : ""}.`);
      } else {
        const created = await api<Mesh>("POST", "/v1/meshes", {
          ssid: d.ssid.trim(),
          channel,
          psk: d.psk,
          description: d.description,
        });
        draft.value = { ...EMPTY };
        await onDone(`Added mesh ${created.ssid}.`);
      }
      errors.value = {};
      failure.value = "";
    } catch (error) {
      const problems = formProblems(error, FIELDS);
      errors.value = problems.fields;
      failure.value = problems.message;
      // The PSK is never kept around after a refusal either.
      draft.value = { ...draft.value, psk: "" };
      focusFirstInvalid(form.current);
    } finally {
      busy.value = false;
    }
  }

  return (
    <section class="panel" aria-labelledby={`${prefix}-h`}>
      <h2 id={`${prefix}-h`}>{heading}</h2>
      <form class="stack" ref={form} onSubmit={submit} noValidate autocomplete="off">
        {!mesh && (
          <TextInput
            id={`${prefix}-ssid`}
            field="ssid"
            label="SSID"
            help="1–32 letters, digits, '_' or '-', e.g. ETHRX0001-8A"
            draft={draft}
            errors={errors}
          />
        )}
        <TextInput
          id={`${prefix}-channel`}
          field="channel"
          label="Channel"
          help="802.11ah (HaLow) channel, 1–51"
          type="number"
          draft={draft}
          errors={errors}
        />
        <TextInput
          id={`${prefix}-psk`}
          field="psk"
          label={mesh ? "New PSK" : "PSK"}
          help={mesh
            ? `${
              mesh.psk_set ? "Leave empty to keep the current PSK" : "No PSK is set"
            }. 8–63 characters; it is never shown again.`
            : "SAE passphrase, 8–63 characters; write-only, it is never shown again"}
          type="password"
          draft={draft}
          errors={errors}
        />
        <TextInput
          id={`${prefix}-description`}
          field="description"
          label="Description"
          help="Optional, up to 200 characters"
          draft={draft}
          errors={errors}
        />
        <div class="settings-buttons">
          <button type="submit" disabled={busy.value}>{mesh ? "Save mesh" : "Add mesh"}</button>
          {mesh && (
            <button type="button" class="secondary" onClick={() => onDone("")}>Cancel</button>
          )}
        </div>
        {failure.value && <p class="notice bad" role="alert">{failure.value}</p>}
      </form>
    </section>
  );
}

function TextInput(props: {
  id: string;
  field: keyof Draft;
  label: string;
  help: string;
  type?: "number" | "password";
  draft: Signal<Draft>;
  errors: Signal<Record<string, string>>;
}) {
  const { id, field, draft, errors } = props;
  const error = errors.value[field];
  const common = {
    id,
    value: draft.value[field],
    onInput: (e: Event) =>
      draft.value = { ...draft.value, [field]: (e.currentTarget as HTMLInputElement).value },
    ...describedBy(id, error),
  };
  return (
    <SettingsField id={id} label={props.label} error={error} help={props.help}>
      {props.type === "number"
        ? <input type="number" step={1} autocomplete="off" {...common} />
        : props.type === "password"
        ? <input type="password" autocomplete="new-password" {...common} />
        : <input type="text" autocomplete="off" {...common} />}
    </SettingsField>
  );
}
