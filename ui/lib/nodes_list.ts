/**
 * The Nodes list's query string: which columns it sorts by, which filters
 * apply, and the pure sort and filter over `GET /v1/nodes`, so the server
 * renders the same list for the same link.
 */
import { NODE_STATUSES } from "../../lib/schemas/nodes.ts";
import type { NodeSummary } from "./types.ts";

/** Columns the list sorts by, in display order. */
export const NODE_COLUMNS = [
  { id: "name", label: "Name" },
  { id: "role", label: "Role" },
  { id: "mesh", label: "Mesh" },
  { id: "status", label: "Status" },
  { id: "last_seen", label: "Last seen" },
  { id: "address", label: "Address" },
  { id: "version", label: "Version" },
] as const;

/** A sortable column's id. */
export type NodeColumn = typeof NODE_COLUMNS[number]["id"];
export type SortDir = "asc" | "desc";

const ROLES = ["gateway", "node"] as const;

/** The list's state as its URL carries it. */
export interface NodesQuery {
  sort: NodeColumn;
  dir: SortDir;
  status: NodeSummary["status"] | null;
  role: NodeSummary["role"] | null;
  mesh: string | null;
  tag: string | null;
  /** Text searched in name, hostname and addresses. */
  q: string;
}

/** The list as a visitor first sees it: by name, every live node. */
export const DEFAULT_NODES_QUERY: NodesQuery = {
  sort: "name",
  dir: "asc",
  status: null,
  role: null,
  mesh: null,
  tag: null,
  q: "",
};

/** A parsed query string and what in it was ignored, said for people. */
export interface ParsedNodesQuery {
  query: NodesQuery;
  notices: string[];
}

function oneOf<T extends string>(value: string, allowed: readonly T[]): T | null {
  return (allowed as readonly string[]).includes(value) ? value as T : null;
}

/**
 * Reads the list's query string. A value the list does not know is ignored
 * and named in a notice, so a stale bookmark still shows the nodes.
 */
export function parseNodesQuery(params: URLSearchParams): ParsedNodesQuery {
  const query: NodesQuery = { ...DEFAULT_NODES_QUERY };
  const notices: string[] = [];
  const columns = NODE_COLUMNS.map((c) => c.id);
  const sort = params.get("sort");
  if (sort) {
    const column = oneOf(sort, columns);
    if (column) query.sort = column;
    else {
      notices.push(
        `Cannot sort by "${sort}": sorted by name instead (columns: ${columns.join(", ")}).`,
      );
    }
  }
  const dir = params.get("dir");
  if (dir) {
    if (dir === "asc" || dir === "desc") query.dir = dir;
    else notices.push(`Unknown sort direction "${dir}": use asc or desc.`);
  }
  const status = params.get("status");
  if (status) {
    query.status = oneOf(status, NODE_STATUSES);
    if (!query.status) {
      notices.push(
        `Unknown status "${status}" ignored (statuses: ${NODE_STATUSES.join(", ")}).`,
      );
    }
  }
  const role = params.get("role");
  if (role) {
    query.role = oneOf(role, ROLES);
    if (!query.role) notices.push(`Unknown role "${role}" ignored (roles: ${ROLES.join(", ")}).`);
  }
  query.mesh = params.get("mesh") || null;
  query.tag = params.get("tag") || null;
  query.q = (params.get("q") ?? "").trim().slice(0, 100);
  return { query, notices };
}

/** The query string for `query`, leaving out defaults so links stay short. */
export function nodesQueryString(query: NodesQuery): string {
  const params = new URLSearchParams();
  if (query.sort !== DEFAULT_NODES_QUERY.sort) params.set("sort", query.sort);
  if (query.dir !== DEFAULT_NODES_QUERY.dir) params.set("dir", query.dir);
  for (const key of ["status", "role", "mesh", "tag"] as const) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  if (query.q) params.set("q", query.q);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The link of a column header: by that column, flipping the direction if it is the current one. */
export function sortLink(query: NodesQuery, column: NodeColumn): string {
  const dir: SortDir = query.sort === column && query.dir === "asc" ? "desc" : "asc";
  return `/nodes${nodesQueryString({ ...query, sort: column, dir })}`;
}

/** The version shown for a node: its agent's, else the first it reports. */
export function nodeVersion(node: Pick<NodeSummary, "versions">): string {
  return node.versions["halo-agent"] ?? Object.values(node.versions)[0] ?? "";
}

/** The address shown for a node: its first, without the prefix length. */
export function nodeAddress(node: Pick<NodeSummary, "addresses">): string {
  return node.addresses[0]?.replace(/\/\d+$/, "") ?? "";
}

const STATUS_ORDER: Record<NodeSummary["status"], number> = {
  offline: 0,
  enrolled: 1,
  online: 2,
  decommissioned: 3,
};

/** Sorts addresses by their numbers, so 10.0.0.9 comes before 10.0.0.10. */
function addressKey(address: string): string {
  return address.replace(/\d+/g, (n) => n.padStart(5, "0"));
}

/** A node that has not reported a value yet goes after those that have. */
function blankLast(a: string, b: string): number {
  return (a === "" ? 1 : 0) - (b === "" ? 1 : 0);
}

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

function compare(a: NodeSummary, b: NodeSummary, column: NodeColumn): number {
  switch (column) {
    case "name":
      return collator.compare(a.name, b.name);
    case "role":
      return a.role.localeCompare(b.role);
    case "mesh":
      return blankLast(a.mesh ?? "", b.mesh ?? "") || collator.compare(a.mesh ?? "", b.mesh ?? "");
    case "status":
      return STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
    case "last_seen":
      // Never seen sorts as the oldest.
      return (a.last_seen_at ? Date.parse(a.last_seen_at) : 0) -
        (b.last_seen_at ? Date.parse(b.last_seen_at) : 0);
    case "address":
      return blankLast(nodeAddress(a), nodeAddress(b)) ||
        addressKey(nodeAddress(a)).localeCompare(addressKey(nodeAddress(b)));
    case "version":
      return blankLast(nodeVersion(a), nodeVersion(b)) ||
        collator.compare(nodeVersion(a), nodeVersion(b));
  }
}

function matches(node: NodeSummary, query: NodesQuery): boolean {
  // Decommissioned nodes are history: shown only when asked for by status.
  if (query.status ? node.status !== query.status : node.status === "decommissioned") {
    return false;
  }
  if (query.role && node.role !== query.role) return false;
  if (query.mesh && node.mesh !== query.mesh) return false;
  if (query.tag && !node.tags.includes(query.tag)) return false;
  if (query.q) {
    const needle = query.q.toLowerCase();
    const hay = [node.name, node.hostname ?? "", node.id, ...node.addresses];
    if (!hay.some((text) => text.toLowerCase().includes(needle))) return false;
  }
  return true;
}

/** The nodes `query` shows, in its order; ties keep name order. */
export function selectNodes(nodes: readonly NodeSummary[], query: NodesQuery): NodeSummary[] {
  const sign = query.dir === "asc" ? 1 : -1;
  return nodes.filter((n) => matches(n, query)).sort((a, b) =>
    sign * compare(a, b, query.sort) || collator.compare(a.name, b.name)
  );
}
