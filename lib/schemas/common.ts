import { z } from "zod";

const LISTEN = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/;

/** `HOST:PORT` to listen on, e.g. `0.0.0.0:8080` or `[::1]:8080`. */
export const listenAddressSchema = z.string().superRefine((value, ctx) => {
  const match = LISTEN.exec(value);
  if (!match) {
    ctx.addIssue({
      code: "custom",
      message: "expected HOST:PORT, e.g. 0.0.0.0:8080 or [::1]:8080",
    });
  } else if (Number(match[2]) > 65535) {
    ctx.addIssue({ code: "custom", message: "port must be 0-65535" });
  }
});

/** Parses a validated `HOST:PORT` into its parts (brackets removed from IPv6). */
export function splitListenAddress(value: string): { hostname: string; port: number } {
  const at = value.lastIndexOf(":");
  const host = value.slice(0, at);
  return {
    hostname: host.startsWith("[") ? host.slice(1, -1) : host,
    port: Number(value.slice(at + 1)),
  };
}

/** A node's id, assigned at enrollment. */
export const nodeIdSchema = z.string().regex(/^n-[0-9a-f]{12}$/, {
  message: "expected a node id such as n-0123456789ab",
});

/** Path parameters of a node's routes: `/nodes/{id}`. */
export const nodeIdParamsSchema = z.object({ id: nodeIdSchema });

/**
 * Characters single-line text may not hold: C0 controls (CR, LF, tab, NUL…),
 * DEL, C1 controls, and the Unicode line and paragraph separators. Such text
 * lands in HTTP headers, log lines, CSV cells and one-line labels, where a
 * line break fails late or starts a line of the caller's own.
 */
// deno-lint-ignore no-control-regex -- matching control characters is the point
export const SINGLE_LINE_TEXT = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;

/** Multi-line text may hold tab, LF and CR, and no other control character. */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const MULTI_LINE_TEXT = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/;

/**
 * Text on one line: names, header values, one-line descriptions. Chain
 * bounds after it (`singleLineText().max(64)`); the OpenAPI document shows
 * the rule as a `pattern`.
 */
export function singleLineText(): z.ZodString {
  return z.string().regex(SINGLE_LINE_TEXT, {
    message: "must be one line: no line breaks, tabs or other control characters",
  });
}

/**
 * Text that may span lines (templates, messages, long descriptions): tab,
 * LF and CR allowed, other control characters refused. A refinement rather
 * than a `pattern`, which would make the flow builder draw a one-line input.
 */
export function multiLineText(): z.ZodString {
  return z.string().refine((text) => MULTI_LINE_TEXT.test(text), {
    message: "no control characters other than tab and line breaks",
  });
}

/**
 * An integer in a path or query, written as decimal digits and nothing
 * else. `Number()` also reads `0x2`, `1e3`, `+2`, ` 2`, `2.0` and `` (as 0);
 * those are refused, and so are leading zeros (`02`), so each number has
 * one spelling and an id compared as text (audit, caches) cannot be aliased.
 * The OpenAPI document shows `schema`'s integer type and bounds.
 */
export function decimalInteger<T extends z.ZodNumber>(schema: T) {
  return z.preprocess((value, ctx) => {
    if (typeof value === "string" && /^(0|[1-9][0-9]*)$/.test(value)) return Number(value);
    ctx.addIssue({
      code: "custom",
      message: "expected a whole number in decimal digits, without sign or leading zeros, e.g. 42",
    });
    return z.NEVER;
  }, schema);
}

/** A positive integer id in a path. */
export const intIdSchema = decimalInteger(z.number().int().positive().max(Number.MAX_SAFE_INTEGER));

/** Path parameters of a resource named by an integer id: `/users/{id}`. */
export const idParamsSchema = z.object({ id: intIdSchema });

/** An RFC 3339 timestamp as the API writes it. */
export const timestampSchema = z.string().describe("RFC 3339 timestamp (UTC)");

/** A timestamp in a query: RFC 3339 or epoch milliseconds. */
export const queryTimeSchema = z.string().transform((value, ctx) => {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({
      code: "custom",
      message: "expected an RFC 3339 time such as 2026-01-31T12:00:00Z or epoch milliseconds",
    });
    return z.NEVER;
  }
  return ms;
}).meta({
  description: "RFC 3339 time such as 2026-01-31T12:00:00Z, or epoch milliseconds",
  // The forms Date.parse() reads for certain; a leap second (:60) it does not.
  anyOf: [
    { type: "string", pattern: "^[0-9]{1,15}$" },
    {
      type: "string",
      format: "date-time",
      pattern:
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-5][0-9](\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$",
    },
  ],
});

/** `limit` in list queries. */
export const limitSchema = decimalInteger(z.number().int().min(1).max(1000)).default(100);

/** Node and other resource names: lowercase DNS-label style. */
export const nameSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
  message: "use 1-63 lowercase letters, digits and '-', starting with a letter or digit",
});

/** Free-form tag on a node. */
export const tagSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,39}$/, {
  message: "use 1-40 letters, digits, '_', '.', ':' or '-'",
});

export const macSchema = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, {
  message: "expected a lowercase MAC address such as 02:00:00:aa:bb:cc",
});

/** An interface address with its prefix length. */
export const cidrSchema = z.union([z.cidrv4(), z.cidrv6()], {
  message: "expected an address with prefix length, e.g. 198.18.0.2/24 or fd00::2/64",
});

export const ipSchema = z.union([z.ipv4(), z.ipv6()], {
  message: "expected an IPv4 or IPv6 address",
});

/** A WireGuard public key: 32 bytes in base64. */
export const wgPublicKeySchema = z.string().regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/, {
  message: "expected a WireGuard public key (44 characters of base64)",
});

/** Every API error has this shape. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().describe("Stable machine-readable code, e.g. validation_failed"),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional()
      .describe("One entry per bad field"),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Roles of people and API tokens, least to most privileged. */
export const USER_ROLES = ["viewer", "operator", "admin"] as const;
export const userRoleSchema = z.enum(USER_ROLES);
export type UserRole = z.infer<typeof userRoleSchema>;

/** Roles of nodes in a HALO network. */
export const nodeRoleSchema = z.enum(["gateway", "node"]);
export type NodeRole = z.infer<typeof nodeRoleSchema>;

/**
 * `z.record(key, value)` whose key rules the OpenAPI document shows as
 * `propertyNames`: the generator of the document leaves a record's keys out.
 */
export function keyedRecord<K extends z.ZodString, V extends z.ZodType>(key: K, value: V) {
  const { $schema: _, ...propertyNames } = z.toJSONSchema(key, { io: "input" });
  return z.record(key, value).meta({ propertyNames });
}

/** `{ ok: true }` for actions with nothing else to say. */
export const okSchema = z.object({ ok: z.literal(true) });
