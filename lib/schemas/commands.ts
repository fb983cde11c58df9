/**
 * The command channel (NODE-CONTRACT.md, "Commands from the gateway"): what
 * an operator asks for, what the gateway streams to a node's agent, what the
 * agent posts back, and what the API shows.
 *
 * Each command type is one {@linkcode CommandType}: its params, the result its
 * agent posts, the role that may issue it, its deadline bounds, and whether it
 * is desired state (kept for an offline node and delivered when it connects)
 * or a one-off (refused at once for an offline node). A later issue adds a
 * type by defining one and listing it in {@linkcode COMMAND_TYPES}; the
 * gateway's routes and the agent's validation are built from that list.
 */
import { z } from "zod";
import {
  decimalInteger,
  nodeIdSchema,
  singleLineText,
  timestampSchema,
  userRoleSchema,
} from "./common.ts";
import type { UserRole } from "./common.ts";

/** Every state a command passes through; the last five are final. */
export const COMMAND_STATES = [
  "queued",
  "sent",
  "running",
  "succeeded",
  "failed",
  "expired",
  "refused",
  "superseded",
] as const;
export type CommandState = (typeof COMMAND_STATES)[number];

/** States after which nothing changes. */
export const FINAL_COMMAND_STATES: readonly CommandState[] = [
  "succeeded",
  "failed",
  "expired",
  "refused",
  "superseded",
];

/** A command's id, e.g. `cmd-0123456789abcdef`. */
export const commandIdSchema = z.string().regex(/^cmd-[0-9a-f]{16}$/, {
  message: "expected a command id such as cmd-0123456789abcdef",
});
export const commandIdParamsSchema = z.object({ id: commandIdSchema });

/** Why a command did not succeed: a stable code and a sentence for people. */
export const commandErrorSchema = z.strictObject({
  code: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, {
    message: "expected a lowercase code such as no_camera",
  }),
  message: singleLineText().min(1).max(1000),
});
export type CommandError = z.infer<typeof commandErrorSchema>;

/** What defines one command type; see the module comment. */
export interface CommandType {
  readonly type: string;
  readonly summary: string;
  /** Kept for an offline node and delivered when it connects; a newer one replaces a queued one. */
  readonly desiredState: boolean;
  /** The least role that may issue it (never below operator: the route needs that). */
  readonly role: Exclude<UserRole, "viewer">;
  /** Seconds from issue until the command expires unless it finished. */
  readonly deadlineS: { readonly default: number; readonly max: number };
  /** Its parameters, with their defaults. */
  readonly params: z.ZodType<Record<string, unknown>>;
  /** What its agent posts when it succeeds. */
  readonly result: z.ZodType<Record<string, unknown>>;
  /** What the API shows as its result; the gateway derives it from `result`. */
  readonly view: z.ZodType<Record<string, unknown>>;
}

// --- camera_snapshot --------------------------------------------------------

/**
 * The largest snapshot a node sends: its base64 in the result must fit the
 * gateway's 1 MiB request body with room to spare (640 KiB → 874 KB).
 * A 1280×720 JPEG at quality 80 is typically 100–300 KiB.
 */
export const CAMERA_MAX_IMAGE_BYTES = 640 * 1024;

/** How long the gateway holds an image nobody asked it to store. */
export const CAMERA_IMAGE_HOLD_S = 300;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const cameraSnapshotParamsSchema = z.strictObject({
  width: z.number().int().min(160).max(1920).default(1280).describe("Pixels"),
  height: z.number().int().min(120).max(1080).default(720).describe("Pixels"),
  quality: z.number().int().min(10).max(100).default(80).describe("JPEG quality"),
  store: z.boolean().default(false).describe(
    "Keep the image in the gateway's database. Otherwise it is held only until it is " +
      `fetched once or for ${CAMERA_IMAGE_HOLD_S / 60} minutes`,
  ),
});
export type CameraSnapshotParams = z.infer<typeof cameraSnapshotParamsSchema>;

/** What the agent posts: the JPEG itself, and the tool that took it. */
export const cameraSnapshotResultSchema = z.strictObject({
  tool: singleLineText().min(1).max(64).describe("e.g. rpicam-still"),
  image_base64: z.string().min(4).max(Math.ceil(CAMERA_MAX_IMAGE_BYTES / 3) * 4)
    .regex(BASE64, { message: "expected base64 (A-Z a-z 0-9 + /, = padding)" })
    .describe(`The JPEG, at most ${CAMERA_MAX_IMAGE_BYTES} bytes before encoding`),
});
export type CameraSnapshotResult = z.infer<typeof cameraSnapshotResultSchema>;

/** The API's view of a snapshot: the image is fetched from `image_url`. */
export const cameraSnapshotViewSchema = z.object({
  tool: z.string(),
  content_type: z.literal("image/jpeg"),
  size_bytes: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  stored: z.boolean().describe("Kept in the gateway's database (asked with store: true)"),
  image_url: z.string().nullable().describe(
    "GET this for the JPEG; null once the gateway no longer holds it",
  ),
});
export type CameraSnapshotView = z.infer<typeof cameraSnapshotViewSchema>;

export const CAMERA_SNAPSHOT = {
  type: "camera_snapshot",
  summary: "A still from the node's camera (rpicam-still, else libcamera-still)",
  desiredState: false,
  role: "operator",
  deadlineS: { default: 60, max: 600 },
  params: cameraSnapshotParamsSchema,
  result: cameraSnapshotResultSchema,
  view: cameraSnapshotViewSchema,
} as const satisfies CommandType;

/**
 * The command types this version knows. The contract names those to come:
 * desired I2C templates (desired state), speed-test client, external check,
 * mesh profile apply and staged switch (desired state), start a recovery,
 * scan a bus.
 */
export const COMMAND_TYPES: readonly CommandType[] = [CAMERA_SNAPSHOT];

// --- the envelopes, built from a list of types ------------------------------

/** One or more object schemas, as `z.discriminatedUnion` takes them. */
type Options = [z.ZodObject, ...z.ZodObject[]];

function options(types: readonly CommandType[], make: (t: CommandType) => z.ZodObject): Options {
  if (types.length === 0) throw new RangeError("Cannot build command schemas for no types");
  return types.map(make) as Options;
}

const recordBase = z.object({
  id: commandIdSchema,
  node_id: nodeIdSchema,
  desired_state: z.boolean(),
  state: z.enum(COMMAND_STATES),
  issued_by: z.string().describe("Who issued it, as the audit log names them"),
  issued_role: userRoleSchema,
  created_at: timestampSchema,
  deadline: timestampSchema.describe("Expires unless it finished by then"),
  sent_at: timestampSchema.nullable().describe("First written to the node's command stream"),
  started_at: timestampSchema.nullable().describe("The agent said it started"),
  finished_at: timestampSchema.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable()
    .describe("Why it failed, expired, was refused or superseded"),
});

const deliveryBase = z.object({
  id: commandIdSchema,
  desired_state: z.boolean(),
  deadline: timestampSchema,
  issued_by: z.string(),
  issued_role: userRoleSchema,
  created_at: timestampSchema,
});

const failedBody = z.strictObject({
  outcome: z.literal("failed"),
  error: commandErrorSchema,
});

/**
 * The wire schemas of the command channel for `types`. Built from a list, so
 * their static types are the loose envelopes below; each type's own schemas
 * type its params and result.
 */
export function commandSchemas(types: readonly CommandType[]): CommandSchemas {
  const byType = new Map(types.map((t) => [t.type, t]));
  const record = z.discriminatedUnion(
    "type",
    options(types, (t) =>
      recordBase.extend({
        type: z.literal(t.type),
        params: t.params,
        result: t.view.nullable(),
      })),
  );
  const command = z.discriminatedUnion(
    "type",
    options(types, (t) => deliveryBase.extend({ type: z.literal(t.type), params: t.params })),
  );
  // The unions' inferred types are their members' (plain records); the envelopes say more.
  return {
    byType,
    issue: z.discriminatedUnion(
      "type",
      options(types, (t) =>
        z.strictObject({
          type: z.literal(t.type),
          params: t.params.prefault({}),
          deadline_s: z.number().int().min(1).max(t.deadlineS.max).optional().describe(
            `Seconds until it expires; default ${t.deadlineS.default}`,
          ),
        })),
    ) as z.ZodType as z.ZodType<IssueCommand>,
    record: record as z.ZodType as z.ZodType<CommandRecord>,
    list: z.object({ commands: z.array(record) }) as z.ZodType as z.ZodType<
      { commands: CommandRecord[] }
    >,
    command: command as z.ZodType as z.ZodType<DeliveredCommand>,
    delivery: z.object({
      gateway_time_ms: z.number().int().describe("The gateway's clock when it wrote this"),
      command,
    }) as z.ZodType as z.ZodType<CommandDelivery>,
    resultBody: z.discriminatedUnion("outcome", [
      failedBody,
      z.discriminatedUnion(
        "type",
        options(types, (t) =>
          z.strictObject({
            outcome: z.literal("succeeded"),
            type: z.literal(t.type),
            result: t.result,
          })),
      ),
    ]) as z.ZodType as z.ZodType<CommandResultBody>,
  };
}

/** The command channel's schemas for a list of types; see {@linkcode commandSchemas}. */
export interface CommandSchemas {
  byType: ReadonlyMap<string, CommandType>;
  /** `POST /v1/nodes/{id}/commands`. */
  issue: z.ZodType<IssueCommand>;
  /** A command as the API shows it. */
  record: z.ZodType<CommandRecord>;
  /** `GET /v1/nodes/{id}/commands`. */
  list: z.ZodType<{ commands: CommandRecord[] }>;
  /** One command as the gateway streams it to the node's agent. */
  command: z.ZodType<DeliveredCommand>;
  /** The data of each `command` message on the agent's stream. */
  delivery: z.ZodType<CommandDelivery>;
  /** `POST /v1/agent/commands/{id}/result`. */
  resultBody: z.ZodType<CommandResultBody>;
}

/** The schemas of this version's command types. */
export const COMMAND_SCHEMAS: CommandSchemas = commandSchemas(COMMAND_TYPES);

/** A command as the API shows it (params and result loosely typed; see each type's schemas). */
export interface CommandRecord extends z.infer<typeof recordBase> {
  type: string;
  params: Record<string, unknown>;
  result: Record<string, unknown> | null;
}

/** A command as the agent receives it. */
export interface DeliveredCommand extends z.infer<typeof deliveryBase> {
  type: string;
  params: Record<string, unknown>;
}

/** A parsed `POST /v1/nodes/{id}/commands` body. */
export interface IssueCommand {
  type: string;
  params: Record<string, unknown>;
  deadline_s?: number | undefined;
}

/** The data of one message on the agent's command stream. */
export interface CommandDelivery {
  gateway_time_ms: number;
  command: DeliveredCommand;
}

/** What an agent posts when a command finished. */
export type CommandResultBody =
  | { outcome: "failed"; error: CommandError }
  | { outcome: "succeeded"; type: string; result: Record<string, unknown> };

/** The query of `GET /v1/nodes/{id}/commands`. */
export const listCommandsQuerySchema = z.object({
  limit: decimalInteger(z.number().int().min(1).max(200)).optional()
    .describe("Newest first; default 50"),
});

/** The answer to the agent's `started` and `result` posts. */
export const commandAckSchema = z.object({
  id: commandIdSchema,
  state: z.enum(COMMAND_STATES),
});
export type CommandAck = z.infer<typeof commandAckSchema>;

/** `GET /v1/agent/commands/stream`: Server-Sent Events, `event: command` messages. */
export const commandStreamSchema = z.string();

/** The name of the `event:` field of each command message. */
export const COMMAND_EVENT = "command";
