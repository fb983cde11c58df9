/** One problem found in a configuration file. */
export interface ConfigProblem {
  /** Dotted path of the field, e.g. `gateway.listen`; empty for the whole file. */
  field: string;
  /** 1-based line number, when the file's structure gives one. */
  line?: number;
  message: string;
}

/** A configuration file that cannot be used; the message names the file, line and field. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
    options?: ErrorOptions,
  ) {
    super(
      `Cannot load ${file}:\n` +
        problems.map((p) =>
          `  ${p.line !== undefined ? `line ${p.line}: ` : ""}${
            p.field ? `${p.field}: ` : ""
          }${p.message}`
        ).join("\n"),
      options,
    );
  }
}
