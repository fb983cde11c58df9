import type { Context } from "hono";
import { z } from "zod";
import { decimalInteger, intIdSchema, nodeIdSchema, okSchema } from "../../lib/schemas/common.ts";
import { metricNameSchema } from "../../lib/schemas/telemetry.ts";
import {
  type FlowDefinition,
  flowDefinitionSchema,
  type FlowStep,
  stepType,
} from "../../lib/schemas/flows.ts";
import {
  combineRedactions,
  redactValue,
  secretRedactions,
} from "../../lib/schemas/secret_fields.ts";
import {
  executionSchema,
  flowSummarySchema,
  flowVersionSchema,
  metricPreviewSchema,
  storedFlowSchema,
  testFlowSchema,
  triggerFlowSchema,
} from "../../lib/schemas/flows_api.ts";
import type { ExecutionView } from "../flows/execution_store.ts";
import { FlowStore, runsCommands } from "../flows/flow_store.ts";
import { NodeStore } from "../store/nodes.ts";
import { iso } from "../store/time.ts";
import { flowsMetadata, flowsMetadataSchema } from "../flows/metadata.ts";
import { ActionTemplateStore } from "../flows/template_store.ts";
import { validateFlow } from "../flows/validate_flow.ts";
import { FlowVariableStore } from "../flows/variable_store.ts";
import { actionTemplatesApi } from "./flows_templates.ts";
import { flowsSshApi } from "./flows_ssh.ts";
import { flowVariablesApi } from "./flows_variables.ts";
import { actorOf, roleOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { AppEnv, GatewayDeps } from "./context.ts";
import { ApiError, conflict, forbidden, notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";

const idParams = z.object({ id: intIdSchema });

/** HALO Flows routes. */
export function flowsApi(deps: GatewayDeps) {
  const app = apiApp();
  const flows = new FlowStore(deps.db);
  const metadata = flowsMetadata();
  const templates = new ActionTemplateStore(deps.db);
  const resolved = (step: FlowStep) =>
    step.template_id === undefined ? step : { ...step, ...templates.resolve(step.template_id) };

  const variables = new FlowVariableStore(deps.db);

  // Before /flows/{id}, which would otherwise take "action-templates" for an id.
  app.route("/", actionTemplatesApi(deps));
  app.route("/", flowVariablesApi(deps));
  app.route("/", flowsSshApi(deps));

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

  /**
   * An execution as answered: the secret fields of the flow version it ran
   * are redacted once more, so steps recorded before they were secret (by
   * an older gateway) show none either.
   */
  const answered = (execution: ExecutionView): z.infer<typeof executionSchema> => {
    const saved = flows.versionWithSecrets(execution.flow_id, execution.flow_version);
    const redactions = combineRedactions(
      (saved?.definition.steps ?? []).map(resolved)
        .map((s) => secretRedactions(stepType(s.type)?.schema, s.config)),
    );
    return redactValue(execution, redactions) as z.infer<typeof executionSchema>;
  };

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/metadata",
      tags: ["flows"],
      summary: "Trigger, condition and action types with their config schemas and variables",
      responses: { 200: jsonResponse(flowsMetadataSchema, "Step types") },
    }),
    (c) => c.json(metadata, 200),
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/metric-preview",
      tags: ["flows"],
      summary: "Recent values and range of a metric for a node or all nodes, to choose a threshold",
      request: {
        query: z.object({
          metric: metricNameSchema,
          node: nodeIdSchema.optional(),
          hours: decimalInteger(z.number().int().min(1).max(24 * 7)).default(24).describe(
            "How far back the range looks",
          ),
        }),
      },
      responses: { 200: jsonResponse(metricPreviewSchema, "Preview") },
    }),
    (c) => {
      const q = c.req.valid("query");
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
      return c.json({
        metric: q.metric,
        unit: series[0]?.series.unit ?? latest[0]?.series.unit ?? null,
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
      }, 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows",
      tags: ["flows"],
      summary: "List flows with their trigger and last run",
      responses: { 200: jsonResponse(z.object({ flows: z.array(flowSummarySchema) }), "Flows") },
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
      request: { params: idParams },
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
      request: { params: idParams, body: jsonBody(flowDefinitionSchema) },
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
      request: { params: idParams },
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

  app.openapi(
    route("operator", {
      method: "post",
      path: "/flows/{id}/trigger",
      tags: ["flows"],
      summary: "Run a flow with a manual trigger now; its payload's fields are {payload.NAME}",
      request: {
        params: idParams,
        body: jsonBody(triggerFlowSchema),
      },
      responses: {
        202: jsonResponse(z.object({ execution_id: z.number().int() }), "Started"),
        404: refused("Unknown flow"),
        409: refused("Not a manual flow, or disabled"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const { payload } = c.req.valid("json");
      const flow = flows.getWithSecrets(id);
      if (!flow) throw notFound(`Flow ${id}`);
      const trigger = flow.steps.find((s) => s.type === "manual");
      if (!trigger) {
        throw conflict(
          `Flow "${flow.name}" has no manual trigger; POST /v1/flows/${id}/test runs it dry with a sample context`,
        );
      }
      if (!flow.enabled) throw conflict(`Flow "${flow.name}" is disabled`);
      const fields = (trigger.config as { payload_fields?: string[] }).payload_fields ?? [];
      const missing = fields.filter((f) => !(f in payload));
      if (missing.length) {
        throw new ApiError(
          400,
          "validation_failed",
          `Payload lacks ${missing.join(", ")}`,
          missing.map((f) => ({
            path: `body.payload.${f}`,
            message: "declared by the manual trigger; give a value",
          })),
        );
      }
      const context = Object.fromEntries(
        Object.entries(payload).map(([k, v]) => [`payload.${k}`, v]),
      );
      const { executionId, done } = deps.flows.start(id, {
        type: "manual",
        context,
        output: payload,
      });
      done.catch((error) => deps.log.error("flow execution crashed", { flow_id: id, error }));
      deps.audit.record(actorOf(c), "flow.trigger", `flow:${id}`, { execution_id: executionId });
      return c.json({ execution_id: executionId }, 202);
    },
  );

  app.openapi(
    route("operator", {
      method: "post",
      path: "/flows/{id}/test",
      tags: ["flows"],
      summary:
        "Dry run with a sample context: conditions are evaluated, actions only say what they would do",
      request: {
        params: idParams,
        body: jsonBody(testFlowSchema),
      },
      responses: {
        200: jsonResponse(executionSchema, "The path taken, step by step"),
        404: refused("Unknown flow"),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { context } = c.req.valid("json");
      const flow = flows.getWithSecrets(id);
      if (!flow) throw notFound(`Flow ${id}`);
      const { executionId, done } = deps.flows.start(id, { type: "test", context }, {
        dryRun: true,
      });
      await done;
      return c.json(answered(deps.flows.executions.get(id, executionId)!), 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/{id}/executions",
      tags: ["flows"],
      summary: "Execution history of a flow, newest first",
      request: {
        params: idParams,
        query: z.object({
          limit: decimalInteger(z.number().int().min(1).max(500)).default(50),
          before_id: decimalInteger(z.number().int().positive()).optional(),
        }),
      },
      responses: {
        200: jsonResponse(z.object({ executions: z.array(executionSchema) }), "Executions"),
        404: refused("Unknown flow"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const q = c.req.valid("query");
      if (!flows.getWithSecrets(id)) throw notFound(`Flow ${id}`);
      return c.json({
        executions: deps.flows.executions.list(id, q.limit, q.before_id) as z.infer<
          typeof executionSchema
        >[],
      }, 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/{id}/versions/{version}",
      tags: ["flows"],
      summary: "A saved version of a flow, as an execution of that version ran it",
      description:
        "Secret fields (webhook URLs, secret header values) are masked, as in GET /v1/flows/{id}.",
      request: { params: z.object({ id: intIdSchema, version: intIdSchema }) },
      responses: {
        200: jsonResponse(flowVersionSchema, "The version"),
        404: refused("Unknown flow or version"),
      },
    }),
    (c) => {
      const { id, version } = c.req.valid("param");
      const saved = flows.version(id, version);
      if (!saved) throw notFound(`Version ${version} of flow ${id}`);
      return c.json({
        flow_id: id,
        version,
        saved_at: iso(saved.created_at),
        saved_by: saved.created_by,
        definition: saved.definition,
      } as z.infer<typeof flowVersionSchema>, 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/{id}/executions/{exec_id}",
      tags: ["flows"],
      summary: "One execution with each step's input, output, status and timing",
      request: { params: z.object({ id: intIdSchema, exec_id: intIdSchema }) },
      responses: {
        200: jsonResponse(executionSchema, "The execution"),
        404: refused("Unknown"),
      },
    }),
    (c) => {
      const { id, exec_id } = c.req.valid("param");
      const execution = deps.flows.executions.get(id, exec_id);
      if (!execution) throw notFound(`Execution ${exec_id} of flow ${id}`);
      return c.json(answered(execution), 200);
    },
  );

  return app;
}
