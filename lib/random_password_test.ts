import { assertEquals, assertMatch } from "./testing/assert.ts";
import { generatePassword } from "./random_password.ts";

Deno.test("generatePassword() draws from an unambiguous alphabet", () => {
  const passwords = new Set(Array.from({ length: 50 }, () => generatePassword()));
  assertEquals(passwords.size, 50);
  for (const p of passwords) assertMatch(p, /^[A-HJ-NP-Za-km-z2-9]{20}$/);
});
