/**
 * Reads the gateway's own OpenAPI document so tests walk the routes it
 * declares rather than a list that can fall out of step with the code.
 */

/** The part of JSON Schema the gateway's zod schemas produce that tests look at. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  additionalProperties?: boolean | JsonSchema;
  default?: unknown;
  minProperties?: number;
  maxProperties?: number;
  format?: string;
  description?: string;
}

/** A response an operation declares for one status. */
export interface DeclaredResponse {
  description?: string;
  /** Media types the answer may have, with the schema of each. */
  content?: Record<string, { schema?: JsonSchema }>;
  headers?: Record<string, { required?: boolean; schema?: JsonSchema }>;
}

/** One path or query parameter of an operation. */
export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: JsonSchema;
}

/** One method on one path, as the document declares it. */
export interface Operation {
  /** Upper case, e.g. `POST`. */
  method: string;
  /** OpenAPI path with `{param}` placeholders, e.g. `/v1/nodes/{id}`. */
  path: string;
  /** `x-halo-access`; undefined when a route forgot to declare it. */
  access: string | undefined;
  parameters: Parameter[];
  /** Content types the request body accepts, with their schemas. */
  body: Record<string, JsonSchema> | undefined;
  /** `METHOD path`, the key tests use for per-route fixtures. */
  key: string;
  /** The answers it declares, by status (`"200"`, `"404"` …). */
  responses: Record<string, DeclaredResponse>;
}

/** The parts of the gateway's OpenAPI document tests read. */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components?: Record<string, unknown>;
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Fetches `GET /v1/openapi.json` through `request` and lists every operation in it. */
export async function loadOperations(
  request: (path: string) => Promise<Response>,
): Promise<Operation[]> {
  return (await loadOpenApi(request)).operations;
}

/** Fetches `GET /v1/openapi.json` through `request`: the document and every operation in it. */
export async function loadOpenApi(
  request: (path: string) => Promise<Response>,
): Promise<{ document: OpenApiDocument; operations: Operation[] }> {
  const res = await request("/v1/openapi.json");
  if (res.status !== 200) {
    throw new Error(`GET /v1/openapi.json answered ${res.status}: ${await res.text()}`);
  }
  const doc = await res.json() as OpenApiDocument;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const content = (op.requestBody as { content?: Record<string, { schema: JsonSchema }> })
        ?.content;
      operations.push({
        method: method.toUpperCase(),
        path,
        access: op["x-halo-access"] as string | undefined,
        parameters: (op.parameters as Parameter[] | undefined) ?? [],
        body: content
          ? Object.fromEntries(Object.entries(content).map(([type, c]) => [type, c.schema]))
          : undefined,
        key: `${method.toUpperCase()} ${path}`,
        responses: (op.responses as Record<string, DeclaredResponse> | undefined) ?? {},
      });
    }
  }
  return { document: doc, operations };
}

/** Puts `params` into an OpenAPI path, escaping each value. */
export function fillPath(
  path: string,
  params: Record<string, string>,
  query: Record<string, string> = {},
): string {
  const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) {
      throw new TypeError(`No value for path parameter {${name}} of ${path}`);
    }
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams(query).toString();
  return search ? `${filled}?${search}` : filled;
}
