import { assertEquals, assertStringIncludes } from "../../lib/testing/assert.ts";
import { curlExamples, formatBanner } from "./banner.ts";

Deno.test("curlExamples() inline the URL and the real token", () => {
  assertEquals(curlExamples("http://127.0.0.1:8080", "halo_api_abc"), [
    "curl -s http://127.0.0.1:8080/health",
    'curl -s -H "Authorization: Bearer halo_api_abc" http://127.0.0.1:8080/v1/nodes',
    'curl -s -H "Authorization: Bearer halo_api_abc" "http://127.0.0.1:8080/v1/events?limit=5"',
  ]);
});

Deno.test("formatBanner() shows the URL, the admin login, the curl examples and how to stop", () => {
  const text = formatBanner({
    url: "http://127.0.0.1:8080",
    admin: { username: "admin", password: "pw-123" },
    apiToken: "halo_api_abc",
    dataDir: "/repo/.halo-demo",
    logFile: "/repo/.halo-demo/gateway.log",
    nodeCount: 6,
    reportIntervalS: 10,
    flaky: { name: "halo-leaf-04", everyS: 240, awayS: 60 },
    reused: false,
  });
  assertStringIncludes(text, "http://127.0.0.1:8080/v1");
  assertStringIncludes(text, "admin / pw-123");
  assertStringIncludes(text, "halo-leaf-04 drops off for 1 min every 4 min");
  assertStringIncludes(text, "  curl -s http://127.0.0.1:8080/health\n");
  assertStringIncludes(text, "Ctrl-C");
});
