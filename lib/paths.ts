/**
 * Where HALO keeps its files on a device. Each root can be moved with an
 * environment variable so tests and the demo run without touching `/etc`.
 */
export interface HaloPaths {
  /** Configuration: `config.yaml`, `agent-env`, templates. */
  etc: string;
  /** Persistent state: the gateway database, field tests, RF config. */
  varLib: string;
  /** Runtime sockets and pid files. */
  run: string;
}

/** Default roots on a device. */
export const DEFAULT_PATHS: Readonly<HaloPaths> = {
  etc: "/etc/halo",
  varLib: "/var/lib/halo",
  run: "/run/halo",
};

/**
 * Resolves HALO's roots from `HALO_ETC`, `HALO_VAR` and `HALO_RUN`.
 *
 * @param env Environment lookup, `Deno.env.get` by default.
 * @example
 * ```ts
 * const paths = resolvePaths((k) => ({ HALO_VAR: "/tmp/h" })[k]);
 * paths.varLib; // "/tmp/h"
 * ```
 */
export function resolvePaths(
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): HaloPaths {
  return {
    etc: nonEmpty(env("HALO_ETC")) ?? DEFAULT_PATHS.etc,
    varLib: nonEmpty(env("HALO_VAR")) ?? DEFAULT_PATHS.varLib,
    run: nonEmpty(env("HALO_RUN")) ?? DEFAULT_PATHS.run,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
