import { BackupError } from "./errors.ts";

/** Environment variable `gateway-api restore` takes the passphrase from, if set. */
export const PASSPHRASE_ENV = "HALO_BACKUP_PASSPHRASE";

/** Where a passphrase can come from; never the command line, which `ps` shows. */
export interface PassphraseSource {
  env(name: string): string | undefined;
  stdin: {
    isTerminal(): boolean;
    setRaw(raw: boolean): void;
    readonly readable: ReadableStream<Uint8Array>;
  };
  /** Shows the prompt (on standard error, so standard output stays the report). */
  prompt(text: string): void;
}

/** The process's environment, standard input and standard error. */
export const processPassphraseSource: PassphraseSource = {
  env: (name) => Deno.env.get(name),
  stdin: Deno.stdin,
  prompt: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
};

const MAX_BYTES = 4096;

/**
 * The passphrase from `HALO_BACKUP_PASSPHRASE`, else asked for on a terminal
 * (not echoed), else the first line of standard input.
 *
 * @throws {BackupError} when none is given or the prompt is cancelled.
 */
export async function readPassphrase(
  source: PassphraseSource = processPassphraseSource,
): Promise<string> {
  const fromEnv = source.env(PASSPHRASE_ENV);
  if (fromEnv) return fromEnv;
  const terminal = source.stdin.isTerminal();
  if (terminal) {
    source.prompt("Backup passphrase: ");
    source.stdin.setRaw(true);
  }
  let line: string;
  try {
    line = await readLine(source.stdin.readable, terminal);
  } finally {
    if (terminal) {
      source.stdin.setRaw(false);
      source.prompt("\n");
    }
  }
  if (line === "") {
    throw new BackupError(
      `No passphrase given: type it at the prompt, give it on standard input, or set ${PASSPHRASE_ENV}`,
    );
  }
  return line;
}

/** One line; on a raw terminal also Backspace, and Ctrl-C or Ctrl-D to give up. */
async function readLine(input: ReadableStream<Uint8Array>, terminal: boolean): Promise<string> {
  const reader = input.getReader();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let line = "";
  let bytes = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return line + decoder.decode();
      bytes += value.length;
      if (bytes > MAX_BYTES) {
        throw new BackupError(`The passphrase is longer than ${MAX_BYTES} bytes`);
      }
      for (const char of decoder.decode(value, { stream: true })) {
        if (char === "\n" || char === "\r") return line;
        if (terminal && (char === "\x03" || char === "\x04")) {
          throw new BackupError("Cancelled: no passphrase given");
        }
        if (terminal && (char === "\x7f" || char === "\b")) {
          line = Array.from(line).slice(0, -1).join("");
        } else line += char;
      }
    }
  } catch (error) {
    if (error instanceof TypeError) {
      throw new BackupError("The passphrase is not valid UTF-8", { cause: error });
    }
    throw error;
  } finally {
    reader.releaseLock();
  }
}
