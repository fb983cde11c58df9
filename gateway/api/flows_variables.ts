import { idParamsSchema, okSchema } from "../../lib/schemas/common.ts";
import {
  flowVariableListSchema,
  flowVariableParamsSchema,
  flowVariableSchema,
  setFlowVariableSchema,
} from "../../lib/schemas/flows_api.ts";
import { FlowStore, runsCommands } from "../flows/flow_store.ts";
import { ActionTemplateStore } from "../flows/template_store.ts";
import { variablesOf } from "../flows/template.ts";
import { FlowVariableStore } from "../flows/variable_store.ts";
import { actorOf, roleOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { ApiError, forbidden, notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";

/**
 * A flow's variables: `/v1/flows/{id}/variables`. Operators change them, as
 * they edit flows; a flow that runs commands over SSH needs an admin.
 */
export function flowVariablesApi(deps: GatewayDeps) {
  const app = apiApp();
  const flows = new FlowStore(deps.db);
  const templates = new ActionTemplateStore(deps.db);
  const variables = new FlowVariableStore(deps.db);

  /** The flow's steps with template configs filled in. */
  const resolvedSteps = (flowId: number) => {
    const flow = flows.getWithSecrets(flowId);
    if (!flow) throw notFound(`Flow ${flowId}`);
    return flow.steps.map((s) =>
      s.template_id === undefined ? s : { ...s, ...templates.resolve(s.template_id) }
    );
  };

  const assertMayEdit = (role: string | null, steps: ReturnType<typeof resolvedSteps>) => {
    if (steps.some(runsCommands) && role !== "admin") {
      throw forbidden("Variables of flows with command actions (SSH) need the admin role");
    }
  };

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/{id}/variables",
      tags: ["flows"],
      summary: "A flow's variables, read in templates as {var.NAME}",
      request: { params: idParamsSchema },
      responses: {
        200: jsonResponse(flowVariableListSchema, "Variables"),
        404: refused("Unknown flow"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      resolvedSteps(id);
      return c.json({ variables: variables.list(id) }, 200);
    },
  );

  app.openapi(
    route("operator", {
      method: "put",
      path: "/flows/{id}/variables/{name}",
      tags: ["flows"],
      summary: "Set a flow variable; the flow's next steps and runs read the new value",
      request: {
        params: flowVariableParamsSchema,
        body: jsonBody(setFlowVariableSchema),
      },
      responses: {
        200: jsonResponse(flowVariableSchema, "Set"),
        404: refused("Unknown flow"),
      },
    }),
    (c) => {
      const { id, name } = c.req.valid("param");
      const { value } = c.req.valid("json");
      const actor = actorOf(c);
      deps.events.atomically(() => {
        assertMayEdit(roleOf(c.get("principal")), resolvedSteps(id));
        const previous = variables.get(id, name)?.value ?? null;
        variables.set(id, name, value, deps.clock.now());
        deps.audit.record(actor, "flow_variable.set", `flow:${id}`, { name, value, previous });
      });
      return c.json(variables.get(id, name)!, 200);
    },
  );

  app.openapi(
    route("operator", {
      method: "delete",
      path: "/flows/{id}/variables/{name}",
      tags: ["flows"],
      summary: "Delete a flow variable no step reads (unless a step sets it)",
      request: { params: flowVariableParamsSchema },
      responses: {
        200: jsonResponse(okSchema, "Deleted"),
        404: refused("Unknown flow or variable"),
        409: refused("A step reads it and none sets it"),
      },
    }),
    (c) => {
      const { id, name } = c.req.valid("param");
      const actor = actorOf(c);
      deps.events.atomically(() => {
        const steps = resolvedSteps(id);
        assertMayEdit(roleOf(c.get("principal")), steps);
        const before = variables.get(id, name);
        if (!before) throw notFound(`Variable ${name} of flow ${id}`);
        const sets = steps.some((s) => s.type === "set_variable" && s.config.name === name);
        const readers = steps.filter((s) =>
          variablesOf(JSON.stringify(s.config)).includes(`var.${name}`)
        ).map((s) => s.id);
        if (!sets && readers.length > 0) {
          throw new ApiError(
            409,
            "variable_in_use",
            `Variable ${name} is read by steps ${
              readers.join(", ")
            } of flow ${id} and no step sets it; change those steps first`,
            readers.map((s) => ({ path: `steps.${s}`, message: `reads {var.${name}}` })),
          );
        }
        variables.delete(id, name);
        deps.audit.record(actor, "flow_variable.delete", `flow:${id}`, {
          name,
          previous: before.value,
        });
      });
      return c.json({ ok: true as const }, 200);
    },
  );

  return app;
}
