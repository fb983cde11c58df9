/**
 * Flow templates: text with `{variable}` references (`{node_name}`,
 * `{var.site}`, `{payload.reason}`), interpolated when a step runs and
 * escaped for where the value lands.
 */

/** A piece of a parsed template. */
export type TemplatePart = { text: string } | { variable: string; offset: number };

/** Where a rendered template goes, which decides the escaping. */
export type TemplateMode = "text" | "json" | "shell";

const VARIABLE = /\{([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)\}/g;

/** Splits a template into literal text and variable references. */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let at = 0;
  for (const m of template.matchAll(VARIABLE)) {
    if (m.index > at) parts.push({ text: template.slice(at, m.index) });
    parts.push({ variable: m[1]!, offset: m.index });
    at = m.index + m[0].length;
  }
  if (at < template.length) parts.push({ text: template.slice(at) });
  return parts;
}

/** The variables a template names, in order of first use. */
export function variablesOf(template: string): string[] {
  return [...new Set([...template.matchAll(VARIABLE)].map((m) => m[1]!))];
}

/**
 * Where each variable of a template sits: inside a quoted string (JSON or
 * shell) or not. Used to escape JSON and to refuse shell variables inside
 * quotes, where quoting the value would not protect it.
 */
export function quotedVariables(template: string, mode: "json" | "shell"): Map<number, boolean> {
  const inside = new Map<number, boolean>();
  const offsets = new Set([...template.matchAll(VARIABLE)].map((m) => m.index));
  let quote: string | null = null;
  for (let i = 0; i < template.length; i++) {
    if (offsets.has(i)) inside.set(i, quote !== null);
    const c = template[i]!;
    if (quote === null) {
      if (c === '"' || (mode === "shell" && c === "'")) quote = c;
      else if (mode === "shell" && c === "\\") i++;
    } else if (c === quote) {
      quote = null;
    } else if (c === "\\" && (mode === "json" || quote === '"')) {
      i++;
    }
  }
  return inside;
}

function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return JSON.stringify(value) ?? "";
}

/** Quotes a string as one shell word that no value can break out of. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * Interpolates `values` into `template`. In `json`, a variable inside a
 * string literal is JSON-escaped and one outside becomes a JSON literal, so
 * the result stays valid JSON; in `shell`, each value becomes one quoted word;
 * in `text`, values go in as they are.
 *
 * @throws {RangeError} for a variable with no value (validation should have
 *   caught it when the flow was saved).
 */
export function renderTemplate(
  template: string,
  values: Readonly<Record<string, unknown>>,
  mode: TemplateMode,
): string {
  const quoted = mode === "text" ? null : quotedVariables(template, mode);
  return parseTemplate(template).map((part) => {
    if ("text" in part) return part.text;
    if (!(part.variable in values)) {
      throw new RangeError(`Template variable {${part.variable}} has no value`);
    }
    const value = values[part.variable];
    if (mode === "text") return asText(value);
    if (mode === "shell") return shellQuote(asText(value));
    return quoted!.get(part.offset)
      ? JSON.stringify(asText(value)).slice(1, -1)
      : JSON.stringify(value ?? null);
  }).join("");
}
