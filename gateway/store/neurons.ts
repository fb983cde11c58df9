import type { DatabaseSync } from "node:sqlite";
import type { z } from "zod";
import {
  componentName,
  NEURON_COMPONENTS,
  type NeuronComponent,
  type neuronSchema,
  type nodeNeuronComponentSchema,
} from "../../lib/schemas/neurons.ts";
import { prepared } from "../../lib/db/database.ts";

export type Neuron = z.infer<typeof neuronSchema>;
export type NodeNeuronComponent = z.infer<typeof nodeNeuronComponentSchema>;

/** The brain/neuron model: neurons, and which devices run each of their four components. */
export class NeuronStore {
  constructor(private readonly db: DatabaseSync) {}

  /** Every neuron, by id, with the live devices hosting each component. */
  list(): Neuron[] {
    return this.#read();
  }

  get(id: string): Neuron | null {
    return this.#read(id)[0] ?? null;
  }

  exists(id: string): boolean {
    return prepared(this.db, "SELECT 1 FROM neurons WHERE id = ?").get(id) !== undefined;
  }

  create(id: string, description: string, now: number): void {
    prepared(this.db, "INSERT INTO neurons (id, description, created_at) VALUES (?, ?, ?)").run(
      id,
      description,
      now,
    );
  }

  /** Deletes the neuron and its placements; false when there was none. */
  delete(id: string): boolean {
    return prepared(this.db, "DELETE FROM neurons WHERE id = ?").run(id).changes !== 0;
  }

  /** Runs the component on the node; placing it twice is the same as once. */
  place(neuronId: string, component: NeuronComponent, nodeId: string): void {
    prepared(
      this.db,
      "INSERT OR IGNORE INTO neuron_placements (neuron_id, component, node_id) VALUES (?, ?, ?)",
    ).run(neuronId, component, nodeId);
  }

  /** False when the component was not placed on that node. */
  unplace(neuronId: string, component: NeuronComponent, nodeId: string): boolean {
    return prepared(
      this.db,
      "DELETE FROM neuron_placements WHERE neuron_id = ? AND component = ? AND node_id = ?",
    ).run(neuronId, component, nodeId).changes !== 0;
  }

  /** The neuron components placed on a node, by neuron and component. */
  onNode(nodeId: string): NodeNeuronComponent[] {
    const rows = prepared(
      this.db,
      "SELECT neuron_id, component FROM neuron_placements WHERE node_id = ? ORDER BY neuron_id, component",
    ).all(nodeId) as { neuron_id: string; component: NeuronComponent }[];
    return rows.map((r) => ({
      name: componentName(r.component, r.neuron_id),
      neuron: r.neuron_id,
      component: r.component,
    }));
  }

  #read(id?: string): Neuron[] {
    const neurons = prepared(
      this.db,
      `SELECT id, description FROM neurons ${id === undefined ? "" : "WHERE id = ?"} ORDER BY id`,
    ).all(...(id === undefined ? [] : [id])) as { id: string; description: string }[];
    const placements = prepared(
      this.db,
      `SELECT p.component, n.id, n.name FROM neuron_placements p JOIN nodes n ON n.id = p.node_id
       WHERE p.neuron_id = ? AND n.decommissioned_at IS NULL ORDER BY n.name`,
    );
    return neurons.map((neuron) => {
      const rows = placements.all(neuron.id) as { component: string; id: string; name: string }[];
      return {
        id: neuron.id,
        description: neuron.description,
        components: NEURON_COMPONENTS.map((component) => ({
          name: componentName(component, neuron.id),
          component,
          nodes: rows.filter((r) => r.component === component).map((r) => ({
            id: r.id,
            name: r.name,
          })),
        })),
      };
    });
  }
}
