import type { UserRole } from "../../lib/schemas/common.ts";

/** Who is looking at a portal page; pages show controls by it, the API enforces it anyway. */
export interface PortalSession {
  username: string;
  role: UserRole;
  csrfToken: string;
  /** A one-time or reset password: every page sends the user to /account to set their own. */
  mustChangePassword?: boolean;
}

const RANK: Record<UserRole, number> = { viewer: 1, operator: 2, admin: 3 };

/** Whether the session's role reaches `role`. */
export function can(session: Pick<PortalSession, "role">, role: UserRole): boolean {
  return RANK[session.role] >= RANK[role];
}
