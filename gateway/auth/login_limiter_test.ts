import { assertEquals } from "../../lib/testing/assert.ts";
import { LoginLimiter } from "./login_limiter.ts";

Deno.test("LoginLimiter", async (t) => {
  let now = 1_000_000;
  const limiter = new LoginLimiter({ perUser: 3, perAddress: 5, windowMs: 60_000, now: () => now });

  await t.step("allows attempts until a username has failed perUser times", () => {
    for (let i = 0; i < 3; i++) {
      assertEquals(limiter.retryAfterMs("admin", "10.0.0.1"), 0);
      limiter.recordFailure("admin", "10.0.0.1");
    }
    assertEquals(limiter.retryAfterMs("admin", "10.0.0.1"), 60_000);
    assertEquals(limiter.retryAfterMs("other", "10.0.0.2"), 0);
  });

  await t.step("lets the username try again once the oldest failure leaves the window", () => {
    now += 60_001;
    assertEquals(limiter.retryAfterMs("admin", "10.0.0.1"), 0);
  });

  await t.step("limits one address guessing many usernames", () => {
    for (let i = 0; i < 5; i++) limiter.recordFailure(`user${i}`, "10.0.0.9");
    assertEquals(limiter.retryAfterMs("fresh", "10.0.0.9") > 0, true);
  });

  await t.step("a success clears the username's failures", () => {
    limiter.recordFailure("bob", "10.0.0.3");
    limiter.recordFailure("bob", "10.0.0.3");
    limiter.recordSuccess("bob");
    limiter.recordFailure("bob", "10.0.0.3");
    limiter.recordFailure("bob", "10.0.0.3");
    assertEquals(limiter.retryAfterMs("bob", "10.0.0.4"), 0);
  });
});
