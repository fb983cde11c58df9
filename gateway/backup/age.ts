/**
 * Passphrase encryption in the age format (age-encryption.org/v1, scrypt
 * recipient), so an archive opens with the stock tool: `age -d FILE`.
 */
import { Decrypter, Encrypter, type Recipient, Stanza } from "age-encryption";
import { Buffer } from "node:buffer";
import { createCipheriv, randomBytes, scrypt } from "node:crypto";
import { BackupError } from "./errors.ts";

/** age's own default (`age -p`): 2^18 rounds, 256 MiB, about a second on a laptop. */
export const SCRYPT_WORK_FACTOR = 18;

const SCRYPT_LABEL = "age-encryption.org/v1/scrypt";

/**
 * age's scrypt recipient with the key derived by node:crypto: it runs on a
 * worker thread and frees its 256 MiB when done, where the library's own
 * scrypt holds the gateway's event loop for seconds on a Pi and leaves the
 * memory to the garbage collector. The stanza is the one `age -p` writes.
 */
class PassphraseRecipient implements Recipient {
  constructor(readonly passphrase: string, readonly logN: number) {}

  async wrapFileKey(fileKey: Uint8Array): Promise<Stanza[]> {
    const salt = randomBytes(16);
    const key = await deriveKey(this.passphrase, salt, this.logN);
    // The file key is wrapped with ChaCha20-Poly1305 under a zero nonce, as the spec says.
    const cipher = createCipheriv("chacha20-poly1305", key, Buffer.alloc(12), {
      authTagLength: 16,
    });
    const body = Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()]);
    const saltText = salt.toString("base64").replace(/=+$/, "");
    return [new Stanza(["scrypt", saltText, String(this.logN)], new Uint8Array(body))];
  }
}

let derivations: Promise<unknown> = Promise.resolve();

/** age's scrypt key; one derivation at a time, as each holds 128·r·N bytes (256 MiB). */
function deriveKey(passphrase: string, salt: Buffer, logN: number): Promise<Buffer> {
  const derived = derivations.then(() =>
    new Promise<Buffer>((resolve, reject) =>
      scrypt(
        passphrase,
        Buffer.concat([Buffer.from(SCRYPT_LABEL), salt]),
        32,
        // node:crypto refuses more than 32 MiB unless allowed.
        { N: 2 ** logN, r: 8, p: 1, maxmem: 2 * 128 * 8 * 2 ** logN },
        (error, key) => error ? reject(error) : resolve(key),
      )
    )
  );
  derivations = derived.catch(() => {});
  return derived;
}

/** Options for {@linkcode encryptWithPassphrase}. */
export interface EncryptOptions {
  /** log2 of scrypt's cost. @default SCRYPT_WORK_FACTOR */
  workFactor?: number;
}

/** A stream and its exact length in bytes. */
export interface SizedStream {
  stream: ReadableStream<Uint8Array>;
  size: number;
}

/**
 * Encrypts `plain` as it is read.
 *
 * @returns the age file as a stream, and its exact length.
 */
export async function encryptWithPassphrase(
  plain: SizedStream,
  passphrase: string,
  options: EncryptOptions = {},
): Promise<SizedStream> {
  const encrypter = new Encrypter();
  encrypter.addRecipient(
    new PassphraseRecipient(passphrase, options.workFactor ?? SCRYPT_WORK_FACTOR),
  );
  const stream = await encrypter.encrypt(plain.stream);
  return { stream, size: stream.size(plain.size) };
}

/**
 * Decrypts an age file as it is read. Each 64 KiB chunk is authenticated,
 * and the last one is marked, so a damaged or truncated file makes the
 * returned stream fail (at the latest at its end).
 *
 * @throws {BackupError} when the passphrase is wrong or the file is not age's.
 */
export async function decryptWithPassphrase(
  encrypted: ReadableStream<Uint8Array>,
  passphrase: string,
): Promise<ReadableStream<Uint8Array>> {
  const decrypter = new Decrypter();
  decrypter.addPassphrase(passphrase);
  let plain: ReadableStream<Uint8Array>;
  try {
    plain = await decrypter.decrypt(encrypted);
  } catch (error) {
    const message = (error as Error).message;
    throw new BackupError(
      message.includes("no identity matched")
        ? "Wrong passphrase: the backup was encrypted with another one (or not with a passphrase)"
        : `The file is not an age-encrypted HALO backup, or its header is damaged (${message})`,
      { cause: error },
    );
  }
  return failingAs(
    plain,
    (error) =>
      new BackupError(
        `The backup is damaged or truncated: its encrypted content does not check out (${
          (error as Error).message
        }); nothing was restored from it`,
        { cause: error },
      ),
  );
}

/** `stream` with the errors it fails with replaced by `wrap(error)`. */
function failingAs(
  stream: ReadableStream<Uint8Array>,
  wrap: (error: unknown) => Error,
): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  return new ReadableStream({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(wrap(error));
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
