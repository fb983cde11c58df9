/// <reference lib="dom" />
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { ago, timestamp } from "../lib/format.ts";
import { type GraphEdge, percent, qualityBand } from "../lib/topology_graph.ts";
import {
  HISTORY_RANGES,
  historyColumns,
  historyRange,
  type HistoryRangeId,
  historySummary,
  pointQuality,
} from "../lib/topology_history.ts";
import type { LinkHistory } from "../lib/topology_types.ts";

/** Direction colours: the portal's accent and its warning brown, apart for colour-blind eyes too. */
const COLORS = ["#0b62a8", "#8a5a00"] as const;
const HEIGHT = 220;
/** Rows the table lists; the chart shows the rest. */
const TABLE_ROWS = 12;

/** Props of {@linkcode LinkHistoryPanel}. */
export interface LinkHistoryPanelProps {
  edge: GraphEdge;
  names: Record<string, string>;
  range: HistoryRangeId;
  history: LinkHistory | null;
  loading: boolean;
  error: string | null;
  now: number;
  /** The URL that shows this link over `range` (works without script too). */
  hrefFor: (range: HistoryRangeId) => string;
  onRange: (range: HistoryRangeId, event: Event) => void;
  onClose: (event: Event) => void;
}

interface HistoryChartProps {
  history: LinkHistory;
  labels: [string, string];
  spanMs: number;
}

function HistoryChart({ history, labels, spanMs }: HistoryChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // The whole range asked for, so a few points sit where they belong in it.
    const to = Date.now() / 1000;
    const plot = new uPlot(
      {
        width: el.clientWidth || 600,
        height: HEIGHT,
        legend: { show: false },
        scales: { x: { time: true, range: [to - spanMs / 1000, to] }, y: { range: [0, 100] } },
        axes: [{}, { label: "quality %", size: 50 }],
        series: [
          {},
          { label: labels[0], stroke: COLORS[0], width: 2, spanGaps: true },
          { label: labels[1], stroke: COLORS[1], width: 2, spanGaps: true, dash: [6, 4] },
        ],
      },
      historyColumns(history),
      el,
    );
    const observer = new ResizeObserver(() =>
      plot.setSize({ width: el.clientWidth, height: HEIGHT })
    );
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [history, labels[0], labels[1], spanMs]);
  // The table below says the same in words; the canvas is for eyes.
  return <div class="chart topo-chart" ref={box} aria-hidden="true" data-testid="link-chart" />;
}

/** The selected link: its state now, and its quality over a range as a chart and a table. */
export function LinkHistoryPanel(props: LinkHistoryPanelProps) {
  const { edge, names, history } = props;
  const nameA = names[edge.a] ?? edge.a, nameB = names[edge.b] ?? edge.b;
  const band = qualityBand(edge);
  const summary = history ? historySummary(history) : null;
  const recent = history ? history.points.slice(-TABLE_ROWS).reverse() : [];
  const labels: [string, string] = [`${nameA} → ${nameB}`, `${nameB} → ${nameA}`];
  return (
    <section
      class="panel topo-history"
      id="link-history"
      aria-labelledby="link-history-h"
      data-testid="link-history"
    >
      <div class="topo-history-head">
        <h2 id="link-history-h" tabIndex={-1}>
          Link {nameA} – {nameB}
        </h2>
        <a class="button secondary" href="/topology" onClick={props.onClose}>Close</a>
      </div>
      <p>
        <span class={`badge q-${band.band}`}>{band.label}</span> quality {percent(edge.quality)}
        {edge.tq !== null && <>, TQ {edge.tq}/255</>}
        {edge.signal_dbm !== null && <>, signal {edge.signal_dbm} dBm</>}
        {edge.throughput_kbps !== null && <>, {edge.throughput_kbps} kbit/s</>}
        <span class="muted">· reported {ago(edge.updated_at, props.now)}</span>
      </p>
      <nav class="toolbar" aria-label="History range">
        {HISTORY_RANGES.map((r) => (
          <a
            key={r.id}
            class={r.id === props.range ? "button" : "button secondary"}
            href={props.hrefFor(r.id)}
            aria-current={r.id === props.range ? "true" : undefined}
            onClick={(e) => props.onRange(r.id, e)}
          >
            Last {r.label}
          </a>
        ))}
      </nav>
      {props.error && <p class="notice bad" role="alert">{props.error}</p>}
      {props.loading && <p class="muted" aria-live="polite">Loading the history…</p>}
      {history && !props.loading && (
        history.points.length === 0
          ? <p class="empty">No quality recorded for this link in this range.</p>
          : (
            <>
              <HistoryChart
                history={history}
                labels={labels}
                spanMs={historyRange(props.range).ms}
              />
              <ul class="topo-legend" aria-label="Chart lines">
                <li>
                  <span class="swatch dir-a" aria-hidden="true" /> as {nameA} reports it
                </li>
                <li>
                  <span class="swatch dir-b" aria-hidden="true" /> as {nameB} reports it
                </li>
              </ul>
              {summary && (
                <p>
                  {summary.count} point{summary.count === 1 ? "" : "s"}: lowest{" "}
                  {percent(summary.min)}, mean {percent(summary.mean)}, highest{" "}
                  {percent(summary.max)}.
                </p>
              )}
              <div
                class="table-wrap"
                tabIndex={0}
                role="region"
                aria-label="Recent quality points"
              >
                <table>
                  <caption class="muted">
                    {recent.length === 1
                      ? "The last point"
                      : `The last ${recent.length} points, newest first`}
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Time (UTC)</th>
                      <th scope="col">Reported by</th>
                      <th scope="col" class="num">Quality</th>
                      <th scope="col" class="num">TQ</th>
                      <th scope="col" class="num">Signal</th>
                      <th scope="col" class="num">Throughput</th>
                    </tr>
                  </thead>
                  <tbody>
                    {recent.map((p) => (
                      <tr key={`${p.ts}-${p.from}`}>
                        <td>{timestamp(p.ts)}</td>
                        <td>{names[p.from] ?? p.from}</td>
                        <td class="num">{percent(pointQuality(p))}</td>
                        <td class="num">{p.tq ?? "—"}</td>
                        <td class="num">{p.signal_dbm === null ? "—" : `${p.signal_dbm} dBm`}</td>
                        <td class="num">
                          {p.throughput_kbps === null ? "—" : `${p.throughput_kbps} kbit/s`}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )
      )}
    </section>
  );
}
