import { assertEquals, assertMatch } from "../../lib/testing/assert.ts";
import { generateSecret, hashSecret, secretPrefix } from "./secret_token.ts";

Deno.test("secretPrefix() shows the kind and four characters, even when the secret contains '_'", () => {
  assertEquals(secretPrefix("halo_api_ab_cdefghijklmnop"), "halo_api_ab_c");
  assertEquals(secretPrefix("halo_agent_WXYZ___"), "halo_agent_WXYZ");
});

Deno.test("generateSecret() gives 256 random bits in base64url behind the kind", () => {
  const secret = generateSecret("join");
  assertMatch(secret, /^halo_join_[A-Za-z0-9_-]{43}$/);
  assertMatch(hashSecret(secret), /^[0-9a-f]{64}$/);
});
