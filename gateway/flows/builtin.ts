import type { DatabaseSync } from "node:sqlite";
import { type FlowDefinition, flowDefinitionSchema } from "../../lib/schemas/flows.ts";
import { FlowStore } from "./flow_store.ts";
import { prepared, transaction } from "../../lib/db/database.ts";

/** The flows HALO ships; each is created once, then belongs to the operator (editable, can be disabled). */
export const BUILTIN_FLOWS: Record<string, FlowDefinition> = {
  node_offline: flowDefinitionSchema.parse({
    name: "Node offline",
    description:
      "Raises a critical alert when a node stops reporting; it resolves when the node is back.",
    steps: [
      {
        id: "offline",
        type: "node_event",
        config: { events: ["offline"] },
        position: { x: 40, y: 80 },
      },
      {
        id: "alert",
        type: "alert",
        config: {
          severity: "critical",
          message: "Node {node_name} is offline",
          auto_resolve: true,
        },
        position: { x: 320, y: 80 },
      },
    ],
    edges: [{ from: "offline", to: "alert" }],
  }),
};

/** Creates the built-in flows that do not exist yet; returns the keys created. */
export function ensureBuiltinFlows(db: DatabaseSync, now: number): string[] {
  const store = new FlowStore(db);
  const created: string[] = [];
  for (const [key, def] of Object.entries(BUILTIN_FLOWS)) {
    if (prepared(db, "SELECT 1 FROM flows WHERE builtin = ?").get(key)) continue;
    transaction(db, () => {
      // An operator's flow may already use the name; the built-in one then gets a suffix.
      const name = store.nameTaken(def.name) ? `${def.name} (built-in)` : def.name;
      const id = store.save({ ...def, name }, "gateway-api", now);
      prepared(db, "UPDATE flows SET builtin = ? WHERE id = ?").run(key, id);
    });
    created.push(key);
  }
  return created;
}
