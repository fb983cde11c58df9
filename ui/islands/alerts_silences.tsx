/// <reference lib="dom" />
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { SilenceTable } from "../components/alerts_silence_table.tsx";
import { api, ApiProblem } from "../lib/api.ts";
import type { NewSilence, Silence, SilenceChoices, SilenceTarget } from "../lib/alerts_types.ts";

/** Props of {@linkcode AlertsSilences}. */
export interface AlertsSilencesProps {
  silences: Silence[];
  choices: SilenceChoices;
  now: number;
}

const MAX_DAYS = 30;
type Field = "target" | "value" | "ends" | "reason";

/** `YYYY-MM-DDTHH:MM` in the browser's time zone, as `<input type="datetime-local">` holds it. */
function localInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${
    p(d.getMinutes())
  }`;
}

/** The API's field path (`body.duration_s`) as the form's field. */
function fieldOf(path: string): Field | null {
  const name = path.replace(/^body\./, "");
  if (name === "duration_s") return "ends";
  return name === "target" || name === "value" || name === "reason" ? name : null;
}

/**
 * Silences for operators and admins: the list with "End now", and a form to
 * silence a node, a tag or a flow until a time, with a reason.
 */
export default function AlertsSilences(props: AlertsSilencesProps) {
  const { choices } = props;
  const silences = useSignal(props.silences);
  const target = useSignal<SilenceTarget>("node");
  const value = useSignal(choices.nodes[0]?.id ?? "");
  const ends = useSignal("");
  const reason = useSignal("");
  const errors = useSignal<Partial<Record<Field, string>>>({});
  const problem = useSignal<string | null>(null);
  const saved = useSignal<string | null>(null);
  const busy = useSignal(false);
  const ending = useSignal<number | null>(null);

  // The browser's clock and time zone, so only after hydration: an hour from now.
  useEffect(() => {
    if (!ends.value) ends.value = localInput(Date.now() + 3600_000);
  }, []);

  async function reload() {
    silences.value = (await api<{ silences: Silence[] }>("GET", "/v1/silences")).silences;
  }

  function choose(next: SilenceTarget) {
    target.value = next;
    value.value = next === "node"
      ? choices.nodes[0]?.id ?? ""
      : next === "flow"
      ? String(choices.flows[0]?.id ?? "")
      : "";
    errors.value = {};
  }

  async function create(event: Event) {
    event.preventDefault();
    saved.value = null;
    problem.value = null;
    const found: Partial<Record<Field, string>> = {};
    const endMs = ends.value ? new Date(ends.value).getTime() : NaN;
    const durationS = Math.round((endMs - Date.now()) / 1000);
    if (!value.value.trim()) {
      found.value = target.value === "tag" ? "Enter a tag" : `Choose a ${target.value}`;
    }
    if (!Number.isFinite(endMs)) found.ends = "Choose when the silence ends";
    else if (durationS < 60) found.ends = "Choose a time at least a minute from now";
    else if (durationS > MAX_DAYS * 86_400) found.ends = `A silence lasts at most ${MAX_DAYS} days`;
    errors.value = found;
    if (Object.keys(found).length) return;
    const body: NewSilence = {
      target: target.value,
      value: value.value.trim(),
      reason: reason.value.trim(),
      duration_s: durationS,
    };
    busy.value = true;
    try {
      const created = await api<Silence>("POST", "/v1/silences", body);
      saved.value = `Silenced until ${created.ends_at.replace("T", " ").slice(0, 16)} UTC.`;
      reason.value = "";
      await reload();
    } catch (e) {
      if (e instanceof ApiProblem && e.details.length) {
        const byField: Partial<Record<Field, string>> = {};
        for (const d of e.details) {
          const f = fieldOf(d.path);
          if (f) byField[f] = d.message;
        }
        errors.value = byField;
      }
      problem.value = e instanceof ApiProblem ? e.message : String(e);
    } finally {
      busy.value = false;
    }
  }

  async function end(silence: Silence) {
    ending.value = silence.id;
    problem.value = null;
    try {
      await api("DELETE", `/v1/silences/${silence.id}`);
      await reload();
    } catch (e) {
      problem.value = e instanceof ApiProblem ? e.message : String(e);
    } finally {
      ending.value = null;
    }
  }

  const err = errors.value;
  const invalid = (
    f: Field,
  ) => (err[f] ? { "aria-invalid": true, "aria-describedby": `silence-${f}-error` } : {});
  const fieldError = (f: Field) =>
    err[f] && <span class="field-error" id={`silence-${f}-error`}>{err[f]}</span>;

  return (
    <>
      <SilenceTable
        silences={silences.value}
        choices={choices}
        now={props.now}
        onEnd={(s) => void end(s)}
        busy={ending.value}
      />
      {problem.value && <p class="notice bad" role="alert">{problem.value}</p>}
      <h3 id="silence-new-h">New silence</h3>
      <form
        class="inline silence-form"
        aria-labelledby="silence-new-h"
        onSubmit={create}
        noValidate
      >
        <label>
          What to silence
          <select
            value={target.value}
            onChange={(e) => choose(e.currentTarget.value as SilenceTarget)}
            {...invalid("target")}
          >
            <option value="node">a node</option>
            <option value="tag">nodes with a tag</option>
            <option value="flow">a flow</option>
          </select>
          {fieldError("target")}
        </label>
        {target.value === "node" && (
          <label>
            Node
            <select
              value={value.value}
              onChange={(e) => value.value = e.currentTarget.value}
              {...invalid("value")}
            >
              {choices.nodes.map((n) => <option key={n.id} value={n.id}>{n.name}</option>)}
            </select>
            {fieldError("value")}
          </label>
        )}
        {target.value === "flow" && (
          <label>
            Flow
            <select
              value={value.value}
              onChange={(e) => value.value = e.currentTarget.value}
              {...invalid("value")}
            >
              {choices.flows.map((f) => <option key={f.id} value={String(f.id)}>{f.name}</option>)}
            </select>
            {fieldError("value")}
          </label>
        )}
        {target.value === "tag" && (
          <label>
            Tag
            <input
              type="text"
              list="silence-tags"
              maxLength={64}
              value={value.value}
              onInput={(e) => value.value = e.currentTarget.value}
              {...invalid("value")}
            />
            <datalist id="silence-tags">
              {choices.tags.map((t) => <option key={t} value={t} />)}
            </datalist>
            {fieldError("value")}
          </label>
        )}
        <label>
          Ends (your local time)
          <input
            type="datetime-local"
            value={ends.value}
            onInput={(e) => ends.value = e.currentTarget.value}
            {...invalid("ends")}
          />
          {fieldError("ends")}
        </label>
        <label class="silence-reason">
          Reason
          <input
            type="text"
            maxLength={200}
            placeholder="e.g. replacing the mast antenna"
            value={reason.value}
            onInput={(e) => reason.value = e.currentTarget.value}
            {...invalid("reason")}
          />
          {fieldError("reason")}
        </label>
        <button type="submit" disabled={busy.value}>Silence</button>
      </form>
      {saved.value && <p class="notice" role="status">{saved.value}</p>}
    </>
  );
}
