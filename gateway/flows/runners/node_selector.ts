/**
 * Resolves a `for_each_node` selector to the live nodes it matches.
 */
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { z } from "zod";
import type { nodeSelectorSchema } from "../../../lib/schemas/flows.ts";
import { parseComponentName } from "../../../lib/schemas/neurons.ts";
import { prepared } from "../../../lib/db/database.ts";

export type NodeSelector = z.infer<typeof nodeSelectorSchema>;

/** A node a selector matched. */
export interface SelectedNode {
  id: string;
  name: string;
}

/** Options for {@linkcode selectNodes}. */
export interface SelectOptions {
  /** The flow's context variables; `event_nodes` reads `node_id` from them. */
  context: Readonly<Record<string, unknown>>;
  /**
   * The nodes whose path to the gateway runs through a node, added to
   * `event_nodes` for an `offline` event. @default none: `event_nodes` is the event's node alone
   */
  nodesBehind?: (nodeId: string) => readonly string[];
}

/**
 * The live (not decommissioned) nodes `selector` matches, ordered by name.
 * Offline nodes are included: what runs on them reports its own failure.
 *
 * - `all`: every live node; `tag`: nodes with the tag; `mesh`: nodes of the
 *   mesh with that SSID; `role`: `gateway` or `node`;
 * - `neuron_component` (`brain-sensor-n01`): the nodes that component is placed on;
 * - `event_nodes`: the node of the triggering event (`context.node_id`), plus,
 *   when the event is `offline` and `nodesBehind` is given, the nodes behind
 *   it (cut off with it); none when the trigger names no node.
 */
export function selectNodes(
  db: DatabaseSync,
  selector: NodeSelector,
  options: SelectOptions,
): SelectedNode[] {
  const base = "SELECT DISTINCT n.id, n.name FROM nodes n";
  const live = "n.decommissioned_at IS NULL";
  let sql: string;
  let args: SQLInputValue[] = [];
  switch (selector.kind) {
    case "all":
      sql = `${base} WHERE ${live}`;
      break;
    case "tag":
      sql = `${base} JOIN node_tags t ON t.node_id = n.id WHERE ${live} AND t.tag = ?`;
      args = [selector.tag];
      break;
    case "mesh":
      sql = `${base} JOIN meshes m ON m.id = n.mesh_id WHERE ${live} AND m.ssid = ?`;
      args = [selector.mesh];
      break;
    case "role":
      sql = `${base} WHERE ${live} AND n.role = ?`;
      args = [selector.role];
      break;
    case "neuron_component": {
      const parsed = parseComponentName(selector.component);
      if (!parsed) return [];
      sql = `${base} JOIN neuron_placements p ON p.node_id = n.id
        WHERE ${live} AND p.neuron_id = ? AND p.component = ?`;
      args = [parsed.neuron, parsed.component];
      break;
    }
    case "event_nodes": {
      const nodeId = options.context.node_id;
      if (typeof nodeId !== "string") return [];
      // Only going offline takes the nodes behind along; other events concern the node alone.
      const behind = options.context.event === "offline" ? options.nodesBehind?.(nodeId) : [];
      const ids = [...new Set([nodeId, ...(behind ?? [])])];
      sql = `${base} WHERE ${live} AND n.id IN (${ids.map(() => "?").join(", ")})`;
      args = ids;
      break;
    }
  }
  const rows = prepared(db, `${sql} ORDER BY n.name, n.id`).all(
    ...args,
  ) as unknown as SelectedNode[];
  return rows.map(({ id, name }) => ({ id, name }));
}
