/**
 * Reading the Flows metadata for the builder's forms: which control a JSON
 * Schema field gets, how a config is edited at a path, which context
 * variables a step may use, and where the API's validation errors belong.
 * Pure functions, so they are tested without a browser.
 */
import type { FlowEdge, FlowStep, JsonSchema, StepTypeMeta } from "./flow_types.ts";

/** The control a field is edited with. */
export type Control =
  | "text"
  | "template"
  | "number"
  | "integer"
  | "boolean"
  | "enum"
  | "const"
  | "string-list"
  | "enum-list"
  | "map"
  | "secret-map"
  | "secret-url"
  | "object"
  | "variants"
  | "union"
  | "unknown";

/**
 * Which control edits `schema`. Templates (text with `{variables}`) are the
 * long text fields or those described as templates; write-only fields (the
 * schema's secret fields) never show their stored value: maps of them
 * (secret headers) get password inputs, a URL shows its host only.
 */
export function controlOf(schema: JsonSchema): Control {
  if (schema.const !== undefined) return "const";
  // A secret URL's schema also admits its masked form (anyOf), but it is edited as one URL.
  if (schema.type === "string" && schema.writeOnly) return "secret-url";
  if (schema.oneOf && discriminator(schema.oneOf)) return "variants";
  if (schema.anyOf || schema.oneOf) return "union";
  if (schema.enum) return "enum";
  switch (schema.type) {
    case "string":
      if (
        !schema.pattern && !schema.format &&
        ((schema.maxLength ?? 0) >= 8192 || /template/i.test(schema.description ?? ""))
      ) return "template";
      return "text";
    case "number":
      return "number";
    case "integer":
      return "integer";
    case "boolean":
      return "boolean";
    case "array":
      return schema.items?.enum ? "enum-list" : "string-list";
    case "object":
      if (schema.properties) return "object";
      if (typeof schema.additionalProperties === "object") {
        return schema.writeOnly ? "secret-map" : "map";
      }
      return "unknown";
  }
  return "unknown";
}

/**
 * The property whose `const` tells the variants of a `oneOf` apart (`check`,
 * `kind`, `type`), or null when they are not all objects with one.
 */
export function discriminator(variants: readonly JsonSchema[]): string | null {
  const first = variants[0]?.properties;
  if (!first) return null;
  for (const key of Object.keys(first)) {
    if (variants.every((v) => v.properties?.[key]?.const !== undefined)) return key;
  }
  return null;
}

/** The variant of a discriminated `oneOf` that `value` is, or the first. */
export function variantOf(variants: readonly JsonSchema[], value: unknown): JsonSchema {
  const key = discriminator(variants)!;
  const tag = (value as Record<string, unknown> | undefined)?.[key];
  return variants.find((v) => v.properties![key]!.const === tag) ?? variants[0]!;
}

/** "auto_resolve" → "Auto resolve", "for_s" → "For (s)", "window_s" → "Window (s)". */
export function fieldLabel(key: string): string {
  const seconds = key.endsWith("_s");
  const words = (seconds ? key.slice(0, -2) : key).replaceAll("_", " ");
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}${seconds ? " (s)" : ""}`;
}

/** A copy of `value` with `path` set to `next` (undefined removes the key). */
export function setAt(value: unknown, path: readonly string[], next: unknown): unknown {
  if (path.length === 0) return next;
  const [head, ...rest] = path as [string, ...string[]];
  const object = value && typeof value === "object" && !Array.isArray(value)
    ? { ...(value as Record<string, unknown>) }
    : {};
  const inner = setAt(object[head], rest, next);
  if (inner === undefined) delete object[head];
  else object[head] = inner;
  return object;
}

/** The value at `path`, or undefined. */
export function getAt(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const key of path) {
    if (!v || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** A new step's config: the discriminators of variant configs chosen, the rest left to defaults. */
export function initialConfig(schema: JsonSchema): Record<string, unknown> {
  if (schema.oneOf && discriminator(schema.oneOf)) {
    const key = discriminator(schema.oneOf)!;
    return { [key]: schema.oneOf[0]!.properties![key]!.const };
  }
  const config: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.properties ?? {})) {
    if (!schema.required?.includes(key)) continue;
    if (field.oneOf && discriminator(field.oneOf)) config[key] = initialConfig(field);
    else if (field.properties) config[key] = initialConfig(field);
  }
  return config;
}

/** A context variable a template may use at a step. */
export interface PickableVariable {
  name: string;
  description: string;
}

/**
 * The variables a template at `stepId` may use, as the gateway checks them
 * at save: those every path from the trigger provides, `prev_result` after
 * the trigger, payload fields of a manual trigger, and flow variables
 * (declared, stored, or set by a `set_variable` step). `inner` adds what
 * `for_each_node` gives its action (the node it runs for).
 */
export function variablesAt(
  stepId: string,
  flow: { steps: readonly FlowStep[]; edges: readonly FlowEdge[] },
  types: readonly StepTypeMeta[],
  descriptions: readonly { name: string; description: string }[],
  options: { storedVariables?: readonly string[]; inner?: boolean } = {},
): PickableVariable[] {
  const typeOf = new Map(flow.steps.map((s) => [s.id, types.find((t) => t.type === s.type)]));
  const preds = new Map<string, string[]>();
  for (const e of flow.edges) (preds.get(e.to) ?? preds.set(e.to, []).get(e.to)!).push(e.from);
  const memo = new Map<string, Set<string>>();
  // Variables guaranteed when `id` starts: what every predecessor had and provided.
  const at = (id: string, visiting: Set<string>): Set<string> => {
    const cached = memo.get(id);
    if (cached) return cached;
    const from = preds.get(id) ?? [];
    if (from.length === 0 || visiting.has(id)) return new Set();
    visiting.add(id);
    const sets = from.map((p) => new Set([...at(p, visiting), ...typeOf.get(p)?.provides ?? []]));
    visiting.delete(id);
    const vars = sets.reduce((a, b) => new Set([...a].filter((v) => b.has(v))));
    vars.add("prev_result");
    memo.set(id, vars);
    return vars;
  };
  const names = at(stepId, new Set());
  if (options.inner) (names.add("node_id"), names.add("node_name"));
  const help = new Map(descriptions.map((d) => [d.name, d.description]));
  const out: PickableVariable[] = descriptions
    .filter((d) => names.has(d.name))
    .map((d) => ({ name: d.name, description: d.description }));
  const trigger = flow.steps.find((s) => typeOf.get(s.id)?.kind === "trigger");
  if (trigger?.type === "manual") {
    for (const f of (trigger.config as { payload_fields?: string[] }).payload_fields ?? []) {
      out.push({ name: `payload.${f}`, description: help.get("payload.NAME") ?? "Payload field" });
    }
  }
  const flowVars = new Set(options.storedVariables ?? []);
  for (const s of flow.steps) {
    const name = s.type === "set_variable" ? (s.config as { name?: unknown }).name : undefined;
    if (typeof name === "string" && name) flowVars.add(name);
  }
  for (const v of [...flowVars].sort()) {
    out.push({ name: `var.${v}`, description: help.get("var.NAME") ?? "Flow variable" });
  }
  return out;
}

/** A validation problem placed where it belongs in the builder. */
export interface PlacedProblem {
  /** The step it names, or null. */
  step: string | null;
  /** The edge (index) it names, or null. */
  edge: number | null;
  /** The config field path within the step (`message`, `action.config.url`), or "" for the step. */
  field: string;
  /** A flow-level field (`name`, `description`) when neither step nor edge. */
  flowField: string | null;
  message: string;
}

/**
 * Places the API's error details (`body.steps.<id or index>.config.<field>`,
 * `body.edges.<i>.branch`, `body.name`) on the step, edge or field they name.
 */
export function placeProblems(
  details: readonly { path: string; message: string }[],
  steps: readonly Pick<FlowStep, "id">[],
): PlacedProblem[] {
  return details.map(({ path, message }) => {
    const parts = path.replace(/^body\./, "").split(".");
    const placed: PlacedProblem = { step: null, edge: null, field: "", flowField: null, message };
    if (parts[0] === "steps" && parts[1] !== undefined) {
      const ref = parts[1];
      const byIndex = /^\d+$/.test(ref) ? steps[Number(ref)]?.id : undefined;
      placed.step = steps.some((s) => s.id === ref) ? ref : byIndex ?? null;
      const rest = parts.slice(2);
      placed.field = rest[0] === "config" ? rest.slice(1).join(".") : rest.join(".");
    } else if (parts[0] === "edges" && parts[1] !== undefined && /^\d+$/.test(parts[1])) {
      placed.edge = Number(parts[1]);
    } else if (parts[0] && parts[0] !== "steps" && parts[0] !== "edges") {
      placed.flowField = parts[0];
    }
    return placed;
  });
}
