import type { OpenAPIHono } from "@hono/zod-openapi";
import { renderToString } from "preact-render-to-string";
import { ApiReferencePage, type ReferenceOperation } from "../../ui/pages/api_reference.tsx";
import type { AppEnv } from "./context.ts";

/** The OpenAPI document's header. */
export const OPENAPI_INFO = {
  openapi: "3.1.0",
  info: {
    title: "HALO gateway API",
    version: "v1",
    description: "Control plane of a HALO network: nodes, meshes, events, topology.",
  },
};

type Doc = ReturnType<OpenAPIHono<AppEnv>["getOpenAPI31Document"]>;

/** Operations of the document, flattened for the reference page and the route-walk test. */
export function operationsOf(doc: Doc): ReferenceOperation[] {
  const ops: ReferenceOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of ["get", "post", "put", "patch", "delete"] as const) {
      // deno-lint-ignore no-explicit-any -- OpenAPI operation objects carry x- extensions
      const op = (item as any)?.[method];
      if (!op) continue;
      ops.push({
        method,
        path,
        summary: op.summary,
        description: op.description,
        tags: op.tags,
        access: op["x-halo-access"] ?? "unknown",
        parameters: (op.parameters ?? []).map((p: Record<string, unknown>) => ({
          name: String(p.name),
          in: String(p.in),
          required: p.required === true,
          ...(p.description ? { description: String(p.description) } : {}),
        })),
        requestSchema: op.requestBody?.content?.["application/json"]?.schema,
        responses: Object.entries(op.responses ?? {}).map(([status, r]) => ({
          status,
          description: String((r as { description?: string }).description ?? ""),
        })),
      });
    }
  }
  return ops;
}

/** Renders the reference page HTML. */
export function renderReference(doc: Doc, version: string, styleNonce: string): string {
  return "<!DOCTYPE html>" + renderToString(
    <ApiReferencePage
      title="HALO gateway"
      version={version}
      operations={operationsOf(doc)}
      styleNonce={styleNonce}
    />,
  );
}
