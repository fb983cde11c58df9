import { assertEquals, assertStringIncludes } from "../lib/testing/assert.ts";
import {
  backfillPrinter,
  curlExamples,
  formatBackfillDone,
  formatBackfillProgress,
  formatBackfillStart,
  formatBanner,
} from "./banner.ts";

Deno.test("curlExamples() inline the URL and the real token", () => {
  assertEquals(curlExamples("http://127.0.0.1:8080", "halo_api_abc"), [
    "curl -s http://127.0.0.1:8080/health",
    'curl -s -H "Authorization: Bearer halo_api_abc" http://127.0.0.1:8080/v1/nodes',
    'curl -s -H "Authorization: Bearer halo_api_abc" "http://127.0.0.1:8080/v1/events?limit=5"',
  ]);
});

Deno.test("formatBanner() shows the portal, the URL, the admin login, the curl examples and how to stop", () => {
  const text = formatBanner({
    url: "http://127.0.0.1:8080",
    admin: { username: "admin", password: "pw-123", file: "/repo/.halo-demo/admin-password" },
    apiToken: "halo_api_abc",
    dataDir: "/repo/.halo-demo",
    logFile: "/repo/.halo-demo/gateway.log",
    nodeCount: 6,
    reportIntervalS: 10,
    flaky: { name: "halo-leaf-04", everyS: 240, awayS: 60 },
    reused: false,
    telemetry: { intervalS: 10, backfilledDays: 3 },
  });
  assertStringIncludes(text, "Portal         http://127.0.0.1:8080/ ");
  assertStringIncludes(text, "http://127.0.0.1:8080/v1");
  assertStringIncludes(
    text,
    "admin / pw-123   (set by the demo; kept in /repo/.halo-demo/admin-password)",
  );
  assertStringIncludes(text, "halo-leaf-04 drops off for 1 min every 4 min");
  assertStringIncludes(text, "telemetry every 10 s (3 days of history back-filled)");
  assertStringIncludes(text, "  curl -s http://127.0.0.1:8080/health\n");
  assertStringIncludes(text, "Ctrl-C");
});

Deno.test("formatBanner() says when telemetry is off", () => {
  const text = formatBanner({
    url: "http://127.0.0.1:8080",
    admin: { username: "admin", password: "pw-123", file: "/repo/.halo-demo/admin-password" },
    apiToken: "halo_api_abc",
    dataDir: "/repo/.halo-demo",
    logFile: "/repo/.halo-demo/gateway.log",
    nodeCount: 6,
    reportIntervalS: 10,
    flaky: { name: "halo-leaf-04", everyS: 240, awayS: 60 },
    reused: true,
    telemetry: null,
  });
  assertStringIncludes(text, "Telemetry is off: this gateway takes none");
});

Deno.test("the back-fill lines give the size, the progress and the rate", () => {
  assertEquals(
    formatBackfillStart({ days: 3, stepS: 60, nodes: 6, samples: 233_280 }),
    "Back-filling 3 days of telemetry for 6 nodes, one round every minute: 233,280 samples.",
  );
  assertEquals(formatBackfillProgress(58_320, 233_280, 1234), "   25%  58,320 samples  1.2 s");
  assertEquals(
    formatBackfillDone({ samples: 233_280, total: 233_280, ms: 4000, unsupported: false }),
    "Back-filled 233,280 samples in 4.0 s (58,320 samples/s).",
  );
  assertStringIncludes(
    formatBackfillDone({ samples: 1000, total: 233_280, ms: 500, unsupported: false }),
    "1,000 samples of 233,280 (stopped)",
  );
  assertStringIncludes(
    formatBackfillDone({ samples: 0, total: 233_280, ms: 5, unsupported: true }),
    "takes no telemetry",
  );
});

Deno.test("backfillPrinter() prints the start line, then every further 20 %", () => {
  const lines: string[] = [];
  let now = 0;
  const progress = backfillPrinter({
    write: (l) => lines.push(l),
    now: () => now,
    days: 3,
    stepS: 60,
    nodes: 6,
  });
  progress(0, 1000);
  for (const done of [100, 150, 250, 450, 700, 1000]) {
    now += 500;
    progress(done, 1000);
  }
  assertEquals(lines, [
    "Back-filling 3 days of telemetry for 6 nodes, one round every minute: 1,000 samples.",
    "   25%  250 samples  1.5 s",
    "   45%  450 samples  2.0 s",
    "   70%  700 samples  2.5 s",
    "  100%  1,000 samples  3.0 s",
  ]);
});
