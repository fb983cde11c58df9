/** Wire shapes of the neurons API, from its schemas, and what each component is for. */
import type { z } from "zod";
import type { NeuronComponent, neuronSchema } from "../../lib/schemas/neurons.ts";

export type Neuron = z.infer<typeof neuronSchema>;
export type { NeuronComponent };

/** Each component's role, as the architecture document describes it. */
export const COMPONENT_ROLES: Record<NeuronComponent, string> = {
  sensor: "Gathers input: GPIO reads, GPS, radio signal, camera",
  thought: "Processing, routing, coordination, decisions",
  memory: "Persistent state: telemetry storage, config, logs",
  send: "Output: HaLow radio, LoRa, WiFi mesh, display",
};

/** A device and the neuron components it hosts, by component name. */
export interface NeuronDevice {
  id: string;
  name: string;
  status: string | null;
  components: string[];
}

/** Inverts neurons → components → devices into devices → component names, by device name. */
export function devicesOf(
  neurons: readonly Neuron[],
  statusOf: (id: string) => string | null,
): NeuronDevice[] {
  const devices = new Map<string, NeuronDevice>();
  for (const neuron of neurons) {
    for (const comp of neuron.components) {
      for (const n of comp.nodes) {
        const d = devices.get(n.id) ??
          devices.set(n.id, { id: n.id, name: n.name, status: statusOf(n.id), components: [] })
            .get(n.id)!;
        d.components.push(comp.name);
      }
    }
  }
  return [...devices.values()].sort((a, b) => a.name.localeCompare(b.name));
}
