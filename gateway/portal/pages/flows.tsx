import type { Hono } from "hono";
import type { AppEnv } from "../../api/context.ts";
import { type FlowRow, FlowsPage } from "../../../ui/pages/flows.tsx";
import { FlowBuilderPage } from "../../../ui/pages/flows_builder.tsx";
import { FlowExecutionPage, FlowExecutionsPage } from "../../../ui/pages/flows_executions.tsx";
import { runsCommands } from "../../../ui/lib/flow_format.ts";
import type {
  Execution,
  FlowsMetadata,
  FlowSummary,
  StoredFlow,
} from "../../../ui/lib/flow_types.ts";
import { can, type PortalSession } from "../../../ui/lib/session.ts";
import { definePage, type PortalContext } from "../page_route.tsx";
import { PortalApiError } from "../api_bridge.ts";
import { intIdSchema } from "../../../lib/schemas/common.ts";

const EXECUTIONS_PAGE = 50;

/** Whether `session` may change `flow`: operators, and admins only for flows with SSH commands. */
function mayChange(session: PortalSession, flow: Pick<StoredFlow, "steps"> | null): boolean {
  if (!can(session, "operator")) return false;
  return can(session, "admin") || !(flow?.steps.some(runsCommands) ?? false);
}

/** A route parameter that must be a positive integer as the API spells one; else an unknown page. */
function idParam(value: string): number {
  const id = intIdSchema.safeParse(value);
  if (!id.success) throw new PortalApiError(404, "not_found", "No such flow");
  return id.data;
}

/** `/flows`, the builder at `/flows/new` and `/flows/{id}`, and execution history. */
export function registerFlows(app: Hono<AppEnv>, ctx: PortalContext): void {
  definePage(app, ctx, "/flows", "flows", async ({ api, session, deps }) => {
    const [{ flows }, metadata] = await Promise.all([
      api.get<{ flows: FlowSummary[] }>("/v1/flows"),
      api.get<FlowsMetadata>("/v1/flows/metadata"),
    ]);
    const label = new Map(metadata.step_types.map((t) => [t.type, t.label]));
    // Only an operator's switches depend on the steps (SSH flows are admin's); read those flows.
    const details = can(session, "operator") && !can(session, "admin")
      ? await Promise.all(flows.map((f) => api.get<StoredFlow>(`/v1/flows/${f.id}`)))
      : [];
    const rows: FlowRow[] = flows.map((f) => {
      const detail = details.find((d) => d.id === f.id) ?? null;
      const adminOnly = detail?.steps.some(runsCommands) ?? false;
      return {
        ...f,
        triggerLabel: f.trigger ? label.get(f.trigger) ?? f.trigger : null,
        canToggle: mayChange(session, detail),
        adminOnly,
      };
    });
    return {
      title: "Flows",
      body: (
        <FlowsPage
          session={session}
          flows={rows}
          canCreate={can(session, "operator")}
          now={deps.clock.now()}
        />
      ),
    };
  });

  definePage(app, ctx, "/flows/new", "flows", async ({ api, session }) => {
    const metadata = await api.get<FlowsMetadata>("/v1/flows/metadata");
    const canEdit = can(session, "operator");
    return {
      title: "New flow",
      body: (
        <FlowBuilderPage
          session={session}
          builder={{ metadata, flow: null, canEdit, notice: null }}
          readOnlyReason={canEdit ? null : "Building flows needs the operator role."}
        />
      ),
    };
  });

  definePage(app, ctx, "/flows/:id{[0-9]+}", "flows", async ({ api, session, c }) => {
    const id = idParam(c.req.param("id") ?? "");
    const [flow, metadata] = await Promise.all([
      api.get<StoredFlow>(`/v1/flows/${id}`),
      api.get<FlowsMetadata>("/v1/flows/metadata"),
    ]);
    const canEdit = mayChange(session, flow);
    const readOnlyReason = canEdit
      ? null
      : can(session, "operator")
      ? "This flow runs commands over SSH: changing it needs the admin role."
      : "You can look at this flow; changing it needs the operator role.";
    return {
      title: flow.name,
      body: (
        <FlowBuilderPage
          session={session}
          builder={{
            metadata,
            flow,
            canEdit,
            notice: c.req.query("created") !== undefined ? `Flow "${flow.name}" created` : null,
          }}
          readOnlyReason={readOnlyReason}
        />
      ),
    };
  });

  definePage(app, ctx, "/flows/:id{[0-9]+}/executions", "flows", async ({ api, session, c }) => {
    const id = idParam(c.req.param("id") ?? "");
    const before = c.req.query("before_id");
    const query = new URLSearchParams({ limit: String(EXECUTIONS_PAGE) });
    if (before && intIdSchema.safeParse(before).success) query.set("before_id", before);
    const [flow, { executions }] = await Promise.all([
      api.get<StoredFlow>(`/v1/flows/${id}`),
      api.get<{ executions: Execution[] }>(`/v1/flows/${id}/executions?${query}`),
    ]);
    return {
      title: `Executions of ${flow.name}`,
      body: (
        <FlowExecutionsPage
          session={session}
          flow={flow}
          executions={executions}
          olderBefore={executions.length === EXECUTIONS_PAGE ? executions.at(-1)!.id : null}
          paged={query.has("before_id")}
        />
      ),
    };
  });

  definePage(
    app,
    ctx,
    "/flows/:id{[0-9]+}/executions/:exec{[0-9]+}",
    "flows",
    async ({ api, session, c }) => {
      const id = idParam(c.req.param("id") ?? "");
      const exec = idParam(c.req.param("exec") ?? "");
      const [flow, execution, metadata] = await Promise.all([
        api.get<StoredFlow>(`/v1/flows/${id}`),
        api.get<Execution>(`/v1/flows/${id}/executions/${exec}`),
        api.get<FlowsMetadata>("/v1/flows/metadata"),
      ]);
      // Draw the graph of the version this execution ran, not today's.
      const ran = execution.flow_version === flow.version
        ? flow
        : (await api.get<{ definition: Pick<StoredFlow, "steps" | "edges"> }>(
          `/v1/flows/${id}/versions/${execution.flow_version}`,
        )).definition;
      return {
        title: `Execution ${execution.id} of ${flow.name}`,
        body: (
          <FlowExecutionPage
            session={session}
            flow={flow}
            ran={ran}
            execution={execution}
            metadata={metadata}
          />
        ),
      };
    },
  );
}
