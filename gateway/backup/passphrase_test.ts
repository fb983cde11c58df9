import { assertEquals, assertRejects } from "../../lib/testing/assert.ts";
import { BackupError } from "./errors.ts";
import { type PassphraseSource, readPassphrase } from "./passphrase.ts";

/** A source whose stdin gives `chunks`, recording the prompts and raw-mode switches. */
function source(options: { env?: string; terminal?: boolean; chunks?: string[] }) {
  const seen: string[] = [];
  const chunks = (options.chunks ?? []).map((c) => new TextEncoder().encode(c));
  const fake: PassphraseSource = {
    env: (name) => name === "HALO_BACKUP_PASSPHRASE" ? options.env : undefined,
    stdin: {
      isTerminal: () => options.terminal ?? false,
      setRaw: (raw) => seen.push(`raw ${raw}`),
      readable: ReadableStream.from(chunks),
    },
    prompt: (text) => seen.push(text),
  };
  return { fake, seen };
}

Deno.test("readPassphrase()", async (t) => {
  await t.step("takes HALO_BACKUP_PASSPHRASE first, without reading stdin", async () => {
    const { fake, seen } = source({ env: "from the environment", chunks: ["from stdin\n"] });
    assertEquals(await readPassphrase(fake), "from the environment");
    assertEquals(seen, []);
  });

  await t.step("reads the first line of piped stdin, however it is split", async () => {
    const { fake } = source({ chunks: ["correct horse ", "battery staple\r\nsecond line\n"] });
    assertEquals(await readPassphrase(fake), "correct horse battery staple");
  });

  await t.step("on a terminal, prompts without echo and takes Backspace", async () => {
    const { fake, seen } = source({ terminal: true, chunks: ["pass", "phrasx\x7fe", "\r"] });
    assertEquals(await readPassphrase(fake), "passphrase");
    assertEquals(seen, ["Backup passphrase: ", "raw true", "raw false", "\n"]);
  });

  await t.step("Ctrl-C on the prompt gives up and gives the terminal back", async () => {
    const { fake, seen } = source({ terminal: true, chunks: ["secr\x03"] });
    await assertRejects(() => readPassphrase(fake), BackupError, "Cancelled");
    assertEquals(seen.at(-2), "raw false");
  });

  await t.step("no passphrase at all is refused, saying where to give one", async () => {
    await assertRejects(
      () => readPassphrase(source({ chunks: ["\n"] }).fake),
      BackupError,
      "set HALO_BACKUP_PASSPHRASE",
    );
    await assertRejects(() => readPassphrase(source({}).fake), BackupError, "No passphrase given");
  });
});
