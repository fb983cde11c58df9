/**
 * The SSH identity the gateway runs Flows commands with: a HALO-managed
 * ed25519 key and a known_hosts file under `$HALO_VAR/ssh/`, never the
 * user's `~/.ssh`. The key is generated with `ssh-keygen` on first use.
 */
import { type CommandRunner, denoCommandRunner } from "../../lib/command.ts";
import { denoFileSystem } from "../../lib/fs.ts";
import type { SecretFile } from "../backup/secret_file.ts";

const KEY_FILE = "ssh/id_ed25519";

/**
 * The identity's files a backup carries: nodes authorize this key, so a
 * restored gateway must keep it. known_hosts is not among them: it is
 * rewritten from the SSH targets in the database before each run.
 */
export const SSH_IDENTITY_FILES: readonly SecretFile[] = [
  {
    name: "SSH private key of flow commands",
    path: KEY_FILE,
    mode: 0o600,
    dirMode: 0o700,
    owner: "gateway-api's user",
  },
  {
    name: "SSH public key of flow commands",
    path: `${KEY_FILE}.pub`,
    mode: 0o644,
    dirMode: 0o700,
    owner: "gateway-api's user",
  },
];

/** The key, known hosts and login user of `ssh` for Flows commands. */
export interface SshIdentity {
  /** Path of the private key (mode 0600). */
  key: string;
  /** Path of the known_hosts file host keys are checked against. */
  knownHosts: string;
  /** Login user on the nodes. */
  user: string;
}

/** Options for {@linkcode ManagedSshIdentity}. */
export interface ManagedSshIdentityOptions {
  /** `$HALO_VAR`; the files go to its `ssh/` directory. */
  varDir: string;
  /** Runs `ssh-keygen`. @default denoCommandRunner */
  runner?: CommandRunner;
  /** Login user on the nodes. @default "root" */
  user?: string;
}

/**
 * The HALO-managed key and known_hosts. {@linkcode ensure} creates them
 * once, however many commands ask at the same time.
 *
 * @example
 * ```ts
 * const identity = new ManagedSshIdentity({ varDir: "/var/lib/halo" });
 * const { key, knownHosts } = await identity.ensure();
 * ```
 */
export class ManagedSshIdentity {
  readonly dir: string;
  readonly keyPath: string;
  readonly knownHostsPath: string;
  readonly #runner: CommandRunner;
  readonly #user: string;
  #ready: Promise<SshIdentity> | null = null;

  constructor(options: ManagedSshIdentityOptions) {
    this.dir = `${options.varDir}/ssh`;
    this.keyPath = `${options.varDir}/${KEY_FILE}`;
    this.knownHostsPath = `${this.dir}/known_hosts`;
    this.#runner = options.runner ?? denoCommandRunner;
    this.#user = options.user ?? "root";
  }

  /**
   * The identity, creating the directory (0700), the key (0600) and an empty
   * known_hosts (0600) if they are missing.
   *
   * @throws {Error} when `ssh-keygen` fails; the next call tries again.
   */
  ensure(): Promise<SshIdentity> {
    this.#ready ??= this.#create().catch((error) => {
      this.#ready = null;
      throw error;
    });
    return this.#ready;
  }

  /** The public key line to authorize on nodes (`ssh-ed25519 AAAA… halo-gateway`). */
  async publicKey(): Promise<string> {
    await this.ensure();
    return (await Deno.readTextFile(`${this.keyPath}.pub`)).trim();
  }

  async #create(): Promise<SshIdentity> {
    await Deno.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await Deno.chmod(this.dir, 0o700);
    if (!await denoFileSystem.exists(this.keyPath)) {
      // A half-written pair from an interrupted run would make ssh-keygen ask to overwrite.
      await Deno.remove(`${this.keyPath}.pub`).catch(() => {});
      const result = await this.#runner.run("ssh-keygen", [
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-C",
        "halo-gateway",
        "-f",
        this.keyPath,
      ], { timeoutMs: 30_000 });
      if (result.code !== 0) {
        throw new Error(
          `Cannot create the SSH key ${this.keyPath}: ssh-keygen exited with ${result.code}: ${result.stderr.trim()}`,
        );
      }
    }
    // The umask or an operator may have widened it; ssh refuses a readable key.
    await Deno.chmod(this.keyPath, 0o600);
    if (!await denoFileSystem.exists(this.knownHostsPath)) {
      await Deno.writeTextFile(this.knownHostsPath, "", { mode: 0o600 });
    }
    return { key: this.keyPath, knownHosts: this.knownHostsPath, user: this.#user };
  }
}
