import { assert, assertEquals, assertMatch } from "../../lib/testing/assert.ts";
import { DUMMY_HASH, hashPassword, verifyPassword } from "./password.ts";

Deno.test("hashPassword() and verifyPassword()", async (t) => {
  const hash = await hashPassword("correct horse battery");
  await t.step("store scrypt parameters, salt and key", () => {
    assertMatch(hash, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
  });
  await t.step("accept the right password and refuse others", async () => {
    assert(await verifyPassword("correct horse battery", hash));
    assertEquals(await verifyPassword("correct horse batterY", hash), false);
    assertEquals(await verifyPassword("", hash), false);
  });
  await t.step("salt each hash", async () => {
    assert(hash !== await hashPassword("correct horse battery"));
  });
  await t.step("no password matches the dummy hash or a malformed one", async () => {
    assertEquals(await verifyPassword("", DUMMY_HASH), false);
    assertEquals(await verifyPassword("x", "md5$abc"), false);
  });
});
