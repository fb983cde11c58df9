import { ago, timestamp } from "../lib/format.ts";
import type { Silence, SilenceChoices } from "../lib/alerts_types.ts";

/** Props of {@linkcode SilenceTable}. */
export interface SilenceTableProps {
  silences: Silence[];
  choices: SilenceChoices;
  now: number;
  /** Given to operators and admins: ends an active silence now. */
  onEnd?: (silence: Silence) => void;
  busy?: number | null;
}

/** What a silence covers, in words, with a link where there is a page. */
export function SilenceWhat(
  { silence: s, choices }: { silence: Silence; choices: SilenceChoices },
) {
  if (s.target === "node") {
    const name = choices.nodes.find((n) => n.id === s.value)?.name ?? s.value;
    return (
      <>
        node <a href={`/nodes/${encodeURIComponent(s.value)}`}>{name}</a>
      </>
    );
  }
  if (s.target === "flow") {
    const name = choices.flows.find((f) => String(f.id) === s.value)?.name ?? `flow ${s.value}`;
    return (
      <>
        flow <a href={`/flows/${encodeURIComponent(s.value)}`}>{name}</a>
      </>
    );
  }
  return (
    <>
      nodes tagged <code>{s.value}</code>
    </>
  );
}

/** Silences active now or ended within the week, newest end last (as the API lists them). */
export function SilenceTable({ silences, choices, now, onEnd, busy }: SilenceTableProps) {
  if (silences.length === 0) {
    return <p class="empty">No silences: every alert notifies as its flow says.</p>;
  }
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Silences">
      <table data-testid="silences">
        <thead>
          <tr>
            <th scope="col">Covers</th>
            <th scope="col">Until (UTC)</th>
            <th scope="col">Reason</th>
            <th scope="col">By</th>
            <th scope="col">State</th>
            {onEnd && <th scope="col">Action</th>}
          </tr>
        </thead>
        <tbody>
          {silences.map((s) => (
            <tr key={s.id}>
              <td>
                <SilenceWhat silence={s} choices={choices} />
              </td>
              <td>
                <time dateTime={s.ends_at}>{timestamp(s.ends_at)}</time>
              </td>
              <td>{s.reason || <span class="muted">—</span>}</td>
              <td>
                {s.created_by} <span class="muted">{ago(s.created_at, now)}</span>
              </td>
              <td>
                <span class={`badge ${s.active ? "silenced" : ""}`}>
                  {s.active ? "active" : "ended"}
                </span>
              </td>
              {onEnd && (
                <td>
                  {s.active && (
                    <button
                      type="button"
                      class="secondary"
                      disabled={busy === s.id}
                      aria-label={`End silence ${s.id} (${s.target} ${s.value}) now`}
                      onClick={() => onEnd(s)}
                    >
                      End now
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
