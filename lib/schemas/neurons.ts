import { z } from "zod";
import { nodeIdSchema, singleLineText } from "./common.ts";

/** The four standard components of every neuron. */
export const NEURON_COMPONENTS = ["sensor", "thought", "memory", "send"] as const;
export const neuronComponentSchema = z.enum(NEURON_COMPONENTS);
export type NeuronComponent = z.infer<typeof neuronComponentSchema>;

export const neuronIdSchema = z.string().regex(/^[a-z0-9]{1,16}$/, {
  message: "use 1-16 lowercase letters and digits, e.g. n01",
});

const COMPONENT_NAME = /^brain-(sensor|thought|memory|send)-([a-z0-9]{1,16})$/;

/** `brain-<component>-<neuron>`, e.g. `brain-sensor-n01`. */
export const componentNameSchema = z.string().regex(COMPONENT_NAME, {
  message: "expected brain-<sensor|thought|memory|send>-<neuron>, e.g. brain-sensor-n01",
});

/** Splits a valid component name; returns null if it does not follow the convention. */
export function parseComponentName(
  name: string,
): { component: NeuronComponent; neuron: string } | null {
  const m = COMPONENT_NAME.exec(name);
  return m ? { component: m[1] as NeuronComponent, neuron: m[2]! } : null;
}

/** Builds `brain-<component>-<neuron>`. */
export function componentName(component: NeuronComponent, neuron: string): string {
  return `brain-${component}-${neuron}`;
}

export const createNeuronSchema = z.strictObject({
  id: neuronIdSchema,
  description: singleLineText().max(200).default(""),
});

export const placementSchema = z.strictObject({
  component: componentNameSchema,
  node_id: nodeIdSchema,
});

export const neuronSchema = z.object({
  id: z.string(),
  description: z.string(),
  components: z.array(z.object({
    name: z.string(),
    component: neuronComponentSchema,
    nodes: z.array(z.object({ id: z.string(), name: z.string() })),
  })),
});

/** `GET /v1/neurons`. */
export const neuronListSchema = z.object({ neurons: z.array(neuronSchema) });

/** `GET /v1/neurons/{id}`: a neuron and every device hosting any of its components. */
export const neuronDetailSchema = neuronSchema.extend({
  devices: z.array(z.object({ id: z.string(), name: z.string() })).describe(
    "Every device hosting any of the neuron's components",
  ),
});

/** Path parameters of `/v1/neurons/{id}`. */
export const neuronIdParamsSchema = z.object({ id: neuronIdSchema });

/** Path parameters of `/v1/neurons/placements/{component}/{node_id}`. */
export const placementParamsSchema = z.object({
  component: componentNameSchema,
  node_id: nodeIdSchema,
});

export const nodeNeuronComponentSchema = z.object({
  name: z.string(),
  neuron: z.string(),
  component: neuronComponentSchema,
});

/** `GET /v1/nodes/{id}/neurons`. */
export const nodeNeuronComponentListSchema = z.object({
  components: z.array(nodeNeuronComponentSchema),
});
