import type { ComponentChildren } from "preact";
import type { PortalSession } from "../lib/session.ts";

/** The portal's sections, in navigation order. */
export const SECTIONS = [
  { id: "overview", href: "/", label: "Overview" },
  { id: "nodes", href: "/nodes", label: "Nodes" },
  { id: "topology", href: "/topology", label: "Topology" },
  { id: "telemetry", href: "/telemetry", label: "Telemetry" },
  { id: "flows", href: "/flows", label: "Flows" },
  { id: "alerts", href: "/alerts", label: "Alerts" },
  { id: "neurons", href: "/neurons", label: "Neurons" },
  { id: "external", href: "/external", label: "External systems" },
  { id: "settings", href: "/settings", label: "Settings" },
  { id: "system", href: "/system", label: "System" },
] as const;

/** A section id. */
export type SectionId = typeof SECTIONS[number]["id"] | "account";

/** Props of {@linkcode Layout}. */
export interface LayoutProps {
  session: PortalSession;
  active: SectionId;
  title: string;
  /** Shown right of the heading: page actions. */
  actions?: ComponentChildren;
  children: ComponentChildren;
}

/** Every signed-in page: skip link, navigation, account, then the page. */
export function Layout({ session, active, title, actions, children }: LayoutProps) {
  return (
    <>
      <a class="skip-link" href="#main">Skip to content</a>
      <div class="shell">
        <header class="masthead">
          <a class="brand" href="/" aria-label="HALO overview">
            <span class="brand-mark" aria-hidden="true">◉</span> HALO
          </a>
          <nav class="sections" aria-label="Sections">
            <ul>
              {SECTIONS.map((s) => (
                <li key={s.id}>
                  <a href={s.href} aria-current={s.id === active ? "page" : undefined}>
                    {s.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div class="account">
            <a href="/account" aria-current={active === "account" ? "page" : undefined}>
              {session.username} <span class="role">{session.role}</span>
            </a>
            <form method="post" action="/logout">
              <input type="hidden" name="_csrf" value={session.csrfToken} />
              <button type="submit" class="link">Log out</button>
            </form>
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          <div class="page-head">
            <h1>{title}</h1>
            {actions && <div class="page-actions">{actions}</div>}
          </div>
          {children}
        </main>
      </div>
    </>
  );
}
