import { assertEquals } from "./testing/assert.ts";
import { resolvePaths } from "./paths.ts";

Deno.test("resolvePaths() uses device defaults unless HALO_ETC, HALO_VAR or HALO_RUN are set", () => {
  assertEquals(resolvePaths(() => undefined), {
    etc: "/etc/halo",
    varLib: "/var/lib/halo",
    run: "/run/halo",
  });
  const env: Record<string, string> = { HALO_VAR: "/tmp/v", HALO_RUN: " " };
  assertEquals(resolvePaths((k) => env[k]), {
    etc: "/etc/halo",
    varLib: "/tmp/v",
    run: "/run/halo",
  });
});
