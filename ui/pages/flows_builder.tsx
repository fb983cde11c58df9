import { Layout } from "../components/layout.tsx";
import { Island } from "../framework/island.tsx";
import FlowBuilder, { type FlowBuilderProps } from "../islands/flow_builder.tsx";
import type { PortalSession } from "../lib/session.ts";

/** Props of {@linkcode FlowBuilderPage}. */
export interface FlowBuilderPageProps {
  session: PortalSession;
  builder: FlowBuilderProps;
  /** Why the user may look but not change (a viewer, or an operator on an SSH flow). */
  readOnlyReason: string | null;
}

/** `/flows/new` and `/flows/{id}`: the visual builder. */
export function FlowBuilderPage({ session, builder, readOnlyReason }: FlowBuilderPageProps) {
  const flow = builder.flow;
  return (
    <Layout
      session={session}
      active="flows"
      title={flow ? flow.name : "New flow"}
      actions={
        <>
          <a class="button secondary" href="/flows">All flows</a>
          {flow && (
            <a class="button secondary" href={`/flows/${flow.id}/executions`}>
              Execution history
            </a>
          )}
        </>
      }
    >
      {flow?.builtin && (
        <p class="notice">HALO ships this flow ({flow.builtin}); you can change and disable it.</p>
      )}
      {readOnlyReason && <p class="notice">{readOnlyReason}</p>}
      <Island name="flow_builder" component={FlowBuilder} props={builder} />
    </Layout>
  );
}
