import {
  ConflictError,
  CredentialError,
  PermissionError,
  ValidationError,
} from "../../lib/errors.ts";
import { createLogger } from "../../lib/log.ts";
import { assert, assertEquals, assertMatch } from "../../lib/testing/assert.ts";
import { generateSecret } from "../auth/secret_token.ts";
import { createHarness, type Harness } from "../testing/harness.ts";
import { ApiError, errorAnswer, MAX_ERROR_DETAILS } from "./errors.ts";

const REQUEST = { method: "POST", path: "/v1/telemetry" };

function capturingLog() {
  const lines: string[] = [];
  return {
    lines,
    log: createLogger({ component: "test", level: "debug", write: (l) => lines.push(l) }),
  };
}

Deno.test("errorAnswer() answers each error the API sees", async (t) => {
  const { lines, log } = capturingLog();

  await t.step("each kind of domain error gets its status and its kind's code", () => {
    const cases = [
      [new ValidationError("Batch refused"), 400, "validation_failed"],
      [new CredentialError("Join token has expired"), 401, "unauthorized"],
      [new PermissionError("This agent token belongs to another node"), 403, "forbidden"],
      [new ConflictError("Batch e/1 was stored with another body"), 409, "conflict"],
    ] as const;
    for (const [error, status, code] of cases) {
      assertEquals(errorAnswer(error, log, REQUEST), {
        status,
        body: { error: { code, message: error.message } },
        headers: {},
      });
    }
  });

  await t.step("a domain error's own code and bad fields reach the caller", () => {
    const details = [{ path: "body.hardware.serial", message: "belongs to the enrolled node r1" }];
    const error = new ConflictError("r1 is enrolled", { code: "node_already_enrolled", details });
    assertEquals(errorAnswer(error, log, REQUEST).body, {
      error: { code: "node_already_enrolled", message: "r1 is enrolled", details },
    });
  });

  await t.step(`at most ${MAX_ERROR_DETAILS} bad fields are listed`, () => {
    const details = Array.from(
      { length: 60 },
      (_, i) => ({ path: `body.samples.${i}`, message: "bad" }),
    );
    const answer = errorAnswer(new ValidationError("60 bad", { details }), log, REQUEST);
    assertEquals(answer.body.error.details, details.slice(0, MAX_ERROR_DETAILS));
  });

  await t.step("an ApiError is answered as it says, headers included", () => {
    const error = new ApiError(429, "too_many_attempts", "Wait a minute", undefined, {
      headers: { "retry-after": "60" },
    });
    assertEquals(errorAnswer(error, log, REQUEST), {
      status: 429,
      body: { error: { code: "too_many_attempts", message: "Wait a minute" } },
      headers: { "retry-after": "60" },
    });
  });

  await t.step("anything else is a bare 500, its message only in the log", () => {
    assertEquals(lines.length, 0, "nothing was logged for the errors meant for the caller");
    const answer = errorAnswer(new TypeError("db is closed"), log, REQUEST);
    assertEquals(answer.status, 500);
    assertEquals(answer.body.error.code, "internal");
    assert(!JSON.stringify(answer.body).includes("db is closed"));
    assertMatch(lines.join("\n"), /db is closed/);
  });
});

/** Posts `json` as `token` through the gateway's handler, or straight to the app's router. */
function poster(h: Harness, entry: "handler" | "router") {
  return (path: string, json: unknown, token?: string) => {
    if (entry === "handler") {
      return h.request(path, { method: "POST", json, ...(token ? { token } : {}) });
    }
    const body = JSON.stringify(json);
    const headers = new Headers({
      "content-type": "application/json",
      "content-length": String(new TextEncoder().encode(body).length),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    });
    const request = new Request(new URL(path, "http://localhost"), {
      method: "POST",
      headers,
      body,
    });
    return Promise.resolve(h.app.fetch(request, { remoteAddr: { hostname: "127.0.0.1" } }));
  };
}

Deno.test("errors thrown below the API reach the caller as before, by either entry", async (t) => {
  await using h = await createHarness();
  const enrolled = await (await h.request("/v1/enroll", {
    method: "POST",
    json: { join_token: await h.joinToken(), hardware: { serial: "ERRS0001" }, hostname: "errs" },
  })).json();
  const nodeId: string = enrolled.node_id;
  const now = h.clock.now();

  for (const [entry, seq] of [["handler", 1], ["router", 101]] as const) {
    const post = poster(h, entry);
    const batch = (batch_seq: number, samples: unknown[], more = {}) => ({
      node_id: nodeId,
      epoch: "e1",
      batch_seq,
      samples,
      ...more,
    });

    await t.step(`${entry}: an unknown join token is 401 join_token_unknown`, async () => {
      const res = await post("/v1/enroll", {
        join_token: generateSecret("join"),
        hardware: { serial: "ERRS0002" },
        hostname: "stranger",
      });
      assertEquals(res.status, 401);
      assertEquals(await res.json(), {
        error: {
          code: "join_token_unknown",
          message: "Join token is not known to this gateway: ask an admin for a current one",
        },
      });
    });

    await t.step(`${entry}: another node's batch is 403 forbidden`, async () => {
      const res = await post(
        "/v1/telemetry",
        batch(seq, [{ metric: "x", ts: now, value: 1 }], { node_id: "n-000000000000" }),
        enrolled.agent_token,
      );
      assertEquals(res.status, 403);
      assertEquals(await res.json(), {
        error: {
          code: "forbidden",
          message: `This agent token belongs to ${nodeId}, not n-000000000000`,
        },
      });
    });

    await t.step(`${entry}: a batch key reused with another body is 409 conflict`, async () => {
      const first = await post(
        "/v1/telemetry",
        batch(seq, [{ metric: "x", ts: now, value: 1 }]),
        enrolled.agent_token,
      );
      assertEquals(first.status, 200);
      const res = await post(
        "/v1/telemetry",
        batch(seq, [{ metric: "x", ts: now, value: 2 }]),
        enrolled.agent_token,
      );
      assertEquals(res.status, 409);
      assertEquals(await res.json(), {
        error: {
          code: "conflict",
          message: `Batch e1/${seq} of ${nodeId} was stored with another body: ` +
            "use a new batch_seq for new samples",
        },
      });
    });

    await t.step(`${entry}: 60 refused samples are 400, the first 50 named`, async () => {
      const samples = Array.from(
        { length: 60 },
        (_, i) => ({ metric: "x", ts: now + 3_600_000 + i, value: i }),
      );
      const res = await post("/v1/telemetry", batch(seq + 1, samples), enrolled.agent_token);
      assertEquals(res.status, 400);
      const { error } = await res.json();
      assertEquals(error.code, "validation_failed");
      assertMatch(
        error.message,
        /^Batch refused, nothing stored: 60 sample\(s\) cannot be stored; first: body\.samples\.0\.ts: /,
      );
      assertEquals(error.details.length, 50);
      assertEquals(error.details[49].path, "body.samples.49.ts");
    });
  }
});
