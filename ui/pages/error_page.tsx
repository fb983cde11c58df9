import { Layout, type SectionId } from "../components/layout.tsx";
import type { PortalSession } from "../lib/session.ts";

/** Props of {@linkcode ErrorPage}. */
export interface ErrorPageProps {
  session: PortalSession;
  active: SectionId;
  title: string;
  message: string;
}

/** What a page shows when its data cannot be read (unknown id, missing role, failure). */
export function ErrorPage({ session, active, title, message }: ErrorPageProps) {
  return (
    <Layout session={session} active={active} title={title}>
      <p class="notice bad" role="alert">{message}</p>
      <p>
        <a href="/">Back to the overview</a>
      </p>
    </Layout>
  );
}
