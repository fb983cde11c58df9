/** A secret the gateway keeps as a file in `$HALO_VAR`, carried by every backup. */
export interface SecretFile {
  /** What it is, for the restore's report. */
  name: string;
  /** Path relative to `$HALO_VAR`; also its name in the archive. */
  path: string;
  /** Mode the restore gives it. */
  mode: number;
  /** Mode of its directory, created by the restore if missing. */
  dirMode: number;
  /** Who must own it; the restore gives it `$HALO_VAR`'s owner and prints this. */
  owner: string;
}
