/**
 * Password guessing against the real app, as an attacker sends it: many
 * requests at once, from one address or many. Each request names its address
 * with X-Forwarded-For, which the gateway honours from loopback (nginx).
 */
import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { createHarness, type Harness } from "../testing/harness.ts";

const ADMIN_PASSWORD = "the-admins-own-password";

function login(h: Harness, password: string, address: string, username = "admin") {
  return h.request("/v1/auth/login", {
    method: "POST",
    json: { username, password },
    headers: { "x-forwarded-for": address },
  });
}

/** Status and Retry-After (seconds) of an answer, its body read. */
async function outcome(res: Promise<Response>): Promise<{ status: number; retryAfter: number }> {
  const answer = await res;
  const body = await answer.json();
  if (answer.status === 429) assertEquals(body.error.code, "too_many_attempts");
  return { status: answer.status, retryAfter: Number(answer.headers.get("retry-after")) };
}

function tally(outcomes: { status: number }[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const o of outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1;
  return counts;
}

async function withAdmin(): Promise<Harness> {
  const h = await createHarness();
  await h.user("admin", "admin", ADMIN_PASSWORD);
  return h;
}

Deno.test("200 parallel wrong logins from one address: at most 5 are checked, the rest get 429", async () => {
  await using h = await withAdmin();
  const outcomes = await Promise.all(
    Array.from({ length: 200 }, (_, i) => outcome(login(h, `guess-${i}`, "203.0.113.7"))),
  );
  const counts = tally(outcomes);
  assert((counts[401] ?? 0) <= 5, `checked ${counts[401]} guesses: ${JSON.stringify(counts)}`);
  assertEquals((counts[401] ?? 0) + (counts[429] ?? 0), 200, JSON.stringify(counts));
  for (const o of outcomes.filter((o) => o.status === 429)) assert(o.retryAfter > 0);
});

Deno.test("a parallel burst with the right password last does not log in", async () => {
  await using h = await withAdmin();
  const burst = Array.from({ length: 59 }, (_, i) => login(h, `guess-${i}`, "203.0.113.8"));
  burst.push(login(h, ADMIN_PASSWORD, "203.0.113.8"));
  const outcomes = await Promise.all(burst.map(outcome));
  assertEquals(outcomes.at(-1)!.status, 429);
  assertEquals(tally(outcomes)[200], undefined);
  const after = await outcome(login(h, ADMIN_PASSWORD, "203.0.113.8"));
  assertEquals(after.status, 429, "the burst's failures still count");
});

Deno.test("one address guessing many usernames is refused after 20 attempts", async () => {
  await using h = await withAdmin();
  const outcomes = await Promise.all(
    Array.from({ length: 60 }, (_, i) => outcome(login(h, "guess", "203.0.113.9", `user${i}`))),
  );
  assertEquals(tally(outcomes), { 401: 20, 429: 40 });
});

Deno.test("an anonymous attacker cannot keep the admin out", async (t) => {
  await using h = await withAdmin();
  let fresh = 0;
  const attackerAddress = () => `198.51.100.${++fresh}`;

  await t.step("the attacker's address is refused after its own failures", async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => outcome(login(h, `guess-${i}`, "203.0.113.66"))),
    );
    assertEquals(tally(outcomes), { 401: 5, 429: 5 });
  });

  await t.step("the admin from another address gets in, after waiting at most", async () => {
    const first = await outcome(login(h, ADMIN_PASSWORD, "192.0.2.10"));
    if (first.status === 429) {
      assert(first.retryAfter > 0 && first.retryAfter <= 300, `Retry-After ${first.retryAfter}`);
      await h.clock.tick(first.retryAfter * 1000);
    }
    const res = first.status === 200
      ? first
      : await outcome(login(h, ADMIN_PASSWORD, "192.0.2.10"));
    assertEquals(res.status, 200);
  });

  await t.step("an attack from many addresses makes each further guess wait longer", async () => {
    const waits: number[] = [];
    for (let round = 0; round < 4; round++) {
      // Every address asks at once; those told to wait come back when told and guess.
      const asked = await Promise.all(
        Array.from({ length: 4 }, () => {
          const address = attackerAddress();
          return outcome(login(h, "guess", address)).then((o) => ({ ...o, address }));
        }),
      );
      const told = asked.filter((o) => o.status === 429);
      waits.push(Math.max(0, ...told.map((o) => o.retryAfter)));
      await h.clock.tick(Math.max(0, ...told.map((o) => o.retryAfter)) * 1000);
      await Promise.all(told.map((o) => outcome(login(h, "guess", o.address))));
    }
    assert(waits.at(-1)! > waits[0]!, `waits did not grow: ${waits}`);
  });

  await t.step(
    "while the attack goes on, the admin still gets in once its Retry-After has passed",
    async () => {
      const asked = await outcome(login(h, ADMIN_PASSWORD, "192.0.2.11"));
      assertEquals(asked.status, 429, "the admin's new address waits too");
      await h.clock.tick(asked.retryAfter * 1000);
      // The attacker fires first, from many addresses, the moment the wait is over.
      const attack = Array.from(
        { length: 20 },
        () => outcome(login(h, "guess", attackerAddress())),
      );
      await Promise.all(attack);
      assertEquals((await outcome(login(h, ADMIN_PASSWORD, "192.0.2.11"))).status, 200);
    },
  );

  await t.step("an address the admin logged in from does not wait for the attack", async () => {
    assertEquals((await outcome(login(h, ADMIN_PASSWORD, "192.0.2.10"))).status, 200);
  });
});

Deno.test("the portal's login form passes the limit on: 429 with Retry-After", async () => {
  await using h = await withAdmin();
  const form = (password: string) =>
    h.request("/login", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "http://localhost",
        "x-forwarded-for": "203.0.113.30",
      },
      body: new URLSearchParams({ username: "admin", password, next: "/" }),
    });
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => form(`guess-${i}`)));
  await Promise.all(answers.map((res) => res.body?.cancel()));
  assertEquals(tally(answers), { 401: 5, 429: 3 });
  const refused = await form(ADMIN_PASSWORD);
  assertEquals(refused.status, 429);
  assert(Number(refused.headers.get("retry-after")) > 0);
  assert((await refused.text()).includes("Too many login attempts"), "the page says why");
});

Deno.test("guessing the current password when changing it is limited per user", async () => {
  await using h = await withAdmin();
  const res = await login(h, ADMIN_PASSWORD, "192.0.2.20");
  const session = {
    cookie: res.headers.get("set-cookie")!.split(";")[0]!,
    "x-csrf-token": (await res.json()).csrf_token,
  };
  const change = (current: string) =>
    h.request("/v1/auth/password", {
      method: "POST",
      headers: session,
      json: { current_password: current, new_password: "a-brand-new-password" },
    });
  const outcomes = await Promise.all(
    Array.from({ length: 50 }, (_, i) => outcome(change(`guess-${i}`))),
  );
  const counts = tally(outcomes);
  assert((counts[400] ?? 0) <= 5, `checked ${counts[400]} guesses: ${JSON.stringify(counts)}`);
  assertEquals((counts[400] ?? 0) + (counts[429] ?? 0), 50, JSON.stringify(counts));
  const refused = await outcome(change(ADMIN_PASSWORD));
  assertEquals(refused.status, 429, "the right password waits too");
  await h.clock.tick(refused.retryAfter * 1000);
  assertEquals((await outcome(change(ADMIN_PASSWORD))).status, 200);
});
