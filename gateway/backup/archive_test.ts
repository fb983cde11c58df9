import { assertEquals, assertThrows } from "../../lib/testing/assert.ts";
import { entryName, MANIFEST_ENTRY, packArchive } from "./archive.ts";

Deno.test("packArchive()", async (t) => {
  await using tmp = await (async () => {
    const path = await Deno.makeTempDir({ prefix: "halo-archive-" });
    return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
  })();
  const big = Uint8Array.from({ length: 70_001 }, (_, i) => i % 251);
  const manifest = new TextEncoder().encode('{"format":"halo-backup"}\n');

  await t.step("writes a tar of the announced length that tar lists and extracts", async () => {
    const { stream, size } = packArchive([
      { name: MANIFEST_ENTRY, mode: 0o644, size: manifest.length, body: manifest },
      { name: entryName("halo.db"), mode: 0o600, size: big.length, body: new Blob([big]).stream() },
      { name: entryName("ssh/id_ed25519"), mode: 0o600, size: 0, body: new Uint8Array() },
    ], new Date("2026-01-31T12:00:00Z"));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    assertEquals(bytes.length, size);
    await Deno.writeFile(`${tmp.path}/a.tar`, bytes);

    const listed = await new Deno.Command("tar", {
      args: ["-tvf", `${tmp.path}/a.tar`],
      stdout: "piped",
    }).output();
    const lines = new TextDecoder().decode(listed.stdout).trim().split("\n");
    assertEquals(lines.map((l) => l.split(/\s+/).at(-1)), [
      "halo-backup/manifest.json",
      "halo-backup/var/halo.db",
      "halo-backup/var/ssh/id_ed25519",
    ]);
    assertEquals(lines.map((l) => l.slice(0, 10)), ["-rw-r--r--", "-rw-------", "-rw-------"]);

    const extracted = await new Deno.Command("tar", {
      args: ["-xf", `${tmp.path}/a.tar`, "-C", tmp.path],
    }).output();
    assertEquals(extracted.code, 0);
    assertEquals(await Deno.readFile(`${tmp.path}/halo-backup/var/halo.db`), big);
  });

  await t.step("refuses a name tar would need an extended header for", () => {
    assertThrows(
      () =>
        packArchive([{
          name: entryName("x".repeat(90)),
          mode: 0o600,
          size: 0,
          body: new Uint8Array(),
        }], new Date()),
      RangeError,
      "longer than 99 bytes",
    );
  });
});
