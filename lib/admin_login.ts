/**
 * Logging in as the admin of a gateway whose data directory (`HALO_VAR`) is
 * on this machine, as the demo and the system tests do after starting one.
 */
import { relative } from "node:path";
import { z } from "zod";
import { GatewayApiError, type GatewayClient } from "./api_client.ts";
import { denoFileSystem, type FileSystem } from "./fs.ts";
import { generatePassword } from "./random_password.ts";

/** What the gateway writes to `$HALO_VAR/initial-admin` on first start. */
const INITIAL_ADMIN_FILE = "initial-admin";
const initialAdminSchema = z.object({ username: z.string(), password: z.string() });

/** Where the demo keeps the admin password it chose: `<dataDir>/admin-password`, mode 0600. */
export const ADMIN_PASSWORD_FILE = "admin-password";

/** The admin login the demo used. */
export interface AdminLogin {
  username: string;
  password: string;
  /** The file that holds the password. */
  file: string;
}

/** How to give the admin a new one-time password for the data in `dataDir`. */
export function resetAdminHint(dataDir: string, cwd = Deno.cwd()): string {
  const rel = relative(cwd, dataDir);
  const shown = rel !== "" && !rel.startsWith("..") ? rel : dataDir;
  return `HALO_VAR=${shown} deno task gateway reset-admin`;
}

const isUnauthorized = (error: unknown) => error instanceof GatewayApiError && error.status === 401;

/**
 * Logs `client` in as the admin of the gateway whose `HALO_VAR` is `dataDir`.
 * The gateway's one-time password (in `<dataDir>/initial-admin`) is good for
 * nothing but changing it, so the first time it is changed to a new random
 * password kept in `<dataDir>/admin-password` (0600), which later runs use.
 * After a `reset-admin` the new one-time password is changed the same way.
 *
 * @throws {Error} saying how to reset the password when neither file holds
 *   one that works (the admin changed it in the portal, say).
 */
export async function loginAsAdmin(
  client: GatewayClient,
  dataDir: string,
  fs: FileSystem = denoFileSystem,
): Promise<AdminLogin> {
  const keptFile = `${dataDir}/${ADMIN_PASSWORD_FILE}`;
  if (await fs.exists(keptFile)) {
    const password = (await fs.readTextFile(keptFile)).trim();
    try {
      await client.login("admin", password);
      return { username: "admin", password, file: keptFile };
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
    }
  }
  const initialFile = `${dataDir}/${INITIAL_ADMIN_FILE}`;
  const initial = await readInitialAdmin(fs, initialFile, dataDir);
  const login = await client.login(initial.username, initial.password).catch((error) => {
    if (!isUnauthorized(error)) throw error;
    throw new Error(
      `The admin password in ${initialFile} no longer works, nor one in ${keptFile}: it was ` +
        `changed since. The demo needs the admin to set up its nodes. Set a new one-time ` +
        `password with:\n  ${resetAdminHint(dataDir)}\nand start the demo again.`,
      { cause: error },
    );
  });
  if (!login.user.must_change_password) return { ...initial, file: initialFile };
  const password = generatePassword();
  // Kept before the change, so a password the gateway takes is never lost.
  await fs.writeTextFileAtomic(keptFile, `${password}\n`, { mode: 0o600 });
  await client.request("POST", "/v1/auth/password", {
    body: { current_password: initial.password, new_password: password },
  });
  return { username: initial.username, password, file: keptFile };
}

async function readInitialAdmin(fs: FileSystem, file: string, dataDir: string) {
  try {
    return initialAdminSchema.parse(JSON.parse(await fs.readTextFile(file)));
  } catch (error) {
    throw new Error(
      `Cannot read the admin login from ${file} (${(error as Error).message}). ` +
        `Set a new one-time admin password with:\n  ${resetAdminHint(dataDir)}\n` +
        `and start the demo again.`,
      { cause: error },
    );
  }
}
