import { Hono } from "hono";
import { assertEquals } from "../../lib/testing/assert.ts";
import { PAGE_CSP, securityHeaders } from "./security_headers.ts";

Deno.test("securityHeaders() keeps answers out of frames, sniffing and other origins", async () => {
  const app = new Hono();
  app.use(securityHeaders());
  app.get("/", (c) => c.text("hi"));
  const res = await app.request("/");
  await res.body?.cancel();
  assertEquals(res.headers.get("cross-origin-resource-policy"), "same-origin");
  assertEquals(res.headers.get("cross-origin-opener-policy"), "same-origin");
  assertEquals(res.headers.get("x-frame-options"), "SAMEORIGIN");
  assertEquals(res.headers.get("x-content-type-options"), "nosniff");
  assertEquals(res.headers.get("referrer-policy"), "no-referrer");
  assertEquals(res.headers.get("strict-transport-security"), "max-age=15552000; includeSubDomains");
});

Deno.test("PAGE_CSP allows only this server's scripts and styles, and no framing", () => {
  const directives = Object.fromEntries(
    PAGE_CSP.split("; ").map((d) => [d.split(" ")[0]!, d.split(" ").slice(1).join(" ")]),
  );
  assertEquals(directives, {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "manifest-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
  });
});
