/**
 * `node_event` triggers: which flows an event from the event hub starts.
 *
 * Lifecycle events (`enrolled`, `online`, `offline`, `rebooted`,
 * `address_changed`, `decommissioned`) concern the event's `node_id`. Mesh
 * events (`peer_lost`, `peer_recovered`) are recorded by the node that saw
 * its peer go or come back, and name that peer in `data.peer_node_id` when
 * the peer is a HALO node; a trigger scoped to either node matches, and the
 * match names the node in the trigger's scope (the reporting node when both
 * are, or the scope is "all"). Other event types, and events naming no node,
 * start nothing.
 */
import type { HaloEvent } from "../../../lib/schemas/events.ts";
import type { LoadedTrigger, NodeEventTriggerConfig } from "./types.ts";

/** A loaded `node_event` trigger step. */
export type NodeEventTrigger = LoadedTrigger<NodeEventTriggerConfig>;

/** A flow the event starts, and for which node. */
export interface NodeEventMatch {
  flowId: number;
  version: number;
  stepId: string;
  nodeId: string;
}

/** Event types a mesh node reports about a peer. */
export const PEER_EVENTS: ReadonlySet<string> = new Set(["peer_lost", "peer_recovered"]);

/**
 * The triggers `event` fires, by event type and node scope.
 *
 * @example
 * ```ts
 * hub.subscribe((event) => {
 *   for (const m of matchNodeEvent(triggers, event)) startFlow(m, event);
 * });
 * ```
 */
export function matchNodeEvent(
  triggers: readonly NodeEventTrigger[],
  event: HaloEvent,
): NodeEventMatch[] {
  const peer = PEER_EVENTS.has(event.type) && typeof event.data.peer_node_id === "string"
    ? event.data.peer_node_id
    : null;
  const matches: NodeEventMatch[] = [];
  for (const { flowId, version, stepId, config } of triggers) {
    if (!(config.events as readonly string[]).includes(event.type)) continue;
    const nodeId = inScope(config.nodes, event.node_id) ?? inScope(config.nodes, peer);
    if (nodeId !== null) matches.push({ flowId, version, stepId, nodeId });
  }
  return matches;
}

function inScope(scope: NodeEventTriggerConfig["nodes"], nodeId: string | null): string | null {
  if (nodeId === null) return null;
  return scope === "all" || scope.includes(nodeId) ? nodeId : null;
}
