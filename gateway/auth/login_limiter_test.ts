import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import {
  addressKey,
  type Admission,
  LoginLimiter,
  type LoginLimiterOptions,
} from "./login_limiter.ts";

const WINDOW = 15 * 60_000;

function limiter(options: LoginLimiterOptions = {}) {
  const clock = new FakeClock();
  return { clock, limiter: new LoginLimiter({ now: () => clock.now(), ...options }) };
}

/** The wait an admission asks for; 0 when it was admitted. */
const waitOf = (a: Admission) => a.admitted ? 0 : a.retryAfterMs;

/** An attempt that waits its turn when told to, then fails. */
async function guessAfterWaiting(l: LoginLimiter, clock: FakeClock, address: string) {
  const asked = l.admitLogin("admin", address);
  if (asked.admitted) return;
  await clock.tick(asked.retryAfterMs);
  assert(l.admitLogin("admin", address).admitted, `${address}'s turn is honoured`);
}

/** `n` failures on "admin" from as many fresh addresses, each waiting its turn. */
async function attack(l: LoginLimiter, clock: FakeClock, n: number) {
  for (let i = 0; i < n; i++) await guessAfterWaiting(l, clock, `198.51.100.${i + 1}`);
}

/** `n` attempts that fail: admitted and never released. */
function fail(l: LoginLimiter, n: number, username: string, address: (i: number) => string) {
  for (let i = 0; i < n; i++) assert(l.admitLogin(username, address(i)).admitted, `attempt ${i}`);
}

Deno.test("LoginLimiter counts an attempt when it admits it, before the password is checked", () => {
  const { limiter: l } = limiter();
  // Five in flight at once, none answered yet: the sixth is refused all the same.
  const inFlight = Array.from({ length: 5 }, () => l.admitLogin("admin", "203.0.113.1"));
  assert(inFlight.every((a) => a.admitted));
  assertEquals(waitOf(l.admitLogin("admin", "203.0.113.1")), WINDOW);
});

Deno.test("LoginLimiter refuses one username from one address until its oldest attempt leaves the window", async () => {
  const { clock, limiter: l } = limiter();
  fail(l, 5, "admin", () => "203.0.113.1");
  await clock.tick(60_000);
  assertEquals(waitOf(l.admitLogin("admin", "203.0.113.1")), WINDOW - 60_000);
  await clock.tick(WINDOW - 60_000 + 1);
  assert(l.admitLogin("admin", "203.0.113.1").admitted);
});

Deno.test("LoginLimiter refuses one address after 20 attempts on any usernames", () => {
  const { limiter: l } = limiter();
  for (let i = 0; i < 20; i++) fail(l, 1, `user${i}`, () => "203.0.113.2");
  assertEquals(waitOf(l.admitLogin("fresh", "203.0.113.2")), WINDOW);
  assert(l.admitLogin("fresh", "203.0.113.3").admitted, "another address is not affected");
});

Deno.test("LoginLimiter: a success clears its own username-and-address record only", () => {
  const { limiter: l } = limiter({ perUserFree: 100 });
  fail(l, 4, "bob", () => "203.0.113.4");
  const right = l.admitLogin("bob", "203.0.113.4");
  assert(right.admitted);
  right.succeeded();
  fail(l, 5, "bob", () => "203.0.113.4");
  assertEquals(waitOf(l.admitLogin("bob", "203.0.113.4")), WINDOW, "five new failures count again");

  // The attacker's failures from one address stay counted when the user logs in from another.
  const { limiter: l2 } = limiter({ perUserFree: 100 });
  fail(l2, 5, "bob", () => "198.51.100.1");
  const mine = l2.admitLogin("bob", "192.0.2.1");
  assert(mine.admitted);
  mine.succeeded();
  assertEquals(waitOf(l2.admitLogin("bob", "198.51.100.1")), WINDOW);
});

Deno.test("LoginLimiter makes each further attempt on a username wait longer, up to the cap", async () => {
  const { clock, limiter: l } = limiter();
  let n = 0;
  const fresh = () => `198.51.100.${++n}`;
  fail(l, 5, "admin", fresh);
  const waits: number[] = [];
  for (let i = 0; i < 12; i++) {
    const address = fresh();
    waits.push(waitOf(l.admitLogin("admin", address)));
    await clock.tick(waits.at(-1)!);
    assert(l.admitLogin("admin", address).admitted, `turn ${i} is honoured`);
  }
  assertEquals(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map((s) => s * 1000));
});

Deno.test("LoginLimiter keeps each address's turn for that address: another cannot take it", async () => {
  const { clock, limiter: l } = limiter();
  await attack(l, clock, 8);
  assertEquals(waitOf(l.admitLogin("admin", "192.0.2.10")), 8000, "the admin asks");
  assertEquals(waitOf(l.admitLogin("admin", "198.51.100.77")), 8000, "so does the attacker");
  await clock.tick(3000);
  assertEquals(waitOf(l.admitLogin("admin", "192.0.2.10")), 5000, "asking early costs nothing");
  await clock.tick(5000);
  assert(l.admitLogin("admin", "198.51.100.77").admitted, "the attacker takes its own turn");
  assert(!l.admitLogin("admin", "198.51.100.78").admitted, "a fresh address waits for its own");
  assert(l.admitLogin("admin", "192.0.2.10").admitted, "the admin's turn is still there");
  assert(!l.admitLogin("admin", "192.0.2.10").admitted, "one turn, one attempt");
});

Deno.test("LoginLimiter lets a turn not taken within the window lapse", async () => {
  const { clock, limiter: l } = limiter();
  let n = 0;
  fail(l, 5, "admin", () => `198.51.100.${++n}`);
  assertEquals(waitOf(l.admitLogin("admin", "192.0.2.10")), 1000);
  await clock.tick(WINDOW / 2);
  await guessAfterWaiting(l, clock, "198.51.100.99"); // the username stays under attack
  await clock.tick(WINDOW / 2 + 2000);
  assert(!l.admitLogin("admin", "192.0.2.10").admitted, "the old turn was not saved up");
});

Deno.test("LoginLimiter spares an address that logged in as the user from that user's backoff", async () => {
  const { clock, limiter: l } = limiter();
  const first = l.admitLogin("admin", "192.0.2.10");
  assert(first.admitted);
  first.succeeded();
  await attack(l, clock, 10);
  assert(l.admitLogin("admin", "192.0.2.10").admitted);
  assert(!l.admitLogin("admin", "192.0.2.11").admitted, "a new address waits");
});

Deno.test("LoginLimiter forgets a username's failures once the window has passed", async () => {
  const { clock, limiter: l } = limiter();
  await attack(l, clock, 9);
  await clock.tick(WINDOW + 1);
  assert(l.admitLogin("admin", "192.0.2.10").admitted);
});

Deno.test("LoginLimiter keeps at most maxEntries records of each kind, dropping the stalest", () => {
  const { limiter: l } = limiter({ maxEntries: 3 });
  for (let i = 0; i < 20; i++) fail(l, 1, `user${i}`, () => "203.0.113.9");
  assert(!l.admitLogin("admin", "203.0.113.9").admitted);
  // A flood of new names and addresses pushes the old records out instead of piling up.
  for (let i = 0; i < 3; i++) l.admitLogin(`flood${i}`, `192.0.2.${i}`);
  assert(l.admitLogin("admin", "203.0.113.9").admitted);
});

Deno.test("LoginLimiter admits 5 current-password checks per user, counted before checking", async () => {
  const { clock, limiter: l } = limiter();
  const checks = Array.from({ length: 5 }, () => l.admitPasswordCheck(7));
  assert(checks.every((c) => c.admitted));
  assertEquals(waitOf(l.admitPasswordCheck(7)), WINDOW);
  assert(l.admitPasswordCheck(8).admitted, "another user is not affected");
  await clock.tick(WINDOW + 1);
  assert(l.admitPasswordCheck(7).admitted, "the window has passed");
});

Deno.test("LoginLimiter: a right current password clears that user's count", () => {
  const { limiter: l } = limiter();
  for (let i = 0; i < 4; i++) assert(l.admitPasswordCheck(7).admitted);
  const right = l.admitPasswordCheck(7);
  assert(right.admitted);
  right.succeeded();
  const again = Array.from({ length: 5 }, () => l.admitPasswordCheck(7));
  assert(again.every((c) => c.admitted));
});

Deno.test("addressKey counts IPv4 as is and IPv6 by its /64", () => {
  assertEquals(addressKey("203.0.113.5"), "203.0.113.5");
  assertEquals(addressKey("::ffff:203.0.113.5"), "203.0.113.5");
  assertEquals(addressKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  assertEquals(addressKey("2001:0db8:0001:0002:ffff:0:0:9"), "2001:db8:1:2::/64");
  assertEquals(addressKey("2001:db8::1"), "2001:db8:0:0::/64");
  assertEquals(addressKey("fe80::1%eth0"), "fe80:0:0:0::/64");
  assertEquals(addressKey("unknown"), "unknown");
});
