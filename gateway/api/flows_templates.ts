import { idParamsSchema, okSchema } from "../../lib/schemas/common.ts";
import { type ActionTemplateInput, actionTemplateInputSchema } from "../../lib/schemas/flows.ts";
import { actionTemplateListSchema, actionTemplateSchema } from "../../lib/schemas/flows_api.ts";
import { FlowStore } from "../flows/flow_store.ts";
import { ActionTemplateStore } from "../flows/template_store.ts";
import { validateFlow } from "../flows/validate_flow.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { ApiError, conflict, notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";

/**
 * Reusable action configs: `/v1/flows/action-templates`. Admins write them
 * (a template may hold a command that every flow using it runs); everyone reads.
 */
export function actionTemplatesApi(deps: GatewayDeps) {
  const app = apiApp();
  const templates = new ActionTemplateStore(deps.db);
  const flows = new FlowStore(deps.db);

  /**
   * The template to store for a client's `input`, its masked secret fields
   * kept from template `id`; refused when one has no stored value to keep.
   */
  const toStore = (input: ActionTemplateInput, id?: number): ActionTemplateInput => {
    const { config, problems } = templates.withKeptSecrets(input, id);
    if (problems.length > 0) {
      const details = problems.map((p) => ({ path: `body.config.${p.path}`, message: p.message }));
      throw new ApiError(
        400,
        "validation_failed",
        `Invalid request body: ${details[0]!.path}: ${details[0]!.message}`,
        details,
      );
    }
    return { ...input, config };
  };

  /**
   * Refuses a change to template `id` that would make a flow using it
   * invalid (its variables not provided there, another action type …).
   */
  const assertFlowsStayValid = (id: number, input: ActionTemplateInput) => {
    const lookup = (ref: number) =>
      ref === id ? { type: input.type, config: input.config } : templates.resolve(ref);
    const broken = templates.usedBy(id).flatMap((used) => {
      const flow = flows.getWithSecrets(used.id)!;
      const problems = validateFlow(flow, { templates: lookup });
      return problems.map((p) => ({
        path: "body.config",
        message: `flow "${used.name}" (${used.id}): ${p.message}`,
      }));
    });
    if (broken.length > 0) {
      throw new ApiError(
        400,
        "template_breaks_flows",
        `Action template ${id} cannot be saved: ${broken[0]!.message}`,
        broken.slice(0, 50),
      );
    }
  };

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/action-templates",
      tags: ["flows"],
      summary: "Reusable action configs, with the flows that use each",
      responses: {
        200: jsonResponse(actionTemplateListSchema, "Templates"),
      },
    }),
    (c) => c.json({ templates: templates.list() }, 200),
  );

  app.openapi(
    route("admin", {
      method: "post",
      path: "/flows/action-templates",
      tags: ["flows"],
      summary: "Create an action template; a step uses it with template_id",
      request: { body: jsonBody(actionTemplateInputSchema) },
      responses: {
        201: jsonResponse(actionTemplateSchema, "Created"),
        409: refused("Name taken"),
      },
    }),
    (c) => {
      const input = toStore(c.req.valid("json"));
      const actor = actorOf(c);
      const id = deps.events.atomically(() => {
        if (templates.nameTaken(input.name)) {
          throw conflict(`An action template named "${input.name}" exists`);
        }
        const id = templates.save(input, deps.clock.now());
        deps.audit.record(actor, "flow_template.create", `flow_template:${id}`, {
          name: input.name,
          type: input.type,
        });
        return id;
      });
      return c.json(templates.get(id)!, 201);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/action-templates/{id}",
      tags: ["flows"],
      summary: "An action template (secret fields masked)",
      request: { params: idParamsSchema },
      responses: {
        200: jsonResponse(actionTemplateSchema, "The template"),
        404: refused("Unknown template"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const template = templates.get(id);
      if (!template) throw notFound(`Action template ${id}`);
      return c.json(template, 200);
    },
  );

  app.openapi(
    route("admin", {
      method: "put",
      path: "/flows/action-templates/{id}",
      tags: ["flows"],
      summary:
        "Replace an action template; the flows using it run the new config from their next execution",
      description:
        "Refused when a flow using the template would no longer be valid. A secret field sent as GET answers it keeps the stored value: a webhook URL as its masked form (https://hooks.slack.com/…), a secret header with an empty value.",
      request: { params: idParamsSchema, body: jsonBody(actionTemplateInputSchema) },
      responses: {
        200: jsonResponse(actionTemplateSchema, "Saved"),
        404: refused("Unknown template"),
        409: refused("Name taken"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const input = c.req.valid("json");
      const actor = actorOf(c);
      deps.events.atomically(() => {
        const before = templates.get(id);
        if (!before) throw notFound(`Action template ${id}`);
        if (templates.nameTaken(input.name, id)) {
          throw conflict(`An action template named "${input.name}" exists`);
        }
        const kept = toStore(input, id);
        assertFlowsStayValid(id, kept);
        templates.save(kept, deps.clock.now(), id);
        deps.audit.record(actor, "flow_template.update", `flow_template:${id}`, {
          name: input.name,
          type: input.type,
          flows: before.used_by.map((f) => f.id),
        });
      });
      return c.json(templates.get(id)!, 200);
    },
  );

  app.openapi(
    route("admin", {
      method: "delete",
      path: "/flows/action-templates/{id}",
      tags: ["flows"],
      summary: "Delete an action template no flow uses",
      request: { params: idParamsSchema },
      responses: {
        200: jsonResponse(okSchema, "Deleted"),
        404: refused("Unknown template"),
        409: refused("In use: the flows are named"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const actor = actorOf(c);
      deps.events.atomically(() => {
        const before = templates.get(id);
        if (!before) throw notFound(`Action template ${id}`);
        if (before.used_by.length > 0) {
          throw new ApiError(
            409,
            "template_in_use",
            `Action template "${before.name}" is used by ${
              before.used_by.map((f) => `flow "${f.name}" (${f.id}, steps ${f.steps.join(", ")})`)
                .join("; ")
            }; change those steps first`,
            before.used_by.map((f) => ({
              path: `flows.${f.id}`,
              message: `flow "${f.name}" uses it in steps ${f.steps.join(", ")}`,
            })),
          );
        }
        templates.delete(id);
        deps.audit.record(actor, "flow_template.delete", `flow_template:${id}`, {
          name: before.name,
        });
      });
      return c.json({ ok: true as const }, 200);
    },
  );

  return app;
}
