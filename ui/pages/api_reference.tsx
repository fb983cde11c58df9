import type { JSX } from "preact";

/** The subset of an OpenAPI operation the reference page shows. */
export interface ReferenceOperation {
  method: string;
  path: string;
  summary?: string;
  description?: string;
  tags?: string[];
  access: string;
  parameters: { name: string; in: string; required: boolean; description?: string }[];
  requestSchema?: unknown;
  responses: { status: string; description: string }[];
}

/** Props of {@linkcode ApiReferencePage}. */
export interface ApiReferenceProps {
  title: string;
  version: string;
  operations: ReferenceOperation[];
  styleNonce: string;
}

const ACCESS_LABEL: Record<string, string> = {
  public: "no login",
  agent: "node agent token",
  viewer: "viewer",
  operator: "operator",
  admin: "admin",
};

/** A human-readable API reference generated from the OpenAPI document; no JavaScript. */
export function ApiReferencePage(props: ApiReferenceProps): JSX.Element {
  const byTag = new Map<string, ReferenceOperation[]>();
  for (const op of props.operations) {
    const tag = op.tags?.[0] ?? "other";
    byTag.set(tag, [...(byTag.get(tag) ?? []), op]);
  }
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title} API reference</title>
        <style nonce={props.styleNonce}>{CSS}</style>
      </head>
      <body>
        <header>
          <h1>{props.title} API reference</h1>
          <p>
            Version {props.version}. Machine-readable:{" "}
            <a href="/v1/openapi.json">/v1/openapi.json</a>. Authenticate with the session cookie
            from <code>POST /v1/auth/login</code> or{" "}
            <code>Authorization: Bearer &lt;token&gt;</code>. Errors are{" "}
            <code>{`{"error": {"code", "message", "details"}}`}</code>.
          </p>
          <nav aria-label="Sections">
            {[...byTag.keys()].map((tag) => <a key={tag} href={`#${tag}`}>{tag}</a>)}
          </nav>
        </header>
        <main>
          {[...byTag].map(([tag, ops]) => (
            <section key={tag} id={tag}>
              <h2>{tag}</h2>
              {ops.map((op) => (
                <article key={`${op.method} ${op.path}`}>
                  <h3>
                    <span class={`method ${op.method}`}>{op.method.toUpperCase()}</span>{" "}
                    <code>{op.path}</code>{" "}
                    <span class="access">{ACCESS_LABEL[op.access] ?? op.access}</span>
                  </h3>
                  {op.summary && <p>{op.summary}</p>}
                  {op.description && <p class="description">{op.description}</p>}
                  {op.parameters.length > 0 && (
                    <table>
                      <thead>
                        <tr>
                          <th>Parameter</th>
                          <th>In</th>
                          <th>Required</th>
                          <th>Description</th>
                        </tr>
                      </thead>
                      <tbody>
                        {op.parameters.map((p) => (
                          <tr key={`${p.in}:${p.name}`}>
                            <td>
                              <code>{p.name}</code>
                            </td>
                            <td>{p.in}</td>
                            <td>{p.required ? "yes" : "no"}</td>
                            <td>{p.description ?? ""}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                  {op.requestSchema !== undefined && (
                    <details>
                      <summary>Request body schema</summary>
                      <pre>{JSON.stringify(op.requestSchema, null, 2)}</pre>
                    </details>
                  )}
                  <ul class="responses">
                    {op.responses.map((r) => (
                      <li key={r.status}>
                        <code>{r.status}</code> {r.description}
                      </li>
                    ))}
                  </ul>
                </article>
              ))}
            </section>
          ))}
        </main>
      </body>
    </html>
  );
}

const CSS = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fafbfc}
header,main{max-width:960px;margin:0 auto;padding:0 16px}
nav a{margin-right:12px}
article{background:#fff;border:1px solid #d8dee4;border-radius:6px;padding:8px 16px;margin:12px 0}
h3{font-size:15px;margin:8px 0}
.method{display:inline-block;min-width:56px;font-weight:700}
.get{color:#0969da}.post{color:#1a7f37}.patch,.put{color:#9a6700}.delete{color:#cf222e}
.access{float:right;font-weight:400;color:#57606a}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eaeef2;text-align:left;padding:2px 6px}
pre{overflow:auto;background:#f6f8fa;padding:8px;font-size:13px}
`;
