/**
 * The builder's step form, generated from a step type's JSON Schema (from
 * `GET /v1/flows/metadata`): one control per field, nested objects and
 * variants (a response check, a node selector, for_each_node's action) as
 * fieldsets, templates as textareas with a context-variable picker, secret
 * header values as password inputs, a stored secret URL as its host with a
 * button to replace it. Errors from the API show on their field.
 */
import type { ComponentChildren, JSX } from "preact";
import { useRef, useState } from "preact/hooks";
import {
  controlOf,
  discriminator,
  fieldLabel,
  initialConfig,
  type PickableVariable,
  setAt,
  variantOf,
} from "../lib/flow_form.ts";
import type { JsonSchema } from "../lib/flow_types.ts";
import { isMaskedUrl } from "../../lib/schemas/secret_mask.ts";

/** Props of {@linkcode ConfigForm}. */
export interface ConfigFormProps {
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (next: Record<string, unknown>) => void;
  /** Prefix of element ids, unique per step. */
  idPrefix: string;
  /** Error messages by field path (`message`, `action.config.url`). */
  errors: ReadonlyMap<string, string[]>;
  /** Variables a template may use; `inner` inside for_each_node's action. */
  variables: (inner: boolean) => PickableVariable[];
  /** Rendered after the field at `path` (the metric preview after a threshold's value). */
  after?: (path: readonly string[]) => ComponentChildren;
}

interface FieldCtx {
  props: ConfigFormProps;
  setAtPath: (path: readonly string[], next: unknown) => void;
}

/** See the module comment. */
export function ConfigForm(props: ConfigFormProps): JSX.Element {
  const ctx: FieldCtx = {
    props,
    setAtPath: (path, next) =>
      props.onChange((setAt(props.value, path, next) ?? {}) as Record<string, unknown>),
  };
  return (
    <div class="config-form">
      <ObjectFields ctx={ctx} schema={props.schema} path={[]} value={props.value} />
    </div>
  );
}

function ObjectFields(
  { ctx, schema, path, value }: {
    ctx: FieldCtx;
    schema: JsonSchema;
    path: readonly string[];
    value: unknown;
  },
) {
  if (schema.oneOf && discriminator(schema.oneOf)) {
    return <Variants ctx={ctx} schema={schema} path={path} value={value} label="Kind" />;
  }
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([key, field]) => (
        <SchemaField
          key={key}
          ctx={ctx}
          schema={field}
          path={[...path, key]}
          value={(value as Record<string, unknown> | undefined)?.[key]}
          required={schema.required?.includes(key) ?? false}
        />
      ))}
    </>
  );
}

/** A `oneOf` of objects told apart by one const property: a select, then the chosen one's fields. */
function Variants(
  { ctx, schema, path, value, label }: {
    ctx: FieldCtx;
    schema: JsonSchema;
    path: readonly string[];
    value: unknown;
    label: string;
  },
) {
  const variants = schema.oneOf!;
  const key = discriminator(variants)!;
  const chosen = variantOf(variants, value);
  const id = fieldId(ctx, [...path, key]);
  const { [key]: _tag, ...rest } = chosen.properties ?? {};
  return (
    <>
      <div class="field">
        <label for={id}>{path.length ? `${label}: ${fieldLabel(key)}` : fieldLabel(key)}</label>
        <select
          id={id}
          value={String(chosen.properties![key]!.const)}
          onChange={(e) => {
            const tag = e.currentTarget.value;
            const next = variants.find((v) => String(v.properties![key]!.const) === tag)!;
            ctx.setAtPath(path, { ...initialConfig(next), [key]: next.properties![key]!.const });
          }}
        >
          {variants.map((v) => {
            const tag = String(v.properties![key]!.const);
            return <option key={tag} value={tag}>{tag.replaceAll("_", " ")}</option>;
          })}
        </select>
        {chosen.description && <small class="hint">{chosen.description}</small>}
        <Errors ctx={ctx} path={[...path, key]} />
      </div>
      <ObjectFields
        ctx={ctx}
        schema={{ ...chosen, properties: rest }}
        path={path}
        value={value}
      />
    </>
  );
}

function fieldId(ctx: FieldCtx, path: readonly string[]): string {
  return `${ctx.props.idPrefix}-${path.join("-") || "root"}`;
}

function Errors({ ctx, path }: { ctx: FieldCtx; path: readonly string[] }) {
  const messages = ctx.props.errors.get(path.join("."));
  if (!messages?.length) return null;
  return (
    <>
      {messages.map((m) => <span key={m} class="field-error" role="alert">{m}</span>)}
    </>
  );
}

function SchemaField(
  { ctx, schema, path, value, required }: {
    ctx: FieldCtx;
    schema: JsonSchema;
    path: readonly string[];
    value: unknown;
    required: boolean;
  },
): JSX.Element | null {
  const key = path[path.length - 1] ?? "";
  const label = fieldLabel(key);
  const id = fieldId(ctx, path);
  const hintId = `${id}-hint`;
  const control = controlOf(schema);
  const set = (next: unknown) => ctx.setAtPath(path, next);
  const invalid = ctx.props.errors.has(path.join(".")) || undefined;
  const hint = schema.description
    ? <small id={hintId} class="hint">{schema.description}</small>
    : null;
  const described = schema.description ? hintId : undefined;
  const labelEl = (
    <label for={id}>
      {label}
      {required && <span class="req" aria-hidden="true">*</span>}
    </label>
  );
  const after = ctx.props.after?.(path);

  switch (control) {
    case "const":
      return null;
    case "object":
      return (
        <fieldset class="nested">
          <legend>{label}</legend>
          <ObjectFields ctx={ctx} schema={schema} path={path} value={value} />
          <Errors ctx={ctx} path={path} />
        </fieldset>
      );
    case "variants":
      return (
        <fieldset class="nested">
          <legend>{label}</legend>
          {hint}
          <Variants ctx={ctx} schema={schema} path={path} value={value} label={label} />
          <Errors ctx={ctx} path={path} />
        </fieldset>
      );
    case "boolean":
      return (
        <div class="field">
          <label class="check" for={id}>
            <input
              id={id}
              type="checkbox"
              checked={(value ?? schema.default ?? false) as boolean}
              aria-describedby={described}
              onChange={(e) => set(e.currentTarget.checked)}
            />
            {label}
          </label>
          {hint}
          <Errors ctx={ctx} path={path} />
        </div>
      );
    case "enum": {
      const current = value ?? schema.default;
      return (
        <div class="field">
          {labelEl}
          <select
            id={id}
            value={current === undefined ? "" : String(current)}
            required={required}
            aria-invalid={invalid}
            aria-describedby={described}
            onChange={(e) => {
              const v = e.currentTarget.value;
              set(v === "" ? undefined : schema.enum!.find((o) => String(o) === v));
            }}
          >
            {current === undefined && <option value="">Choose…</option>}
            {schema.enum!.map((o) => <option key={String(o)} value={String(o)}>{String(o)}
            </option>)}
          </select>
          {hint}
          <Errors ctx={ctx} path={path} />
        </div>
      );
    }
    case "enum-list": {
      const chosen = new Set((value as string[] | undefined) ?? []);
      return (
        <fieldset class="nested checks" aria-describedby={described}>
          <legend>
            {label}
            {required && <span class="req" aria-hidden="true">*</span>}
          </legend>
          {schema.items!.enum!.map((o) => (
            <label class="check" key={String(o)}>
              <input
                type="checkbox"
                checked={chosen.has(String(o))}
                onChange={(e) => {
                  const next = new Set(chosen);
                  if (e.currentTarget.checked) next.add(String(o));
                  else next.delete(String(o));
                  const list = schema.items!.enum!.map(String).filter((x) => next.has(x));
                  set(list.length || required ? list : undefined);
                }}
              />
              {String(o).replaceAll("_", " ")}
            </label>
          ))}
          {hint}
          <Errors ctx={ctx} path={path} />
        </fieldset>
      );
    }
    case "template":
      return (
        <TemplateField
          ctx={ctx}
          id={id}
          label={labelEl}
          labelText={label}
          value={typeof value === "string" ? value : ""}
          required={required}
          invalid={invalid}
          described={described}
          inner={path.includes("action")}
          onInput={(v) => set(v === "" && !required ? undefined : v)}
        >
          {hint}
          <Errors ctx={ctx} path={path} />
        </TemplateField>
      );
    case "map":
    case "secret-map":
      return (
        <MapField
          id={id}
          label={label}
          value={(value ?? {}) as Record<string, string>}
          secret={control === "secret-map"}
          onChange={(next) => set(Object.keys(next).length ? next : undefined)}
        >
          {hint}
          <Errors ctx={ctx} path={path} />
        </MapField>
      );
    case "secret-url":
      return (
        <SecretUrlField
          id={id}
          label={labelEl}
          value={typeof value === "string" ? value : undefined}
          required={required}
          invalid={invalid}
          described={described}
          onChange={set}
        >
          {hint}
          <Errors ctx={ctx} path={path} />
        </SecretUrlField>
      );
    case "union":
      return <UnionField ctx={ctx} schema={schema} path={path} value={value} required={required} />;
    case "text":
    case "number":
    case "integer":
    case "string-list": {
      const numeric = control === "number" || control === "integer";
      const shown = value === undefined
        ? ""
        : Array.isArray(value)
        ? value.join(", ")
        : String(value);
      const placeholder = schema.default !== undefined && schema.default !== null
        ? `${Array.isArray(schema.default) ? schema.default.join(", ") : String(schema.default)}`
        : control === "string-list"
        ? "comma-separated"
        : undefined;
      return (
        <div class="field">
          {labelEl}
          <LocalInput
            id={id}
            inputMode={control === "integer" ? "numeric" : numeric ? "decimal" : undefined}
            value={shown}
            required={required}
            placeholder={placeholder}
            invalid={invalid}
            described={described}
            onText={(text) => {
              if (text.trim() === "") {
                return set(
                  control === "string-list" && required ? [] : undefined,
                );
              }
              if (numeric) {
                const n = Number(text);
                return set(Number.isFinite(n) ? n : undefined);
              }
              if (control === "string-list") return set(text.split(/[\s,]+/).filter(Boolean));
              set(text);
            }}
          />
          {hint}
          <Errors ctx={ctx} path={path} />
          {after}
        </div>
      );
    }
    default:
      return (
        <div class="field">
          <span class="muted">{label}: edit this field through the API</span>
        </div>
      );
  }
}

/** An input that keeps what is typed ("1.", "a, ") while its parsed value goes up. */
function LocalInput(
  props: {
    id: string;
    inputMode: "numeric" | "decimal" | undefined;
    value: string;
    required: boolean;
    placeholder: string | undefined;
    invalid: boolean | undefined;
    described: string | undefined;
    onText: (text: string) => void;
  },
) {
  const [text, setText] = useState(props.value);
  const [seen, setSeen] = useState(props.value);
  // A change from outside (a metric preview's "use" button) replaces what is typed.
  if (props.value !== seen) {
    setSeen(props.value);
    setText(props.value);
  }
  return (
    <input
      id={props.id}
      inputMode={props.inputMode}
      value={text}
      required={props.required}
      placeholder={props.placeholder}
      aria-invalid={props.invalid}
      aria-describedby={props.described}
      onInput={(e) => {
        const v = e.currentTarget.value;
        setText(v);
        props.onText(v);
      }}
    />
  );
}

/** A template: a textarea and a picker that inserts a `{variable}` at the cursor. */
function TemplateField(
  props: {
    ctx: FieldCtx;
    id: string;
    label: ComponentChildren;
    labelText: string;
    value: string;
    required: boolean;
    invalid: boolean | undefined;
    described: string | undefined;
    inner: boolean;
    onInput: (value: string) => void;
    children: ComponentChildren;
  },
) {
  const area = useRef<HTMLTextAreaElement>(null);
  const variables = props.ctx.props.variables(props.inner);
  const insert = (name: string) => {
    const el = area.current;
    const token = `{${name}}`;
    const start = el?.selectionStart ?? props.value.length;
    const end = el?.selectionEnd ?? start;
    const next = props.value.slice(0, start) + token + props.value.slice(end);
    props.onInput(next);
    // Back to the text with the cursor after the variable, once the new value is rendered.
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      el.setSelectionRange(start + token.length, start + token.length);
    });
  };
  return (
    <div class="field template">
      {props.label}
      <textarea
        ref={area}
        id={props.id}
        rows={3}
        value={props.value}
        required={props.required}
        aria-invalid={props.invalid}
        aria-describedby={props.described}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <select
        class="var-picker"
        aria-label={`Insert variable into ${props.labelText}`}
        value=""
        onChange={(e) => {
          const name = e.currentTarget.value;
          e.currentTarget.value = "";
          if (name) insert(name);
        }}
      >
        <option value="">Insert variable…</option>
        {variables.map((v) => (
          <option key={v.name} value={v.name} title={v.description}>
            {`{${v.name}}`} — {v.description}
          </option>
        ))}
      </select>
      {props.children}
    </div>
  );
}

/** Name/value rows: labels, headers, secret headers (password inputs, never shown again). */
function MapField(
  props: {
    id: string;
    label: string;
    value: Record<string, string>;
    secret: boolean;
    onChange: (next: Record<string, string>) => void;
    children: ComponentChildren;
  },
) {
  const [rows, setRows] = useState(() => Object.entries(props.value).map(([k, v]) => ({ k, v })));
  const update = (next: { k: string; v: string }[]) => {
    setRows(next);
    props.onChange(
      Object.fromEntries(next.filter((r) => r.k.trim()).map((r) => [r.k.trim(), r.v])),
    );
  };
  const setValue = (i: number, v: string) => update(rows.map((r, j) => j === i ? { ...r, v } : r));
  const singular = props.label.replace(/s$/, "").toLowerCase();
  return (
    <fieldset class="nested map">
      <legend>{props.label}</legend>
      {rows.map((row, i) => (
        <div class="map-row" key={i}>
          <label>
            Name
            <input
              value={row.k}
              onInput={(e) =>
                update(rows.map((r, j) => j === i ? { ...r, k: e.currentTarget.value } : r))}
            />
          </label>
          <label>
            Value
            {props.secret
              ? (
                <input
                  type="password"
                  autoComplete="off"
                  value={row.v}
                  placeholder="stored — leave empty to keep"
                  onInput={(e) => setValue(i, e.currentTarget.value)}
                />
              )
              : <input value={row.v} onInput={(e) => setValue(i, e.currentTarget.value)} />}
          </label>
          <button
            type="button"
            class="secondary"
            aria-label={`Remove ${singular} ${row.k || i + 1}`}
            onClick={() => update(rows.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" class="secondary" onClick={() => setRows([...rows, { k: "", v: "" }])}>
        Add {singular}
      </button>
      {props.children}
    </fieldset>
  );
}

/**
 * A write-only URL (a Slack or Teams webhook). A stored one is shown as the
 * API answers it, its host only, and saved back as it is the gateway keeps
 * it; "Replace" takes a new URL, "Keep stored URL" goes back to the old one.
 */
function SecretUrlField(
  props: {
    id: string;
    label: ComponentChildren;
    value: string | undefined;
    required: boolean;
    invalid: boolean | undefined;
    described: string | undefined;
    onChange: (next: string | undefined) => void;
    children: ComponentChildren;
  },
) {
  const [stored] = useState(() => isMaskedUrl(props.value) ? props.value : null);
  const replacing = stored === null || props.value !== stored;
  return (
    <div class="field">
      {props.label}
      <div class="secret-row">
        {replacing
          ? (
            <input
              id={props.id}
              type="url"
              autoComplete="off"
              value={props.value ?? ""}
              required={props.required}
              placeholder="https://…"
              aria-invalid={props.invalid}
              aria-describedby={props.described}
              onInput={(e) => props.onChange(e.currentTarget.value || undefined)}
            />
          )
          : (
            <input
              id={props.id}
              value={stored}
              title={stored}
              readOnly
              aria-invalid={props.invalid}
              aria-describedby={props.described}
            />
          )}
        {replacing
          ? stored !== null && (
            <button
              type="button"
              class="secondary"
              onClick={() => props.onChange(stored)}
            >
              Keep stored URL
            </button>
          )
          : (
            <button type="button" class="secondary" onClick={() => props.onChange(undefined)}>
              Replace
            </button>
          )}
      </div>
      {props.children}
    </div>
  );
}

/** Which alternative of an `anyOf` a value is. */
function altMatches(alt: JsonSchema, value: unknown): boolean {
  if (alt.const !== undefined) return value === alt.const;
  if (value === null) return alt.type === "null";
  if (Array.isArray(value)) return alt.type === "array";
  if (alt.type === "integer") return Number.isInteger(value);
  const kind: string = typeof value;
  return kind === alt.type;
}

function altName(alt: JsonSchema): string {
  if (alt.const !== undefined) return String(alt.const);
  return {
    array: "list",
    string: "text",
    number: "number",
    integer: "number",
    boolean: "true or false",
    null: "nothing (null)",
  }[
    alt.type ?? ""
  ] ?? "other";
}

function altEmpty(alt: JsonSchema): unknown {
  if (alt.const !== undefined) return alt.const;
  return {
    array: [],
    string: "",
    number: 0,
    integer: 0,
    boolean: false,
    null: null,
  }[alt.type ?? ""];
}

/** "all" or a list of node ids; "trigger" or a node id; a JSON value of some type. */
function UnionField(
  { ctx, schema, path, value, required }: {
    ctx: FieldCtx;
    schema: JsonSchema;
    path: readonly string[];
    value: unknown;
    required: boolean;
  },
) {
  const alts = (schema.anyOf ?? schema.oneOf)!;
  const current = value === undefined ? schema.default : value;
  const index = Math.max(0, alts.findIndex((a) => altMatches(a, current)));
  const alt = alts[index]!;
  const key = path[path.length - 1] ?? "";
  const id = fieldId(ctx, path);
  return (
    <fieldset class="nested union">
      <legend>
        {fieldLabel(key)}
        {required && <span class="req" aria-hidden="true">*</span>}
      </legend>
      {schema.description && <small class="hint">{schema.description}</small>}
      <div class="field">
        <label for={`${id}-kind`}>{fieldLabel(key)}: which</label>
        <select
          id={`${id}-kind`}
          value={String(index)}
          onChange={(e) => ctx.setAtPath(path, altEmpty(alts[Number(e.currentTarget.value)]!))}
        >
          {alts.map((a, i) => <option key={i} value={String(i)}>{altName(a)}</option>)}
        </select>
      </div>
      {alt.const === undefined && alt.type !== "null" && (
        <SchemaField
          ctx={ctx}
          schema={withoutDescription(alt)}
          path={path}
          value={current}
          required={required}
        />
      )}
      {(alt.const !== undefined || alt.type === "null") && <Errors ctx={ctx} path={path} />}
    </fieldset>
  );
}

/** The alternative without its own description: the union's legend already says it. */
function withoutDescription(schema: JsonSchema): JsonSchema {
  const { description: _description, ...rest } = schema;
  return rest;
}
