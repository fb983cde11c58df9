/**
 * Every secret file a backup carries besides the database. A feature that
 * keeps a secret in a file of `$HALO_VAR` adds its declaration here, so a
 * restore onto new hardware brings it back.
 */
import { SSH_IDENTITY_FILES } from "../flows/ssh_identity.ts";
import type { SecretFile } from "./secret_file.ts";

export type { SecretFile };

/** The registry; paths are unique and relative to `$HALO_VAR`. */
export const SECRET_FILES: readonly SecretFile[] = [
  ...SSH_IDENTITY_FILES,
];
