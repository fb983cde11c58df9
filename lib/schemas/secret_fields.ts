/**
 * Secret fields of step configs, declared once on the zod schema with
 * {@linkcode secretField}: the JSON Schema and the OpenAPI document say
 * `writeOnly: true`, and masking an answer, keeping a stored secret on save
 * and redacting a trace all find the fields by walking the schema, so a new
 * secret field is covered everywhere by being declared.
 */
import { z } from "zod";
import {
  isMaskedUrl,
  MASKED_URL_PATTERN,
  maskUrl,
  SECRET_MASK,
  SECRET_REDACTED,
} from "./secret_mask.ts";

/**
 * How a secret field is answered: `url`, a credential URL (Slack, Teams),
 * as its scheme and host only; `header_values`, a map whose names are shown
 * and whose values are answered empty.
 */
export type SecretKind = "url" | "header_values";

/** The secret fields of every schema, by the field's own schema instance. */
const secretFields = z.registry<{ kind: SecretKind }>();

/** Declares `schema` a secret field of `kind`; `description` says how it is answered. */
export function secretField<T extends z.ZodType>(
  schema: T,
  kind: SecretKind,
  description: string,
): T {
  const field = schema.meta({ writeOnly: true, description }) as T;
  secretFields.add(field, { kind });
  return field;
}

/**
 * A `z.toJSONSchema` override for documents: a secret URL is also answered
 * and sent back masked (`https://host/…`), which is not a URI, so its JSON
 * Schema takes either form.
 */
export function documentSecretFields(
  ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> },
): void {
  if (secretFields.get(ctx.zodSchema as z.ZodType)?.kind !== "url") return;
  const { format, pattern: _, ...rest } = ctx.jsonSchema;
  for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
  Object.assign(ctx.jsonSchema, {
    ...rest,
    anyOf: [{ format }, { pattern: MASKED_URL_PATTERN, description: "a stored URL as answered" }],
  });
}

/** A text to hide in a trace, and what shows instead. */
export interface Redaction {
  secret: string;
  shown: string;
}

interface KindRules {
  mask(value: unknown): unknown;
  /** The value to store for `sent` when `stored` is the value already there. */
  keep(sent: unknown, stored: unknown): { value: unknown } | { problem: string };
  redactions(value: unknown): Redaction[];
}

/** Words of 8 or more characters: a receiver may echo a token without what surrounds it. */
const words = (text: string, split: RegExp) => text.split(split).filter((w) => w.length >= 8);
const hidden = (secret: string): Redaction => ({ secret, shown: SECRET_REDACTED });

const KINDS: Record<SecretKind, KindRules> = {
  url: {
    mask: (value) => typeof value === "string" ? maskUrl(value) : value,
    keep: (sent, stored) => {
      if (typeof stored === "string" && sent === maskUrl(stored)) return { value: stored };
      if (isMaskedUrl(sent)) {
        return {
          problem:
            `"${sent}" is how a stored URL is shown; it keeps the URL only where one is stored: give the full URL`,
        };
      }
      return { value: sent };
    },
    redactions: (value) => {
      if (typeof value !== "string" || value === "") return [];
      const shown = maskUrl(value);
      if (!URL.canParse(value)) return [{ secret: value, shown }];
      const url = new URL(value);
      // What follows the host, as written and as the URL parser writes it (fetch errors quote that).
      const rests = [
        /^[^:]*:\/\/[^/?#]*(.*)$/s.exec(value)?.[1] ?? "",
        url.pathname + url.search + url.hash,
      ];
      const parts = [...rests, safeDecode(rests[0]!), url.username, url.password]
        .flatMap((r) => words(r, /[/?&=#;:@]+/)).filter((w) => !shown.includes(w));
      return [
        { secret: value, shown },
        { secret: url.href, shown },
        ...rests.filter((r) => r.length > 1).map((secret) => ({ secret, shown: "/…" })),
        ...parts.map(hidden),
      ];
    },
  },
  header_values: {
    mask: (value) => mapValues(value, () => SECRET_MASK),
    keep: (sent, stored) => ({
      value: mapValues(sent, (v, name) => {
        const before = (stored as Record<string, unknown> | undefined)?.[name];
        return v === SECRET_MASK && typeof before === "string" ? before : v;
      }),
    }),
    redactions: (value) =>
      Object.values(isRecord(value) ? value : {}).filter((v) => typeof v === "string")
        .flatMap((v) => [...v.trim() !== "" ? [v] : [], ...words(v, /\s+/)]).map(hidden),
  },
};

/** Where a secret field sits in a config, what kind it is, and its value there. */
export interface SecretSlot {
  path: readonly string[];
  kind: SecretKind;
  value: unknown;
}

/** The secret fields `config` has, as `schema` (a step type's) declares them. */
export function secretSlots(schema: z.ZodType | undefined, config: unknown): SecretSlot[] {
  const slots: SecretSlot[] = [];
  if (schema) walk(schema, config, [], slots);
  return slots;
}

/** A copy of `config` with each secret field as it is answered. */
export function maskSecrets<T>(schema: z.ZodType | undefined, config: T): T {
  const copy = structuredClone(config);
  for (const slot of secretSlots(schema, copy)) {
    setAt(copy, slot.path, KINDS[slot.kind].mask(slot.value));
  }
  return copy;
}

/**
 * The config to store for `sent`: each secret field sent as it was answered
 * keeps its value in `stored` (the same step's or template's config).
 *
 * @returns the config, and the secret fields that were sent masked with
 * nothing stored to keep (path within the config, and why).
 */
export function keepSecrets(
  schema: z.ZodType | undefined,
  sent: Record<string, unknown>,
  stored: Record<string, unknown> | undefined,
): { config: Record<string, unknown>; problems: { path: string; message: string }[] } {
  const config = structuredClone(sent);
  const problems: { path: string; message: string }[] = [];
  for (const slot of secretSlots(schema, config)) {
    const kept = KINDS[slot.kind].keep(slot.value, getAt(stored, slot.path));
    if ("problem" in kept) problems.push({ path: slot.path.join("."), message: kept.problem });
    else setAt(config, slot.path, kept.value);
  }
  return { config, problems };
}

/** What to hide in the texts a step with `config` produces, longest first. */
export function secretRedactions(schema: z.ZodType | undefined, config: unknown): Redaction[] {
  return combineRedactions(
    secretSlots(schema, config).map((s) => KINDS[s.kind].redactions(s.value)),
  );
}

/**
 * Several lists of redactions as one, longest first: a secret is hidden
 * whole before its parts. One its own replacement shows (a URL with nothing
 * after its host) is left out, so redacting twice changes nothing more.
 */
export function combineRedactions(lists: readonly (readonly Redaction[])[]): Redaction[] {
  const useful = lists.flat().filter((r) => !r.shown.includes(r.secret));
  const unique = new Map(useful.map((r) => [r.secret, r] as const));
  return [...unique.values()].sort((a, b) => b.secret.length - a.secret.length);
}

/** `text` with every secret of `redactions` replaced. */
export function redactText(text: string, redactions: readonly Redaction[]): string {
  let out = text;
  for (const { secret, shown } of redactions) out = out.replaceAll(secret, shown);
  return out;
}

/**
 * A copy of `value` (JSON) with each string redacted; iterative, so a deeply
 * nested value cannot overflow the stack.
 */
export function redactValue(value: unknown, redactions: readonly Redaction[]): unknown {
  if (redactions.length === 0) return value;
  const root: Record<string, unknown> = {};
  const stack: [unknown, Record<string, unknown>, string][] = [[value, root, "value"]];
  while (stack.length) {
    const [v, holder, key] = stack.pop()!;
    if (v && typeof v === "object") {
      const copy = (Array.isArray(v) ? [] : {}) as Record<string, unknown>;
      holder[key] = copy;
      for (const [k, item] of Object.entries(v)) {
        copy[k] = undefined; // keeps the key order while the stack fills it in reverse
        stack.push([item, copy, k]);
      }
    } else holder[key] = typeof v === "string" ? redactText(v, redactions) : v;
  }
  return root.value;
}

/** The parts of a zod schema definition the walk reads. */
interface WalkedDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  element?: z.ZodType;
  valueType?: z.ZodType;
}

const WRAPPERS = new Set(["default", "prefault", "optional", "nullable", "readonly", "catch"]);

function walk(schema: z.ZodType, value: unknown, path: string[], out: SecretSlot[]): void {
  const declared = secretFields.get(schema);
  if (declared) {
    if (value !== undefined) out.push({ path, kind: declared.kind, value });
    return;
  }
  // zod keeps a schema's structure in `_zod.def`; its public types do not name every variant.
  const def = schema._zod.def as unknown as WalkedDef;
  if (WRAPPERS.has(def.type) && def.innerType) return walk(def.innerType, value, path, out);
  if (def.type === "pipe" && def.in) return walk(def.in, value, path, out);
  if (def.type === "object" && def.shape && isRecord(value)) {
    for (const [key, field] of Object.entries(def.shape)) {
      walk(field, value[key], [...path, key], out);
    }
  } else if (def.type === "union" && def.options) {
    const tag = def.discriminator && isRecord(value) ? value[def.discriminator] : undefined;
    const options = def.discriminator
      ? def.options.filter((o) => o._zod.propValues?.[def.discriminator!]?.has(tag as string))
      : def.options;
    const found: SecretSlot[] = [];
    for (const option of options) walk(option, value, path, found);
    const paths = new Set<string>();
    for (const slot of found) {
      const at = slot.path.join("\0");
      if (!paths.has(at)) (paths.add(at), out.push(slot));
    }
  } else if (def.type === "array" && def.element && Array.isArray(value)) {
    value.forEach((item, i) => walk(def.element!, item, [...path, String(i)], out));
  } else if (def.type === "record" && def.valueType && isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      walk(def.valueType, item, [...path, key], out);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function mapValues(value: unknown, f: (v: unknown, key: string) => unknown): unknown {
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, f(v, k)]));
}

function getAt(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const key of path) v = isRecord(v) || Array.isArray(v) ? (v as never)[key] : undefined;
  return v;
}

function setAt(value: unknown, path: readonly string[], next: unknown): void {
  if (path.length === 0) return;
  const holder = getAt(value, path.slice(0, -1)) as Record<string, unknown>;
  holder[path.at(-1)!] = next;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
