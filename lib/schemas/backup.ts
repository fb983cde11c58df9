import { z } from "zod";
import { timestampSchema } from "./common.ts";

/** Shortest backup passphrase: the archive holds every credential of the network. */
export const BACKUP_PASSPHRASE_MIN = 12;

/** `POST /v1/system/backup`: the passphrase the archive is encrypted with. */
export const backupRequestSchema = z.strictObject({
  passphrase: z.string()
    .min(BACKUP_PASSPHRASE_MIN, {
      message: `use at least ${BACKUP_PASSPHRASE_MIN} characters, e.g. five random words`,
    })
    .max(1024, { message: "use at most 1024 characters" })
    // `age -d` and `gateway-api restore` read it as one typed line.
    // Unicode's control characters (Cc), spelled out: a /u flag would not survive into the document.
    // deno-lint-ignore no-control-regex -- refusing them is the point
    .regex(/^[^\x00-\x1f\x7f-\x9f]*$/, {
      message: "must not contain control characters such as newlines",
    })
    .describe("Encrypts the archive (age, scrypt); needed again to decrypt or restore it"),
});
export type BackupRequest = z.infer<typeof backupRequestSchema>;

/** The answer of `POST /v1/system/backup`: the age-encrypted archive. */
export const backupArchiveSchema = z.string().meta({ format: "binary" });

/** Version of the archive layout this gateway writes; restore refuses newer ones. */
export const BACKUP_FORMAT_VERSION = 1;

/** `halo-backup/manifest.json`, the archive's first entry. */
export const backupManifestSchema = z.object({
  format: z.literal("halo-backup"),
  version: z.number().int().min(1),
  created_at: timestampSchema,
  gateway: z.object({ version: z.string(), commit: z.string().nullable() }),
  migrations: z.array(z.string()).describe("Migrations applied to the database, by name"),
  files: z.array(z.object({
    path: z.string().describe("Relative to $HALO_VAR; the database is halo.db"),
    size: z.number().int().min(0),
    mode: z.string().regex(/^0[0-7]{3}$/),
  })),
});
export type BackupManifest = z.infer<typeof backupManifestSchema>;
