import type { Context } from "hono";
import type { z } from "zod";
import { idParamsSchema, okSchema } from "../../lib/schemas/common.ts";
import {
  type FlowDefinition,
  flowDefinitionSchema,
  type FlowStep,
} from "../../lib/schemas/flows.ts";
import {
  flowListSchema,
  flowsMetadataSchema,
  type MetricPreview,
  metricPreviewQuerySchema,
  metricPreviewSchema,
  storedFlowSchema,
} from "../../lib/schemas/flows_api.ts";
import { FlowStore, runsCommands } from "../flows/flow_store.ts";
import { MetricCatalogueStore } from "../store/metric_catalogue.ts";
import { NodeStore } from "../store/nodes.ts";
import { flowsMetadata } from "../flows/metadata.ts";
import { ActionTemplateStore } from "../flows/template_store.ts";
import { validateFlow } from "../flows/validate_flow.ts";
import { FlowVariableStore } from "../flows/variable_store.ts";
import { actionTemplatesApi } from "./flows_templates.ts";
import { flowsSshApi } from "./flows_ssh.ts";
import { flowVariablesApi } from "./flows_variables.ts";
import { actorOf, roleOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { AppEnv } from "./context.ts";
import type { GatewayDeps } from "../deps.ts";
import { ApiError, conflict, forbidden, notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";

/**
 * HALO Flows definitions: `/v1/flows` and `/v1/flows/{id}`, the builder's
 * metadata and metric preview, and the action templates, variables and SSH
 * routes under `/v1/flows`. Runs are in `flow_runs.ts`, saved versions in
 * `flow_versions.ts`.
 */
export function flowsApi(deps: GatewayDeps) {
  const app = apiApp();
  const flows = new FlowStore(deps.db);
  const catalogue = new MetricCatalogueStore(deps.db);
  const { assertMayEdit, toStore } = flowChecks(deps, flows);

  // Before /flows/{id}, which would otherwise take "action-templates" for an id.
  app.route("/", actionTemplatesApi(deps));
  app.route("/", flowVariablesApi(deps));
  app.route("/", flowsSshApi(deps));

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/metadata",
      tags: ["flows"],
      summary: "Trigger, condition and action types with their config schemas and variables",
      responses: { 200: jsonResponse(flowsMetadataSchema, "Step types") },
    }),
    (c) => c.json(flowsMetadata(catalogue.entries()), 200),
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/metric-preview",
      tags: ["flows"],
      summary: "Recent values and range of a metric for a node or all nodes, to choose a threshold",
      request: { query: metricPreviewQuerySchema },
      responses: { 200: jsonResponse(metricPreviewSchema, "Preview") },
    }),
    (c) => {
      return c.json(metricPreview(deps, c.req.valid("query")), 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows",
      tags: ["flows"],
      summary: "List flows with their trigger and last run",
      responses: { 200: jsonResponse(flowListSchema, "Flows") },
    }),
    (c) => c.json({ flows: flows.list() }, 200),
  );

  app.openapi(
    route("operator", {
      method: "post",
      path: "/flows",
      tags: ["flows"],
      summary: "Create a flow (flows with command actions need an admin)",
      request: { body: jsonBody(flowDefinitionSchema) },
      responses: {
        201: jsonResponse(storedFlowSchema, "Created"),
        409: refused("Name taken"),
      },
    }),
    (c) => {
      const body = c.req.valid("json");
      assertMayEdit(c, body);
      const def = toStore(body);
      const actor = actorOf(c);
      const id = deps.events.atomically(() => {
        if (flows.nameTaken(def.name)) throw conflict(`A flow named "${def.name}" exists`);
        const id = flows.save(def, actor.name, deps.clock.now());
        deps.audit.record(actor, "flow.create", `flow:${id}`, {
          name: def.name,
          steps: def.steps.length,
        });
        return id;
      });
      deps.triggers.reload();
      return c.json(flows.get(id)!, 201);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/{id}",
      tags: ["flows"],
      summary: "A flow with its steps, edges and variables (secret fields masked)",
      description:
        "Secret fields of step configs (writeOnly in GET /v1/flows/metadata) are masked: a webhook URL shows its scheme and host only (https://hooks.slack.com/…), a secret header value is empty. PUT the flow back unchanged and they keep their stored values.",
      request: { params: idParamsSchema },
      responses: {
        200: jsonResponse(storedFlowSchema, "The flow"),
        404: refused("Unknown flow"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const flow = flows.get(id);
      if (!flow) throw notFound(`Flow ${id}`);
      return c.json(flow, 200);
    },
  );

  app.openapi(
    route("operator", {
      method: "put",
      path: "/flows/{id}",
      tags: ["flows"],
      summary:
        "Replace a flow's definition; running executions finish on the version they started with",
      description:
        "A secret field sent as GET answers it keeps the value stored for that step: a webhook URL as its masked form (https://hooks.slack.com/…), a secret header with an empty value. Any other value replaces it.",
      request: { params: idParamsSchema, body: jsonBody(flowDefinitionSchema) },
      responses: {
        200: jsonResponse(storedFlowSchema, "Saved"),
        404: refused("Unknown flow"),
        409: refused("Name taken"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const actor = actorOf(c);
      deps.events.atomically(() => {
        const before = flows.getWithSecrets(id);
        if (!before) throw notFound(`Flow ${id}`);
        assertMayEdit(c, before, body);
        const def = toStore(body, id);
        if (flows.nameTaken(def.name, id)) throw conflict(`A flow named "${def.name}" exists`);
        flows.save(def, actor.name, deps.clock.now(), id);
        deps.audit.record(actor, "flow.update", `flow:${id}`, {
          name: def.name,
          version: before.version + 1,
          enabled: def.enabled,
        });
      });
      deps.triggers.reload();
      return c.json(flows.get(id)!, 200);
    },
  );

  app.openapi(
    route("operator", {
      method: "delete",
      path: "/flows/{id}",
      tags: ["flows"],
      summary: "Delete a flow and its history",
      request: { params: idParamsSchema },
      responses: {
        200: jsonResponse(okSchema, "Deleted"),
        404: refused("Unknown flow"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      deps.events.atomically(() => {
        const before = flows.getWithSecrets(id);
        if (!before) throw notFound(`Flow ${id}`);
        assertMayEdit(c, before);
        flows.delete(id);
        deps.audit.record(actorOf(c), "flow.delete", `flow:${id}`, { name: before.name });
      });
      deps.triggers.reload();
      return c.json({ ok: true as const }, 200);
    },
  );

  return app;
}

/** The checks a flow passes before it is stored. */
function flowChecks(deps: GatewayDeps, flows: FlowStore) {
  const templates = new ActionTemplateStore(deps.db);
  const variables = new FlowVariableStore(deps.db);
  const resolved = (step: FlowStep) =>
    step.template_id === undefined ? step : { ...step, ...templates.resolve(step.template_id) };

  /** Operators edit flows; flows that run commands over SSH (themselves or by template) need an admin. */
  const assertMayEdit = (c: Context<AppEnv>, ...defs: (FlowDefinition | null)[]) => {
    const commands = defs.some((d) => d?.steps.some((s) => runsCommands(resolved(s))));
    if (commands && roleOf(c.get("principal")) !== "admin") {
      throw forbidden("Flows with command actions (SSH) need the admin role");
    }
  };

  /**
   * The definition to store for a client's `body`, its masked secret fields
   * kept from stored flow `id` (whose variables it also keeps); refused
   * when invalid.
   */
  const toStore = (body: FlowDefinition, id?: number): FlowDefinition => {
    const { def, problems: masked } = flows.withKeptSecrets(body, id);
    const problems = [
      ...masked,
      ...validateFlow(def, {
        templates: (ref) => templates.resolve(ref),
        ...(id !== undefined && def.variables === undefined
          ? { storedVariables: variables.names(id) }
          : {}),
      }),
    ];
    if (problems.length > 0) {
      const details = problems.map((p) => ({ path: `body.${p.path}`, message: p.message }));
      throw new ApiError(
        400,
        "invalid_flow",
        `Flow "${def.name}" cannot be saved: ${problems[0]!.message}${
          problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""
        }`,
        details.slice(0, 50),
      );
    }
    return def;
  };

  return { assertMayEdit, toStore };
}

/** Recent values of `q.metric` per series, to choose a threshold by. */
function metricPreview(
  deps: GatewayDeps,
  q: z.output<typeof metricPreviewQuerySchema>,
): MetricPreview {
  const now = deps.clock.now();
  const names = new NodeStore(deps.db).names();
  const latest = deps.telemetry.latest({
    nodes: q.node ? [q.node] : undefined,
    metrics: [q.metric],
  });
  const { series } = deps.telemetry.query({
    nodes: q.node ? [q.node] : undefined,
    metrics: [q.metric],
    from: now - q.hours * 3_600_000,
    to: now,
    resolution: q.hours <= 6 ? "1m" : "1h",
  });
  const info = new MetricCatalogueStore(deps.db).entry(q.metric);
  return {
    metric: q.metric,
    unit: series[0]?.series.unit ?? latest[0]?.series.unit ?? info?.unit ?? null,
    catalogue: info,
    series: series.map(({ series: s, points }) => {
      const rollups = points as { min: number; max: number; avg: number; count: number }[];
      const count = rollups.reduce((a, p) => a + p.count, 0);
      const last = latest.find((l) => l.series.id === s.id);
      return {
        node_id: s.nodeId,
        node_name: names.get(s.nodeId) ?? null,
        labels: s.labels,
        latest: last ? { ts: last.ts, value: last.value } : null,
        min: count ? Math.min(...rollups.map((p) => p.min)) : null,
        max: count ? Math.max(...rollups.map((p) => p.max)) : null,
        avg: count ? rollups.reduce((a, p) => a + p.avg * p.count, 0) / count : null,
        count,
      };
    }),
  };
}
