import { FlowGraph } from "../components/flow_graph.tsx";
import { Layout } from "../components/layout.tsx";
import { timestamp } from "../lib/format.ts";
import { between, elapsed } from "../lib/flow_format.ts";
import { layoutFlow } from "../lib/flow_layout.ts";
import { executionPath, type StepState } from "../lib/flow_path.ts";
import type { Execution, FlowsMetadata, StoredFlow } from "../lib/flow_types.ts";
import type { PortalSession } from "../lib/session.ts";

/** Props of {@linkcode FlowExecutionsPage}. */
export interface FlowExecutionsPageProps {
  session: PortalSession;
  flow: StoredFlow;
  executions: Execution[];
  /** Set when there are older executions: the `before_id` of the next page. */
  olderBefore: number | null;
  /** Set when this is not the first page. */
  paged: boolean;
}

/** `/flows/{id}/executions`: the flow's runs, newest first. */
export function FlowExecutionsPage(
  { session, flow, executions, olderBefore, paged }: FlowExecutionsPageProps,
) {
  return (
    <Layout
      session={session}
      active="flows"
      title={`Executions of ${flow.name}`}
      actions={
        <>
          <a class="button secondary" href="/flows">All flows</a>
          <a class="button secondary" href={`/flows/${flow.id}`}>Builder</a>
        </>
      }
    >
      {executions.length === 0
        ? <p class="empty">{paged ? "No older executions." : "This flow has not run yet."}</p>
        : (
          <div class="table-wrap">
            <table class="flows-table">
              <caption class="flows-caption">Executions, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Execution</th>
                  <th scope="col">Status</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Started (UTC)</th>
                  <th scope="col" class="num">Duration</th>
                  <th scope="col" class="num">Version</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {executions.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <a href={`/flows/${flow.id}/executions/${e.id}`}>#{e.id}</a>
                      {e.dry_run && <span class="badge info">dry run</span>}
                    </td>
                    <td>
                      <span class={`badge ${e.status}`}>{e.status}</span>
                    </td>
                    <td>{e.trigger_type}</td>
                    <td>
                      <time dateTime={e.started_at}>{timestamp(e.started_at)}</time>
                    </td>
                    <td class="num">{elapsed(between(e.started_at, e.finished_at))}</td>
                    <td class="num">{e.flow_version}</td>
                    <td class="error-text">{e.error ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      <nav class="pager" aria-label="Pages of executions">
        {paged && <a href={`/flows/${flow.id}/executions`}>Newest</a>}
        {olderBefore !== null && (
          <a href={`/flows/${flow.id}/executions?before_id=${olderBefore}`}>Older executions</a>
        )}
      </nav>
    </Layout>
  );
}

/** Props of {@linkcode FlowExecutionPage}. */
export interface FlowExecutionPageProps {
  session: PortalSession;
  /** The flow as it is now. */
  flow: StoredFlow;
  /** The definition the execution ran (its version), when the API could give it. */
  ran: Pick<StoredFlow, "steps" | "edges"> | null;
  execution: Execution;
  metadata: FlowsMetadata;
}

const STATE_TEXT: Record<StepState, string> = {
  succeeded: "✓ ran",
  failed: "✗ failed",
  skipped: "skipped",
  running: "running",
  "not-run": "",
};

/** `/flows/{id}/executions/{exec_id}`: one run's path through the graph and each step's record. */
export function FlowExecutionPage(
  { session, flow, ran, execution, metadata }: FlowExecutionPageProps,
) {
  const graph = ran ?? flow;
  const types = Object.fromEntries(metadata.step_types.map((t) => [t.type, t]));
  const trigger = graph.steps.find((s) => types[s.type]?.kind === "trigger")?.id ?? null;
  const steps = execution.steps ?? [];
  const path = executionPath(graph.edges, steps, trigger);
  const layout = layoutFlow(graph.steps, graph.edges);
  const typeOf = new Map(graph.steps.map((s) => [s.id, s.type]));
  const taken = [...path.steps.values()].filter((s) => s === "succeeded" || s === "failed").length;
  return (
    <Layout
      session={session}
      active="flows"
      title={`Execution ${execution.id} of ${flow.name}`}
      actions={
        <>
          <a class="button secondary" href={`/flows/${flow.id}/executions`}>All executions</a>
          <a class="button secondary" href={`/flows/${flow.id}`}>Builder</a>
        </>
      }
    >
      <section class="panel" aria-labelledby="exec-h">
        <h2 id="exec-h">Summary</h2>
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <span class={`badge ${execution.status}`} data-testid="execution-status">
              {execution.status}
            </span>
            {execution.dry_run && <span class="badge info">dry run</span>}
          </dd>
          <dt>Trigger</dt>
          <dd>{execution.trigger_type}</dd>
          <dt>Started (UTC)</dt>
          <dd>{timestamp(execution.started_at)}</dd>
          <dt>Finished (UTC)</dt>
          <dd>{timestamp(execution.finished_at)}</dd>
          <dt>Duration</dt>
          <dd>{elapsed(between(execution.started_at, execution.finished_at))}</dd>
          <dt>Flow version</dt>
          <dd>{execution.flow_version}</dd>
          {execution.error && (
            <>
              <dt>Error</dt>
              <dd class="error-text">{execution.error}</dd>
            </>
          )}
        </dl>
        <details class="json-details">
          <summary>Trigger context</summary>
          <pre class="json">{JSON.stringify(execution.trigger_context, null, 2)}</pre>
        </details>
      </section>

      <section class="panel" aria-labelledby="path-h">
        <h2 id="path-h">Path</h2>
        {execution.flow_version !== flow.version && (
          <p class="notice warn">
            {ran
              ? `This execution ran version ${execution.flow_version}, drawn below; the flow is now at version ${flow.version}.`
              : `This execution ran version ${execution.flow_version}; the graph below is the current version ${flow.version}. The step records under it are those of the run.`}
          </p>
        )}
        <p class="muted">
          {taken} of {graph.steps.length}{" "}
          steps ran. Steps that ran and the connections taken are drawn bold; failed steps red;
          skipped ones dashed.
        </p>
        {/* Focusable, so a keyboard can scroll a graph wider than the screen. */}
        <div
          class="canvas static"
          data-testid="execution-graph"
          tabIndex={0}
          role="region"
          aria-label="Graph of the path (scrolls)"
        >
          <FlowGraph
            steps={graph.steps}
            edges={graph.edges}
            layout={layout}
            types={types}
            label={`Path of execution ${execution.id} through ${flow.name}: ${
              steps.map((s) => `${s.step_id} ${s.status}`).join(", ")
            }`}
            svgAttrs={{ role: "img" }}
            stepClass={(id) => `run-${path.steps.get(id) ?? "not-run"}`}
            stepNote={(id) => STATE_TEXT[path.steps.get(id) ?? "not-run"] || null}
            edgeClass={(i) => path.edges.has(i) ? "taken" : "not-taken"}
          />
        </div>
      </section>

      <section aria-labelledby="steps-h">
        <h2 id="steps-h">Steps</h2>
        {steps.length === 0 ? <p class="empty">No step records.</p> : (
          <div class="table-wrap">
            <table class="flows-table exec-steps">
              <caption class="flows-caption">Each step's status, timing, input and output</caption>
              <thead>
                <tr>
                  <th scope="col">Step</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started (UTC)</th>
                  <th scope="col" class="num">Took</th>
                  <th scope="col">Input</th>
                  <th scope="col">Output</th>
                </tr>
              </thead>
              <tbody>
                {steps.map((s) => (
                  <tr key={s.step_id} class={`run-${s.status}`} data-step-row={s.step_id}>
                    <th scope="row">
                      <code>{s.step_id}</code>
                      <div class="muted">{types[typeOf.get(s.step_id) ?? ""]?.label ?? ""}</div>
                    </th>
                    <td>
                      <span class={`badge ${s.status}`}>{s.status}</span>
                      {s.outcome && <div class="muted">→ {s.outcome}</div>}
                    </td>
                    <td>{s.started_at ? timestamp(s.started_at) : "—"}</td>
                    <td class="num">{elapsed(s.duration_ms)}</td>
                    <td>
                      <Json value={s.input} label={`Input of ${s.step_id}`} />
                    </td>
                    <td>
                      <Json value={s.output} label={`Output of ${s.step_id}`} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Layout>
  );
}

/** A JSON value: short ones inline, long ones folded. */
function Json({ value, label }: { value: unknown; label: string }) {
  if (value === null || value === undefined) return <span class="muted">—</span>;
  const text = JSON.stringify(value, null, 2);
  if (text.length <= 80 && !text.includes("\n  ")) return <code>{JSON.stringify(value)}</code>;
  return (
    <details class="json-details">
      <summary>{label}</summary>
      <pre class="json">{text}</pre>
    </details>
  );
}
