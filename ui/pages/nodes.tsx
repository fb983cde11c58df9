import { Layout } from "../components/layout.tsx";
import { ScrollTable } from "../components/nodes_scroll_table.tsx";
import { ago, timestamp } from "../lib/format.ts";
import {
  NODE_COLUMNS,
  nodeAddress,
  type NodesQuery,
  nodeVersion,
  selectNodes,
  sortLink,
} from "../lib/nodes_list.ts";
import type { PortalSession } from "../lib/session.ts";
import type { NodeSummary } from "../lib/types.ts";
import { NODE_STATUSES } from "../../lib/schemas/nodes.ts";

/** Props of {@linkcode NodesPage}. */
export interface NodesPageProps {
  session: PortalSession;
  /** Every node, decommissioned ones too (the status filter shows them). */
  nodes: NodeSummary[];
  /** Mesh SSIDs to filter by. */
  meshes: string[];
  query: NodesQuery;
  /** What in the query string was ignored, and why. */
  notices: string[];
  /** Server time of the render. */
  now: number;
}

/** `/nodes`: the inventory, sorted and filtered by links and a GET form; no JavaScript. */
export function NodesPage({ session, nodes, meshes, query, notices, now }: NodesPageProps) {
  const shown = selectNodes(nodes, query);
  const live = nodes.filter((n) => n.status !== "decommissioned");
  const online = live.filter((n) => n.status === "online").length;
  const offline = live.filter((n) => n.status === "offline").length;
  const tags = [...new Set(nodes.flatMap((n) => n.tags))].sort();
  const filtered = Boolean(query.status || query.role || query.mesh || query.tag || query.q);
  return (
    <Layout session={session} active="nodes" title="Nodes">
      {notices.map((text) => <p class="notice warn" role="status" key={text}>{text}</p>)}
      <form class="toolbar nodes-filter" method="get" action="/nodes" role="search">
        <label>
          Search
          <input
            type="search"
            name="q"
            value={query.q}
            placeholder="name, hostname or address"
            maxLength={100}
          />
        </label>
        <Choice
          label="Status"
          name="status"
          value={query.status}
          options={NODE_STATUSES}
          any="Live (not decommissioned)"
        />
        <Choice label="Role" name="role" value={query.role} options={["gateway", "node"]} />
        <Choice
          label="Mesh"
          name="mesh"
          value={query.mesh}
          options={withValue(meshes, query.mesh)}
        />
        <Choice label="Tag" name="tag" value={query.tag} options={withValue(tags, query.tag)} />
        {query.sort !== "name" && <input type="hidden" name="sort" value={query.sort} />}
        {query.dir !== "asc" && <input type="hidden" name="dir" value={query.dir} />}
        <button type="submit">Filter</button>
        {filtered && <a class="button secondary" href="/nodes">Clear filters</a>}
      </form>
      <p class="nodes-counts" data-testid="node-counts">
        Showing <strong>{shown.length}</strong> of {live.length} nodes ·{" "}
        <span class="badge online">{online} online</span>{" "}
        <span class={offline ? "badge offline" : "badge"}>{offline} offline</span>
      </p>
      {shown.length === 0
        ? (
          <p class="empty">
            {nodes.length === 0
              ? "No nodes are enrolled yet: create a join token under Settings and enroll one."
              : "No nodes match these filters."}
          </p>
        )
        : (
          <ScrollTable label="Nodes">
            <table class="nodes-table">
              <caption class="nodes-caption">
                Nodes, sorted by{" "}
                {NODE_COLUMNS.find((c) => c.id === query.sort)!.label.toLowerCase()}
                {query.dir === "asc" ? " ascending" : " descending"}
              </caption>
              <thead>
                <tr>
                  {NODE_COLUMNS.map((c) => {
                    const sorted = c.id === query.sort;
                    return (
                      <th
                        scope="col"
                        key={c.id}
                        aria-sort={sorted
                          ? (query.dir === "asc" ? "ascending" : "descending")
                          : undefined}
                      >
                        <a href={sortLink(query, c.id)}>
                          {c.label}
                          <span class="sort-mark" aria-hidden="true">
                            {sorted ? (query.dir === "asc" ? " ▲" : " ▼") : ""}
                          </span>
                        </a>
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <tbody>
                {shown.map((n) => (
                  <tr key={n.id}>
                    <td>
                      <a href={`/nodes/${n.id}`}>{n.name}</a>
                      {n.hostname && n.hostname !== n.name && (
                        <span class="muted node-host">{n.hostname}</span>
                      )}
                    </td>
                    <td>{n.role}</td>
                    <td>{n.mesh ?? <span class="muted">none</span>}</td>
                    <td>
                      <span class={`badge ${n.status}`}>{n.status}</span>
                    </td>
                    <td>
                      {n.last_seen_at
                        ? (
                          <time dateTime={n.last_seen_at} title={timestamp(n.last_seen_at)}>
                            {ago(n.last_seen_at, now)}
                          </time>
                        )
                        : <span class="muted">never</span>}
                    </td>
                    <td class="mono">{nodeAddress(n)}</td>
                    <td>{nodeVersion(n)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
        )}
    </Layout>
  );
}

interface ChoiceProps {
  label: string;
  name: string;
  value: string | null;
  options: readonly string[];
  /** The label of "no filter". @default "Any" */
  any?: string;
}

function Choice({ label, name, value, options, any = "Any" }: ChoiceProps) {
  return (
    <label>
      {label}
      <select name={name}>
        <option value="" selected={!value}>{any}</option>
        {options.map((o) => <option key={o} value={o} selected={o === value}>{o}</option>)}
      </select>
    </label>
  );
}

/** The options with the current value among them, so the form shows what filters the list. */
function withValue(options: string[], value: string | null): string[] {
  return value && !options.includes(value) ? [...options, value] : options;
}
