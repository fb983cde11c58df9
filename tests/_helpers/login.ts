/**
 * Logging in as a person, for tests that read the portal: over the API's
 * `POST /v1/auth/login`, the same route the portal's form goes through.
 */
import type { Harness } from "../../gateway/testing/harness.ts";
import { assertEquals } from "../../lib/testing/assert.ts";

/** A signed-in browser: the cookie it sends and the CSRF token its pages carry. */
export interface Session {
  /** `halo_session=…`, for a `cookie` header. */
  cookie: string;
  /** For the `x-csrf-token` header (or a form's `_csrf`) of a change. */
  csrf: string;
}

/** Where to log in: the in-process harness, or a running gateway's base URL. */
export type LoginTarget = Pick<Harness, "request"> | string;

/**
 * Logs `username` in; the session.
 *
 * @throws {AssertionError} naming the user and the answer when the login is refused.
 */
export async function loginAs(
  target: LoginTarget,
  username: string,
  password: string,
): Promise<Session> {
  const credentials = { username, password };
  const res = typeof target === "string"
    ? await fetch(new URL("/v1/auth/login", target), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(credentials),
    })
    : await target.request("/v1/auth/login", { method: "POST", json: credentials });
  const body = await res.json().catch(() => null);
  assertEquals(res.status, 200, `login as ${username}: ${JSON.stringify(body)}`);
  return { cookie: sessionCookie(res), csrf: body.csrf_token };
}

/** The first cookie an answer sets, as `name=value` the way a browser sends it back. */
export function sessionCookie(res: Response): string {
  const set = res.headers.get("set-cookie");
  if (!set) throw new Error(`The answer (${res.status}) sets no cookie`);
  return set.split(";")[0]!;
}
