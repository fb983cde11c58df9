/**
 * Islands' way to the gateway API: same-origin fetch with the session cookie
 * and the page's CSRF token, and the API's error body turned into an error
 * that names each bad field.
 */

/** One bad field, as the API reports it. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** The API refused a request. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = "ApiProblem";
  }
}

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

/** Calls the API; resolves with the parsed body. @throws {ApiProblem} on a refusal. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET") headers["x-csrf-token"] = csrfToken();
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiProblem(0, "network", "The gateway cannot be reached; check the connection");
  }
  if (res.status === 401) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiProblem(401, "unauthorized", "Your session ended; log in again");
  }
  const text = await res.text();
  const parsed = text && res.headers.get("content-type")?.includes("json")
    ? JSON.parse(text)
    : text;
  if (!res.ok) {
    const error = parsed?.error;
    throw new ApiProblem(
      res.status,
      error?.code ?? "http_error",
      error?.message ?? `${method} ${path} failed with ${res.status}`,
      error?.details ?? [],
    );
  }
  return parsed as T;
}
