import { stepType } from "../../lib/schemas/flows.ts";
import { idParamsSchema } from "../../lib/schemas/common.ts";
import {
  combineRedactions,
  redactValue,
  secretRedactions,
} from "../../lib/schemas/secret_fields.ts";
import {
  type Execution,
  executionListSchema,
  executionParamsSchema,
  executionSchema,
  listExecutionsQuerySchema,
  testFlowSchema,
  triggeredSchema,
  triggerFlowSchema,
} from "../../lib/schemas/flows_api.ts";
import type { ExecutionView } from "../flows/execution_store.ts";
import { FlowStore, type StoredFlow } from "../flows/flow_store.ts";
import { ActionTemplateStore } from "../flows/template_store.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { ApiError, conflict, notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";

/**
 * Runs of a flow: a manual trigger, a dry run, and the executions they
 * leave (`/v1/flows/{id}/trigger`, `/test`, `/executions[/{exec_id}]`).
 */
export function flowRunsApi(deps: GatewayDeps) {
  const app = apiApp();
  const flows = new FlowStore(deps.db);
  const answered = executionAnswerer(flows, new ActionTemplateStore(deps.db));

  app.openapi(
    route("operator", {
      method: "post",
      path: "/flows/{id}/trigger",
      tags: ["flows"],
      summary: "Run a flow with a manual trigger now; its payload's fields are {payload.NAME}",
      request: {
        params: idParamsSchema,
        body: jsonBody(triggerFlowSchema),
      },
      responses: {
        202: jsonResponse(triggeredSchema, "Started"),
        404: refused("Unknown flow"),
        409: refused("Not a manual flow, or disabled"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const { payload } = c.req.valid("json");
      const flow = flows.getWithSecrets(id);
      if (!flow) throw notFound(`Flow ${id}`);
      const context = manualContext(flow, payload);
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
        params: idParamsSchema,
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
      request: { params: idParamsSchema, query: listExecutionsQuerySchema },
      responses: {
        200: jsonResponse(executionListSchema, "Executions"),
        404: refused("Unknown flow"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const q = c.req.valid("query");
      if (!flows.getWithSecrets(id)) throw notFound(`Flow ${id}`);
      return c.json({
        executions: deps.flows.executions.list(id, q.limit, q.before_id) as Execution[],
      }, 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/{id}/executions/{exec_id}",
      tags: ["flows"],
      summary: "One execution with each step's input, output, status and timing",
      request: { params: executionParamsSchema },
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

/**
 * How an execution is answered: the secret fields of the flow version it
 * ran are redacted once more, so steps recorded before they were secret (by
 * an older gateway) show none either.
 */
function executionAnswerer(
  flows: FlowStore,
  templates: ActionTemplateStore,
): (execution: ExecutionView) => Execution {
  return (execution) => {
    const saved = flows.versionWithSecrets(execution.flow_id, execution.flow_version);
    const redactions = combineRedactions(
      (saved?.definition.steps ?? [])
        .map((s) => s.template_id === undefined ? s : { ...s, ...templates.resolve(s.template_id) })
        .map((s) => secretRedactions(stepType(s.type)?.schema, s.config)),
    );
    return redactValue(execution, redactions) as Execution;
  };
}

/**
 * The context a manual trigger starts `flow` with: its payload's fields
 * as `payload.NAME`. Refused when the flow has no manual trigger, is
 * disabled, or the payload lacks a field the trigger declares.
 */
function manualContext(flow: StoredFlow, payload: Record<string, unknown>) {
  const trigger = flow.steps.find((s) => s.type === "manual");
  if (!trigger) {
    throw conflict(
      `Flow "${flow.name}" has no manual trigger; POST /v1/flows/${flow.id}/test runs it dry with a sample context`,
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
  return Object.fromEntries(
    Object.entries(payload).map(([k, v]) => [`payload.${k}`, v]),
  );
}
