/**
 * Wire formats of the SSH targets the Flows `command` action connects to:
 * per node, an optional address override and the host keys HALO pins in its
 * managed known_hosts file.
 */
import { z } from "zod";
import { nodeIdSchema, SINGLE_LINE_TEXT } from "./common.ts";

/** Key types OpenSSH writes in known_hosts. */
export const HOST_KEY_TYPES = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "ssh-rsa",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
] as const;

/** The key type written inside an OpenSSH public key blob, or null when it is not one. */
function blobType(base64: string): string | null {
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    if (bytes.length < 4) return null;
    const length = new DataView(bytes.buffer).getUint32(0);
    if (length > 64 || bytes.length < 4 + length) return null;
    return new TextDecoder().decode(bytes.subarray(4, 4 + length));
  } catch {
    return null;
  }
}

/**
 * A host public key as `ssh-keyscan` prints it after the host name, e.g.
 * `ssh-ed25519 AAAAC3Nza…`; a trailing comment is dropped. One line once
 * trimmed: a line break inside would cut the key short where it splits.
 */
export const hostKeySchema = z.string().trim().max(16_384).regex(SINGLE_LINE_TEXT, {
  message: "one host key per entry, on one line",
}).transform((line, ctx) => {
  const [type, key] = line.split(/\s+/);
  const expected =
    'expected a host key as ssh-keyscan prints it after the host name, e.g. "ssh-ed25519 AAAAC3Nza…"';
  if (!(HOST_KEY_TYPES as readonly string[]).includes(type ?? "") || !key) {
    ctx.addIssue({
      code: "custom",
      message: `${expected}; key types: ${HOST_KEY_TYPES.join(", ")}`,
    });
    return z.NEVER;
  }
  if (blobType(key) !== type) {
    ctx.addIssue({
      code: "custom",
      message: `the key data is not a valid ${type} key; ${expected}`,
    });
    return z.NEVER;
  }
  return `${type} ${key}`;
});

export const sshTargetInputSchema = z.strictObject({
  host_keys: z.array(hostKeySchema).max(8).describe(
    "The node's SSH host keys; commands refuse a host whose key is not among them",
  ),
  host: z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.:_-]+$/, {
    message: "a host name or IP address",
  }).optional().describe("Address to connect to; default: the address the node reports"),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, { message: "a login name such as root" })
    .optional().describe("Login user; default: the gateway's (root)"),
});
export type SshTargetInput = z.infer<typeof sshTargetInputSchema>;

export const sshTargetSchema = z.object({
  node_id: z.string(),
  node_name: z.string(),
  host_keys: z.array(z.string()),
  host: z.string().nullable(),
  port: z.number().int(),
  user: z.string().nullable(),
  updated_at: z.string(),
  updated_by: z.string(),
});
export type SshTarget = z.infer<typeof sshTargetSchema>;

/** `GET /v1/flows/ssh/targets`. */
export const sshTargetListSchema = z.object({ targets: z.array(sshTargetSchema) });

/** Path parameters of `/v1/flows/ssh/targets/{node_id}`. */
export const sshTargetParamsSchema = z.object({ node_id: nodeIdSchema });

/** `GET /v1/flows/ssh/public-key`. */
export const sshPublicKeySchema = z.object({
  public_key: z.string().describe("One authorized_keys line"),
  user: z.string().describe("The login user commands use unless a target names another"),
});
