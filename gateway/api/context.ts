/** The Hono context of the gateway app: who is calling, and what the app's handlers see. */
import type { UserRecord } from "../store/users.ts";
import type { ApiToken } from "../store/api_tokens.ts";
import type { UserRole } from "../../lib/schemas/common.ts";

/** Who is calling. */
export type Principal =
  | { kind: "anonymous" }
  | { kind: "user"; role: UserRole; user: UserRecord; sessionHash: string }
  | { kind: "token"; role: UserRole; token: ApiToken }
  | { kind: "agent"; nodeId: string };

/** Hono environment of the gateway app. */
export interface AppEnv {
  Variables: { principal: Principal; clientIp: string | null; secure: boolean };
  Bindings: { remoteAddr?: { hostname: string } };
}
