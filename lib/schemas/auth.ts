import { z } from "zod";
import { singleLineText, timestampSchema, userRoleSchema } from "./common.ts";

export const usernameSchema = z.string().regex(/^[a-z][a-z0-9._-]{1,31}$/, {
  message: "use 2-32 lowercase letters, digits, '.', '_' or '-', starting with a letter",
});

/**
 * New passwords: long enough to resist guessing, short enough for scrypt's
 * input, and typeable into a one-line field. Passwords checked against a
 * stored hash (login, current_password) take any text: refusing one could
 * lock out a password set before this rule.
 */
export const newPasswordSchema = singleLineText().min(12, {
  message: "use at least 12 characters",
}).max(256);

export const loginRequestSchema = z.strictObject({
  username: singleLineText().min(1).max(64),
  password: z.string().min(1).max(256),
});

export const userSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  role: userRoleSchema,
  must_change_password: z.boolean(),
  created_at: timestampSchema,
  last_login_at: timestampSchema.nullable(),
});
export type User = z.infer<typeof userSchema>;

/** `GET /v1/users`. */
export const userListSchema = z.object({ users: z.array(userSchema) });

export const loginResponseSchema = z.object({
  user: userSchema,
  expires_at: timestampSchema,
  csrf_token: z.string().meta({
    description: "Send as X-CSRF-Token with every change made with the session cookie",
  }),
});

export const principalSchema = z.object({
  kind: z.enum(["user", "token", "agent"]),
  name: z.string(),
  role: z.enum(["viewer", "operator", "admin", "agent"]),
  user: userSchema.optional(),
  node_id: z.string().optional(),
  csrf_token: z.string().optional().meta({
    description: "For a session: send as X-CSRF-Token with every change made with the cookie",
  }),
});

export const changePasswordSchema = z.strictObject({
  current_password: z.string().min(1).max(256),
  new_password: newPasswordSchema,
});

export const createUserSchema = z.strictObject({
  username: usernameSchema,
  role: userRoleSchema,
  password: newPasswordSchema.describe("Initial password; the user is asked to change it"),
});

export const updateUserSchema = z.strictObject({
  role: userRoleSchema.optional(),
  password: newPasswordSchema.optional().describe("Resets the password; the user must change it"),
}).refine((v) => v.role !== undefined || v.password !== undefined, {
  message: "give role, password or both",
}).meta({ minProperties: 1 });

export const tokenNameSchema = singleLineText().trim().min(1).max(64);

export const createTokenSchema = z.strictObject({
  name: tokenNameSchema,
  role: userRoleSchema,
});

export const apiTokenSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  role: userRoleSchema,
  prefix: z.string().describe("First characters of the token, to recognise it"),
  created_by: z.string(),
  created_at: timestampSchema,
  last_used_at: timestampSchema.nullable(),
  revoked_at: timestampSchema.nullable(),
});

/** `GET /v1/tokens`. */
export const apiTokenListSchema = z.object({ tokens: z.array(apiTokenSchema) });

export const createdTokenSchema = apiTokenSchema.extend({
  token: z.string().describe("The bearer token; shown only in this response"),
});
