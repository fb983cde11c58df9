import { assertEquals, assertMatch, assertRejects } from "../../lib/testing/assert.ts";
import { decryptWithPassphrase, encryptWithPassphrase } from "./age.ts";
import { BackupError } from "./errors.ts";

const PASSPHRASE = "correct horse battery staple";
// A low cost keeps the test quick; the gateway uses age's default, 18.
const FAST = { workFactor: 10 };

/** 200 KiB that differ from byte to byte, so a wrong chunk order would show. */
const PLAIN = Uint8Array.from({ length: 200 * 1024 }, (_, i) => (i * 7 + (i >> 8)) & 0xff);

const plainStream = () => ({ stream: streamOf(PLAIN), size: PLAIN.length });
const streamOf = (bytes: Uint8Array) => new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
const bytesOf = async (stream: ReadableStream<Uint8Array>) =>
  new Uint8Array(
    await new Response(stream as ReadableStream<Uint8Array<ArrayBuffer>>).arrayBuffer(),
  );

async function encrypted(workFactor = FAST.workFactor): Promise<Uint8Array> {
  const { stream, size } = await encryptWithPassphrase(plainStream(), PASSPHRASE, { workFactor });
  const bytes = await bytesOf(stream);
  assertEquals(bytes.length, size, "the announced size is the real one");
  return bytes;
}

Deno.test("age passphrase encryption", async (t) => {
  const file = await encrypted();

  await t.step("writes age's header with one scrypt stanza, and decrypts back", async () => {
    const header = new TextDecoder().decode(file.slice(0, 200)).split("\n");
    assertEquals(header[0], "age-encryption.org/v1");
    assertMatch(header[1]!, /^-> scrypt [A-Za-z0-9+/]{22} 10$/);
    assertEquals(await bytesOf(await decryptWithPassphrase(streamOf(file), PASSPHRASE)), PLAIN);
  });

  await t.step("refuses the wrong passphrase before giving out anything", async () => {
    await assertRejects(
      () => decryptWithPassphrase(streamOf(file), "correct horse battery stapler"),
      BackupError,
      "Wrong passphrase",
    );
  });

  await t.step("refuses a file that is not age's", async () => {
    const sqlite = new TextEncoder().encode("SQLite format 3\0 and so on\n");
    await assertRejects(
      () => decryptWithPassphrase(streamOf(sqlite), PASSPHRASE),
      BackupError,
      "not an age-encrypted HALO backup",
    );
  });

  await t.step("a truncated file fails the stream, also when cut at a chunk's end", async () => {
    const headerEnd = file.indexOf(0x0a, new TextDecoder().decode(file).indexOf("\n---")) + 1;
    // The payload is a 16-byte nonce, then 64 KiB chunks with 16 bytes of tag each.
    const chunkEnd = headerEnd + 16 + 65536 + 16;
    for (const length of [file.length - 1, chunkEnd, chunkEnd * 2 - headerEnd - 16]) {
      const plain = await decryptWithPassphrase(streamOf(file.slice(0, length)), PASSPHRASE);
      await assertRejects(() => bytesOf(plain), BackupError, "damaged or truncated");
    }
  });

  await t.step("a flipped bit in the content fails the stream", async () => {
    const damaged = file.slice();
    damaged[damaged.length - 30_000]! ^= 0x01;
    const plain = await decryptWithPassphrase(streamOf(damaged), PASSPHRASE);
    await assertRejects(() => bytesOf(plain), BackupError, "damaged or truncated");
  });
});

Deno.test("deriving the key leaves the event loop free, so the gateway keeps answering", async () => {
  const order: string[] = [];
  setTimeout(() => order.push("timer"), 0);
  const made = encryptWithPassphrase(plainStream(), PASSPHRASE, {
    workFactor: 14,
  }).then((result) => {
    order.push("key derived");
    return result;
  });
  await (await made).stream.cancel();
  // Derived on the event loop, the key would be ready before a timer could fire.
  assertEquals(order, ["timer", "key derived"]);
});

Deno.test("two backups at once derive their keys one after the other, not 512 MiB at once", async () => {
  const order: string[] = [];
  const encrypt = (workFactor: number) =>
    encryptWithPassphrase(plainStream(), PASSPHRASE, { workFactor }).then(
      async (made) => {
        order.push(`2^${workFactor}`);
        await made.stream.cancel();
      },
    );
  // Side by side the cheap one (64 times less work) would be done first.
  await Promise.all([encrypt(16), encrypt(10)]);
  assertEquals(order, ["2^16", "2^10"]);
});
