/**
 * The API document says what the API does. Every operation in the gateway's
 * OpenAPI document is called the ways tests/_helpers/provocations.ts knows
 * (valid, twice, unauthenticated, below its role, malformed, unknown ids,
 * too large …) and in the route-specific situations below; each answer's
 * status must be declared for the operation and its body must validate
 * against the schema declared for that status; and each status declared
 * must be one some request provoked.
 */
import { assert, assertEquals } from "../lib/testing/assert.ts";
import type { User } from "../lib/schemas/auth.ts";
import { STEP_TYPES } from "../lib/schemas/flows.ts";
import { hashPassword } from "../gateway/auth/password.ts";
import { createHarness, type Harness } from "../gateway/testing/harness.ts";
import { UserStore } from "../gateway/store/users.ts";
import {
  agentCaller,
  anonymousCaller,
  FIXTURE_PASSWORD,
  fixtureFlow,
  fixtureTemplate,
  sessionCaller,
  tokenCaller,
  World,
} from "./_helpers/fixtures.ts";
import { fillPath, loadOpenApi, type OpenApiDocument, type Operation } from "./_helpers/openapi.ts";
import {
  type Callers,
  checkAnswer,
  expectStatus,
  fire,
  PROVOCATIONS,
  requestProblems,
  type Scene,
  type Shot,
  validShot,
  wrongStrings,
} from "./_helpers/provocations.ts";
import { SchemaValidator } from "./_helpers/schema_validator.ts";

/** Declared statuses no request here provokes, and why. */
const NOT_PROVOKED: Record<string, string> = {
  "GET /health 503": "needs a database the gateway cannot read",
  "GET /v1/events/stream 429":
    "needs every stream place taken; gateway/api/events_test.ts fills them and checks the answer",
};

interface Step {
  id: string;
  type: string;
  config: Record<string, unknown>;
  template_id?: number;
}
const MANUAL: Step = { id: "t", type: "manual", config: {} };
const ALERT: Step = { id: "a", type: "alert", config: { message: "fixture {flow_name}" } };

/** A flow of a trigger and an action, as fixtureFlow() but with these steps. */
function flowOf(name: string, trigger: Step, action: Step) {
  return { name, steps: [trigger, action], edges: [{ from: trigger.id, to: action.id }] };
}

/** Requests for refusals that need a particular state, by operation. */
const SITUATIONS: Record<string, (scene: Scene, op: Operation) => Promise<Shot[]>> = {
  "PATCH /v1/nodes/{id}": ({ w, callers }) =>
    Promise.resolve([{
      what: "renamed to another node's name",
      caller: callers.admin,
      prepared: { params: { id: w.node.id }, body: { name: w.peer.name } },
      expect: expectStatus(409),
    }]),
  "DELETE /v1/meshes/{id}": async ({ w, callers }) => {
    const mesh = await w.createMesh();
    const node = await w.enroll();
    await w.admin("PATCH", `/v1/nodes/${node.id}`, { mesh_id: mesh });
    return [{
      what: "a mesh with a node in it",
      caller: callers.admin,
      prepared: { params: { id: String(mesh) } },
      expect: expectStatus(409),
    }];
  },
  "PUT /v1/flows/{id}": async ({ w, callers }) => {
    const taken = await w.admin("GET", `/v1/flows/${await w.flow()}`);
    return [{
      what: "renamed to another flow's name",
      caller: callers.admin,
      prepared: { params: { id: String(await w.flow()) }, body: fixtureFlow(`${taken.name}`) },
      expect: expectStatus(409),
    }];
  },
  "PUT /v1/flows/action-templates/{id}": async ({ w, callers }) => {
    const taken = await w.admin("GET", `/v1/flows/action-templates/${await w.actionTemplate()}`);
    return [{
      what: "renamed to another template's name",
      caller: callers.admin,
      prepared: {
        params: { id: String(await w.actionTemplate()) },
        body: fixtureTemplate(`${taken.name}`),
      },
      expect: expectStatus(409),
    }];
  },
  "DELETE /v1/flows/action-templates/{id}": async ({ w, callers }) => {
    const template = await w.actionTemplate();
    const action = { id: "a", type: "alert", config: {}, template_id: template };
    await w.admin("POST", "/v1/flows", flowOf(`uses template ${w.seq()}`, MANUAL, action));
    return [{
      what: "a template a flow uses",
      caller: callers.admin,
      prepared: { params: { id: String(template) } },
      expect: expectStatus(409),
    }];
  },
  "DELETE /v1/flows/{id}/variables/{name}": async ({ w, callers }) => {
    const action = { id: "a", type: "alert", config: { message: "at {var.site}" } };
    const { id } = await w.admin("POST", "/v1/flows", {
      ...flowOf(`reads a variable ${w.seq()}`, MANUAL, action),
      variables: { site: "north" },
    });
    return [{
      what: "a variable a step reads",
      caller: callers.admin,
      prepared: { params: { id: String(id), name: "site" } },
      expect: expectStatus(409),
    }];
  },
  "GET /v1/flows/{id}": async ({ w, callers }) => {
    const hook = {
      id: "w",
      type: "webhook_out",
      config: { url: "http://127.0.0.1:9/hooks/T000/B000/secret", format: "slack", message: "hi" },
    };
    const { id } = await w.admin("POST", "/v1/flows", flowOf(`hooked ${w.seq()}`, MANUAL, hook));
    return [{
      what: "a flow whose webhook URL is answered masked",
      caller: callers.viewer,
      prepared: { params: { id: String(id) } },
      expect: expectStatus(200),
    }];
  },
  "POST /v1/flows/{id}/trigger": async ({ w, callers }) => {
    const trigger = { id: "t", type: "schedule", config: { cron: "0 0 * * *" } };
    const { id } = await w.admin(
      "POST",
      "/v1/flows",
      flowOf(`scheduled ${w.seq()}`, trigger, ALERT),
    );
    return [{
      what: "a flow without a manual trigger",
      caller: callers.admin,
      prepared: { params: { id: String(id) }, body: {} },
      expect: expectStatus(409),
    }];
  },
  "POST /v1/telemetry": async (scene, op) => {
    const shot = await validShot(op, scene);
    const batch = shot.prepared.body as { samples: { value: number }[] };
    const changed = { ...batch, samples: batch.samples.map((s) => ({ ...s, value: s.value + 1 })) };
    return [
      { ...shot, what: "a batch" },
      {
        ...shot,
        what: "the same batch key with other samples",
        prepared: { ...shot.prepared, body: changed },
        expect: expectStatus(409),
      },
    ];
  },
  "POST /v1/enroll": ({ w, callers }) => {
    const gateway = (serial: string) => ({
      join_token: w.joinToken,
      hardware: { serial },
      hostname: `gw-${serial.toLowerCase()}`,
      role: "gateway",
    });
    return Promise.resolve(["GWFIRST1", "GWSECOND"].map((serial, i) => ({
      what: i === 0 ? "a gateway" : "a second gateway",
      caller: callers.anonymous,
      prepared: { body: gateway(serial) },
      ...(i === 1 ? { expect: expectStatus(409) } : {}),
    })));
  },
  "POST /v1/agent/commands/{id}/result": async ({ w, callers }) => {
    const id = await w.snapshot();
    const failed = { outcome: "failed", error: { code: "no_camera", message: "none here" } };
    return [{
      what: "another result for a command that has one",
      caller: callers.agent,
      prepared: { params: { id }, agentToken: w.peer.agentToken, body: failed },
      expect: expectStatus(409),
    }];
  },
  "POST /v1/agent/commands/{id}/started": async ({ w, callers }) => {
    const id = await w.snapshot();
    return [{
      what: "a command that already finished",
      caller: callers.agent,
      prepared: { params: { id }, agentToken: w.peer.agentToken },
      expect: expectStatus(409),
    }];
  },
  "POST /v1/system/clock": ({ h, callers }) => {
    const body = { time_ms: Date.UTC(2026, 10, 23, 12, 5) };
    // Fired in order: each shot's `after` sets the gateway up for the next.
    h.clockStatus = { synchronized: true, source: "fixture" };
    return Promise.resolve([
      {
        what: "a clock NTP synchronises",
        caller: callers.admin,
        prepared: {
          body,
          after: () => {
            h.clockStatus = { synchronized: false, source: "fixture" };
            h.timedatectlFailure = "Failed to set time: Access denied";
          },
        },
        expect: expectStatus(409),
      },
      {
        what: "a clock the system refuses to set",
        caller: callers.admin,
        prepared: { body, after: () => h.timedatectlFailure = null },
        expect: expectStatus(503),
      },
    ]);
  },
  "POST /v1/neurons/placements": ({ w, callers }) =>
    Promise.resolve([{
      what: "a component of an unknown neuron",
      caller: callers.admin,
      prepared: { body: { component: "brain-sensor-zz404", node_id: w.node.id } },
      expect: expectStatus(404),
    }]),
};

/** Refusals of the last admin, which need a gateway with one admin user. */
const LAST_ADMIN: Record<string, (id: string) => Shot["prepared"]> = {
  "PATCH /v1/users/{id}": (id) => ({ params: { id }, body: { role: "viewer" } }),
  "DELETE /v1/users/{id}": (id) => ({ params: { id } }),
};

async function callersFor(h: Harness, w: World): Promise<Callers> {
  await h.user("session-admin", "admin", FIXTURE_PASSWORD);
  new UserStore(h.deps.db).create({
    username: "one-time-admin",
    role: "admin",
    passwordHash: await hashPassword(FIXTURE_PASSWORD),
    mustChange: true,
  }, h.clock.now());
  return {
    admin: tokenCaller("admin", await h.tokenFor("admin")),
    operator: tokenCaller("operator", await h.tokenFor("operator")),
    viewer: tokenCaller("viewer", await h.tokenFor("viewer")),
    agent: agentCaller(w.node.agentToken),
    anonymous: anonymousCaller(),
    session: sessionCaller(h, "admin", "session-admin", FIXTURE_PASSWORD),
    oneTime: sessionCaller(h, "admin", "one-time-admin", FIXTURE_PASSWORD),
    unknown: tokenCaller("admin", `halo_api_${"0".repeat(43)}`),
  };
}

/** Statuses each operation answered, keyed `METHOD path`. */
type Seen = Map<string, Set<string>>;

/** Fires `shots` for `op`; returns what is wrong with the answers. */
async function shoot(op: Operation, scene: Scene, shots: Shot[], seen: Seen): Promise<string[]> {
  const problems: string[] = [];
  for (const shot of shots) {
    const answer = await fire(op, scene, shot);
    seen.get(op.key)!.add(String(answer.status));
    const wrong = [
      ...checkAnswer(op, answer, scene.validator),
      ...[shot.expect?.(answer.status, answer.bodyAccepted)].filter((p) => p),
    ];
    const got = `${answer.status} ${answer.text.slice(0, 160)}`;
    problems.push(...wrong.map((p) => `${shot.what}: ${p} (got ${got})`));
  }
  return problems;
}

/** The fixtures in `h`, its document and everything the provocations need. */
async function setUp(
  h: Harness,
): Promise<{ scene: Scene; document: OpenApiDocument; operations: Operation[] }> {
  const w = await World.create(h);
  const { document, operations } = await loadOpenApi((path) => h.request(path));
  const callers = await callersFor(h, w);
  return {
    scene: { h, w, callers, validator: new SchemaValidator(document) },
    document,
    operations,
  };
}

Deno.test("every answer the API gives is declared in its OpenAPI document", async (t) => {
  await using h = await createHarness();
  const { scene: main, operations } = await setUp(h);
  const seen: Seen = new Map(operations.map((op) => [op.key, new Set<string>()]));
  assert(operations.length >= 70, `only ${operations.length} operations in the document`);

  for (const op of operations) {
    await t.step(`${op.key} answers only as declared`, async () => {
      const problems = requestProblems(op, await validShot(op, main), main.validator)
        .map((p) => `valid request: ${p}`);
      for (const provoke of PROVOCATIONS) {
        problems.push(...await shoot(op, main, await provoke(op, main), seen));
      }
      const situation = SITUATIONS[op.key];
      if (situation) problems.push(...await shoot(op, main, await situation(main, op), seen));
      assertEquals(problems, []);
    });
  }

  await t.step("the last admin cannot be demoted or deleted (409)", async () => {
    for (const key of Object.keys(LAST_ADMIN)) {
      await using fresh = await createHarness();
      const { scene: alone } = await setUp(fresh);
      const { users } = await alone.w.admin("GET", "/v1/users") as { users: User[] };
      const [only, ...others] = users.filter((u) => u.role === "admin");
      for (const other of others) {
        await alone.w.admin("PATCH", `/v1/users/${other.id}`, { role: "viewer" });
      }
      const op = operations.find((o) => o.key === key)!;
      const shot = {
        what: `${only!.username}, the last admin`,
        caller: alone.callers.admin,
        prepared: LAST_ADMIN[key]!(String(only!.id)),
        expect: expectStatus(409),
      };
      assertEquals(await shoot(op, alone, [shot], seen), []);
    }
  });

  await t.step("operations that declare 429 refuse repeated failures with it", async () => {
    const limited = operations.filter((o) =>
      "429" in o.responses && !(`${o.key} 429` in NOT_PROVOKED)
    );
    for (const op of limited) {
      await using fresh = await createHarness();
      const { scene: attacked } = await setUp(fresh);
      const shot = await validShot(op, attacked);
      const wrong = { ...shot, what: "wrong credentials", mutate: wrongStrings, expect: undefined };
      const problems: string[] = [];
      for (let i = 0; i < 30 && !seen.get(op.key)!.has("429"); i++) {
        problems.push(...await shoot(op, attacked, [wrong], seen));
      }
      assertEquals(problems, [], op.key);
      assert(seen.get(op.key)!.has("429"), `${op.key}: 30 failed attempts, no 429`);
    }
  });

  await t.step("every status an operation declares is one it gives", () => {
    const never = operations.flatMap((op) =>
      Object.keys(op.responses)
        .filter((status) => !seen.get(op.key)!.has(status))
        .map((status) => `${op.key} ${status}`)
        .filter((key) => !(key in NOT_PROVOKED))
    );
    assertEquals(never, []);
  });
});

Deno.test("the OpenAPI document declares errors in the API's shape", async (t) => {
  await using h = await createHarness();
  const { operations } = await loadOpenApi((path) => h.request(path));

  await t.step("every 4xx is the error body, never an open schema", () => {
    const schemas = operations.flatMap((op) =>
      Object.entries(op.responses).filter(([status]) => status.startsWith("4"))
        .map(([status, r]) => ({ where: `${op.key} ${status}`, content: r.content }))
    );
    const reference = JSON.stringify(schemas[0]!.content);
    const error = schemas[0]!.content?.["application/json"]?.schema?.properties?.error;
    assertEquals(error?.required, ["code", "message"]);
    assertEquals(
      schemas.filter((s) => JSON.stringify(s.content) !== reference).map((s) => s.where),
      [],
    );
  });

  await t.step("no path or query parameter is declared nullable", () => {
    const nullable = operations.flatMap((op) =>
      op.parameters.filter((p) => JSON.stringify(p.schema ?? {}).includes('"null"'))
        .map((p) => `${op.key} ${p.in} ${p.name}`)
    );
    assertEquals(nullable, []);
  });
});

/** Methods to try on every path the document names. */
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** The document's paths that `concrete` matches, {param} standing for one segment. */
function documentedMethods(operations: Operation[], concrete: string): Set<string> {
  const methods = new Set<string>();
  for (const op of operations) {
    const pattern = new RegExp(`^${op.path.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    if (pattern.test(concrete)) methods.add(op.method);
  }
  if (methods.has("GET")) methods.add("HEAD");
  return methods;
}

Deno.test("a known path asked with a method it does not take answers 405 with Allow", async () => {
  await using h = await createHarness();
  const { document, operations } = await loadOpenApi((path) => h.request(path));
  const validator = new SchemaValidator(document);
  // Every operation declares a 401 in the error shape (checked above).
  const error = operations[0]!.responses["401"]!.content!["application/json"]!.schema!;
  const problems: string[] = [];
  for (const path of new Set(operations.map((op) => op.path))) {
    const concrete = fillPath(
      path,
      Object.fromEntries(
        [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => [name!, "x"]),
      ),
    );
    const allowed = documentedMethods(operations, concrete);
    for (const method of METHODS.filter((m) => !allowed.has(m))) {
      const res = await h.request(concrete, { method });
      const text = await res.text();
      const what = `${method} ${concrete}: ${res.status} ${text}`;
      if (res.status !== 405) problems.push(`${what}: expected 405`);
      if (res.headers.get("allow") !== [...allowed].sort().join(", ")) {
        problems.push(
          `${what}: Allow ${res.headers.get("allow")}, expected ${[...allowed].sort()}`,
        );
      }
      if (method !== "HEAD") {
        problems.push(...validator.problems(error, JSON.parse(text)).map((p) => `${what}: ${p}`));
      }
    }
  }
  assertEquals(problems, []);

  for (const path of ["/v1/nope", "/v1/nodes/n-0123456789ab/nope", "/nope"]) {
    const res = await h.request(path, { method: "PUT" });
    assertEquals(res.status, 404, path);
    assertEquals((await res.json()).error.code, "not_found");
  }
});

Deno.test("TRACE on a path the API knows answers 405, on another 404", async () => {
  await using h = await createHarness();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request, info) => h.handler(request, { remoteAddr: { hostname: info.remoteAddr.hostname } }),
  );
  try {
    // A Request object cannot carry TRACE (fetch forbids it), so it goes over a socket.
    const trace = async (path: string) => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
      await conn.write(new TextEncoder().encode(
        `TRACE ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      ));
      return await new Response(conn.readable).text();
    };
    const known = await trace("/v1/nodes");
    assert(known.startsWith("HTTP/1.1 405"), known);
    assert(/^allow: GET, HEAD$/im.test(known), known);
    assert(known.includes('"code":"method_not_allowed"'), known);
    const unknown = await trace("/v1/nope");
    assert(unknown.startsWith("HTTP/1.1 404"), unknown);
  } finally {
    await server.shutdown();
  }
});

Deno.test("the document refuses each step config the server refuses", async (t) => {
  await using h = await createHarness();
  const { scene: s, operations } = await setUp(h);
  const op = operations.find((o) => o.key === "POST /v1/flows")!;
  const schema = op.body!["application/json"]!;
  for (const type of STEP_TYPES) {
    await t.step(type.type, async () => {
      const problems: string[] = [];
      for (const config of [{}, { zz: 1 }]) {
        const name = `${type.type} ${s.w.seq()}`;
        const flow = type.kind === "trigger"
          ? flowOf(name, { id: "t", type: type.type, config }, ALERT)
          : flowOf(name, MANUAL, { id: "a", type: type.type, config });
        const accepted = s.validator.accepts(schema, flow);
        const res = await h.request("/v1/flows", {
          method: "POST",
          token: await h.tokenFor("admin"),
          json: flow,
        });
        const text = await res.text();
        if (accepted !== res.ok) {
          problems.push(
            `config ${JSON.stringify(config)}: document ${
              accepted ? "accepts" : "refuses"
            }, server ${res.status} ${text.slice(0, 200)}`,
          );
        }
      }
      assertEquals(problems, []);
    });
  }
});
