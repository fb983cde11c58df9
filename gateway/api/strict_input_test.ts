import { assertEquals } from "../../lib/testing/assert.ts";
import { createHarness } from "../testing/harness.ts";

/** The status and the paths the error names. */
async function refusal(res: Response) {
  const body = await res.json();
  return {
    status: res.status,
    code: body.error?.code,
    paths: (body.error?.details ?? []).map((d: { path: string }) => d.path),
  };
}

const utf8 = new TextEncoder();
const withBytes = (text: string, bad: number[]) => {
  const [before, after] = text.split("BAD") as [string, string];
  return new Uint8Array([...utf8.encode(before), ...bad, ...utf8.encode(after)]);
};

Deno.test("strict input", async (t) => {
  await using h = await createHarness();
  const admin = await h.tokenFor("admin");
  const users = () => h.deps.db.prepare("SELECT username, role FROM users").all();
  const before = users();
  const post = (path: string, body: BodyInit, type = "application/json") =>
    h.request(path, {
      method: "POST",
      token: admin,
      headers: { "content-type": type },
      body,
    });

  await t.step("a role given twice creates nobody, and the answer names it", async () => {
    const res = await post(
      "/v1/users",
      '{"username":"mallory","role":"viewer","password":"correct horse battery","role":"admin"}',
    );
    assertEquals(await refusal(res), {
      status: 400,
      code: "validation_failed",
      paths: ["body.role"],
    });
    const escaped = await post(
      "/v1/users",
      '{"username":"mallory","role":"viewer","password":"correct horse battery","rol\\u0065":1}',
    );
    assertEquals((await refusal(escaped)).paths, ["body.role"]);
    assertEquals(users(), before);
  });

  await t.step("bytes that are not UTF-8 are refused, not read as U+FFFD", async () => {
    const res = await post(
      "/v1/tokens",
      withBytes('{"name":"scriptBAD","role":"viewer"}', [0xff]),
    );
    assertEquals(await refusal(res), {
      status: 400,
      code: "validation_failed",
      paths: ["body.name"],
    });
  });

  await t.step("nesting past the limit is a 400 naming where, not a 500", async () => {
    const res = await post("/v1/tokens", `{"name":${"[".repeat(5000)}${"]".repeat(5000)}}`);
    const answer = await refusal(res);
    assertEquals(answer.status, 400);
    assertEquals(answer.paths, ["body.name" + ".0".repeat(63)]);
  });

  await t.step("JSON that is no JSON gets the answer it always got", async () => {
    const res = await post("/v1/tokens", '{"name":');
    assertEquals(await res.json(), {
      error: { code: "bad_request", message: "Malformed JSON in request body" },
    });
  });

  await t.step("an empty JSON body on a route that takes none is still fine", async () => {
    const token = await (await h.request("/v1/tokens", {
      method: "POST",
      token: admin,
      json: { name: "doomed", role: "viewer" },
    })).json();
    const res = await h.request(`/v1/tokens/${token.id}`, {
      method: "DELETE",
      token: admin,
      headers: { "content-type": "application/json" },
    });
    assertEquals(res.status, 200);
    await res.body?.cancel();
  });

  await t.step("%FF in a path parameter or a query is refused, naming it", async () => {
    const flows = await h.request("/v1/flows/%FF", { token: admin });
    assertEquals(await refusal(flows), {
      status: 400,
      code: "validation_failed",
      paths: ["path.id"],
    });
    const events = await h.request("/v1/events?limit=1%C3%28", { token: admin });
    assertEquals((await refusal(events)).paths, ["query.limit"]);
    const name = await h.request("/v1/events?li%FFmit=1", { token: admin });
    assertEquals((await refusal(name)).paths, ["query"]);
    const unrouted = await h.request("/v1/no/such/%E2%82", { token: admin });
    assertEquals((await refusal(unrouted)).paths, ["path"]);
  });

  await t.step("escapes that are UTF-8 still work", async () => {
    const res = await h.request("/v1/events?type=online%2Coffline&limit=%31", { token: admin });
    assertEquals(res.status, 200);
    await res.body?.cancel();
  });

  await t.step(
    "a portal form with bytes that are not UTF-8 is refused, naming the field",
    async () => {
      const form = (body: BodyInit) =>
        h.request("/login", {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            origin: "http://localhost",
          },
          body,
        });
      assertEquals((await refusal(await form("username=admin%FF&password=x"))).paths, [
        "body.username",
      ]);
      assertEquals(
        (await refusal(await form(withBytes("username=adminBAD&password=x", [0xc3])))).paths,
        ["body"],
      );
      assertEquals(
        (await refusal(await form("username=viewer&password=x&username=admin"))).paths,
        ["body.username"],
      );
      const ok = await form("username=nobody&password=wrong");
      assertEquals(ok.status, 401);
      await ok.body?.cancel();
    },
  );
});
