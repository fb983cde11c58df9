/**
 * Requests that provoke each kind of answer an operation can give, built
 * from the OpenAPI document and the fixtures alone, so they apply to every
 * operation they fit: a new route, or a new refusal declared on a route,
 * needs no change here.
 */
import { MAX_BODY_BYTES } from "../../gateway/app.ts";
import type { Harness } from "../../gateway/testing/harness.ts";
import {
  type Caller,
  type PreparedRequest,
  STREAMING_TYPES,
  VALID_REQUESTS,
  type World,
} from "./fixtures.ts";
import { fillPath, type JsonSchema, type Operation, type Parameter } from "./openapi.ts";
import type { SchemaValidator } from "./schema_validator.ts";

/** One caller of each kind the provocations need. */
export interface Callers {
  admin: Caller;
  operator: Caller;
  viewer: Caller;
  agent: Caller;
  anonymous: Caller;
  /** An admin's browser session. */
  session: Caller;
  /** An admin logged in with a one-time password not changed yet. */
  oneTime: Caller;
  /** A bearer token the gateway does not know. */
  unknown: Caller;
}

/** What provocations work with besides the operation. */
export interface Scene {
  h: Harness;
  w: World;
  callers: Callers;
  validator: SchemaValidator;
}

/**
 * Judges an answer's status: a problem, or null when it is as it should be.
 * `bodyAccepted` is whether the document accepts the JSON body sent (undefined: none).
 */
export type Expectation = (status: number, bodyAccepted: boolean | undefined) => string | null;

/** One request to send. */
export interface Shot {
  what: string;
  caller: Caller;
  prepared: PreparedRequest;
  /** Replace `prepared.params` / `prepared.query`. */
  params?: Record<string, string>;
  query?: Record<string, string>;
  /** The body as sent; else `prepared.body`, changed by `mutate`, as JSON. */
  raw?: string;
  /** Appended to the query string as it is, escapes and all. */
  rawQuery?: string;
  mutate?: (body: unknown) => unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** Any status the operation declares is fine when absent. */
  expect?: Expectation | undefined;
  /** Whether the document accepts the parameters sent; for the body it is worked out. */
  documentAccepts?: boolean;
}

/** Builds the requests of one kind for an operation; none where the kind does not apply. */
export type Provocation = (op: Operation, scene: Scene) => Promise<Shot[]>;

/** An answer as the checks see it. */
export interface Answer {
  status: number;
  /** Media type without parameters. */
  type: string;
  headers: Headers;
  /** The body; empty for a stream, which is cancelled unread. */
  text: string;
  streamed: boolean;
  bodyAccepted: boolean | undefined;
}

export const expectStatus = (...statuses: number[]): Expectation => (status) =>
  statuses.includes(status) ? null : `expected ${statuses.join(" or ")}`;

export const expectSuccess: Expectation = (status) =>
  status >= 200 && status < 300 ? null : "expected a 2xx";

/** Refused with a 400 when the document says the body is invalid. */
export const refusedIfDocumentRefuses: Expectation = (status, accepted) =>
  accepted === false && status !== 400 ? "the document refuses this body: expected 400" : null;

/** Not refused as invalid (400) when the document says it is valid. */
export const notRefusedIfDocumentAccepts: Expectation = (status, accepted) =>
  accepted === true && status === 400 ? "the document accepts this, yet 400" : null;

/** Refused with a 400 exactly when the document says the body is invalid. */
export const asDocumentSays: Expectation = (status, accepted) =>
  refusedIfDocumentRefuses(status, accepted) ??
    (accepted === true && status === 400 ? "the document accepts this body, yet 400" : null);

/** Sends `shot` for `op` and reads the answer. */
export async function fire(op: Operation, scene: Scene, shot: Shot): Promise<Answer> {
  const headers = await shot.caller.headers(shot.prepared.agentToken);
  const json = shot.raw === undefined && shot.prepared.body !== undefined
    ? (shot.mutate ?? ((b) => b))(shot.prepared.body)
    : undefined;
  const body = shot.raw ?? (json === undefined ? undefined : JSON.stringify(json));
  if (body !== undefined) headers.set("content-type", shot.contentType ?? "application/json");
  for (const [name, value] of Object.entries(shot.headers ?? {})) headers.set(name, value);
  const schema = op.body?.["application/json"];
  const path = fillPath(
    op.path,
    shot.params ?? shot.prepared.params ?? {},
    shot.query ?? shot.prepared.query,
  );
  const sent = shot.rawQuery === undefined
    ? path
    : `${path}${path.includes("?") ? "&" : "?"}${shot.rawQuery}`;
  const res = await scene.h.request(sent, {
    method: op.method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const type = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
  const streamed = STREAMING_TYPES.includes(type);
  const text = streamed ? "" : await res.text();
  if (streamed) await res.body?.cancel();
  shot.prepared.after?.(res.status);
  const bodyAccepted = shot.documentAccepts ??
    (json === undefined || !schema ? undefined : scene.validator.accepts(schema, json));
  return { status: res.status, type, headers: res.headers, text, streamed, bodyAccepted };
}

/** How `answer` differs from what `op` declares for its status: one line each. */
export function checkAnswer(op: Operation, answer: Answer, validator: SchemaValidator): string[] {
  const declared = op.responses[String(answer.status)];
  if (!declared) return [`${answer.status} is not declared`];
  const problems = Object.entries(declared.headers ?? {})
    .filter(([name, header]) => header.required && !answer.headers.has(name))
    .map(([name]) => `${answer.status} lacks its declared header ${name}`);
  const content = declared.content ?? {};
  const schema = content[answer.type]?.schema;
  if (!(answer.type in content)) {
    return [...problems, `${answer.type} is not among ${Object.keys(content)}`];
  }
  if (answer.type !== "application/json" || answer.streamed || !schema) return problems;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return [...problems, "the body is not JSON"];
  }
  return [...problems, ...validator.problems(schema, body).map((p) => `body ${p}`)];
}

/** A request the fixtures make valid, with a caller allowed to make it succeed. */
export async function validShot(op: Operation, scene: Scene): Promise<Shot> {
  const factory = VALID_REQUESTS[op.key];
  if (!factory) throw new Error(`no valid request for ${op.key} in tests/_helpers/fixtures.ts`);
  const { callers, w } = scene;
  let caller = op.access === "agent" ? callers.agent : callers.admin;
  let prepared = await factory(w, caller);
  if (prepared.succeeds === false) {
    caller = callers.session;
    prepared = await factory(w, caller);
  }
  return { what: `valid request as ${caller.label}`, caller, prepared, expect: expectSuccess };
}

/** What the document says about the valid request itself: it must accept it too. */
export function requestProblems(op: Operation, shot: Shot, validator: SchemaValidator): string[] {
  const { prepared } = shot;
  const schema = op.body?.["application/json"];
  const problems = schema && prepared.body !== undefined
    ? validator.problems(schema, prepared.body).map((p) => `the document refuses the body: ${p}`)
    : [];
  for (const p of op.parameters) {
    const value = (p.in === "path" ? prepared.params : prepared.query)?.[p.name];
    if (value === undefined || !p.schema) continue;
    problems.push(
      ...validator.problems(p.schema, asParameter(value, p.schema))
        .map((problem) => `the document refuses ${p.in} ${p.name}=${value}: ${problem}`),
    );
  }
  return problems;
}

/** A path or query value as its schema reads it: numbers for numeric schemas. */
function asParameter(value: string, schema: JsonSchema): unknown {
  const numeric = schema.type === "integer" || schema.type === "number";
  return numeric && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
}

/** A value `schema` refuses, for a path or query parameter; null when it takes any text. */
export function invalidValue(schema: JsonSchema): string | null {
  if (schema.enum) return "not-one-of-them";
  if (schema.type === "integer" || schema.type === "number") return "x";
  if (schema.anyOf) return "yesterday";
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern);
    return ["!", "x y", "-"].find((v) => !pattern.test(v)) ?? null;
  }
  if (schema.maxLength !== undefined) return "a".repeat(schema.maxLength + 1);
  return null;
}

/** A value of `valid`'s form that names nothing: the same pattern, another value. */
export function unknownValue(valid: string, schema: JsonSchema): string | null {
  if (schema.type === "integer") return String(Math.min(schema.maximum ?? 2 ** 40, 2 ** 40));
  const pattern = schema.pattern ? new RegExp(schema.pattern) : null;
  for (const c of ["f", "z", "9", "x", "q"]) {
    const candidate = valid.slice(0, -1) + c;
    if (candidate !== valid && (pattern === null || pattern.test(candidate))) return candidate;
  }
  return null;
}

/** A JSON value of another type than `value`. */
function ofAnotherType(value: unknown): unknown {
  if (typeof value === "string") return 12345;
  if (typeof value === "number" || typeof value === "boolean") return "12345";
  return Array.isArray(value) ? {} : [];
}

const isObject = (value: unknown): value is object =>
  value !== null && typeof value === "object" && !Array.isArray(value);

const withoutKey = (body: unknown, key: string) => {
  const { [key]: _, ...rest } = body as Record<string, unknown>;
  return rest;
};

const pathParameters = (op: Operation): Parameter[] => op.parameters.filter((p) => p.in === "path");
const queryParameters = (op: Operation): Parameter[] =>
  op.parameters.filter((p) => p.in === "query");

/** The valid request, then the same again (a second create is a conflict, a delete a 404). */
const validTwice: Provocation = async (op, scene) => {
  const shot = await validShot(op, scene);
  return [shot, { ...shot, what: `${shot.what}, sent again`, expect: undefined }];
};

/** Each further media type the success answer declares, asked for with Accept. */
const otherMediaTypes: Provocation = async (op, scene) => {
  const success = Object.entries(op.responses).find(([status]) => status.startsWith("2"))?.[1];
  const types = Object.keys(success?.content ?? {}).slice(1);
  const shots: Shot[] = [];
  for (const type of types) {
    const shot = await validShot(op, scene);
    shots.push({ ...shot, what: `valid request, Accept: ${type}`, headers: { accept: type } });
  }
  return shots;
};

const unknownToken: Provocation = async (op, scene) => [{
  ...await validShot(op, scene),
  what: "an unknown bearer token",
  caller: scene.callers.unknown,
  expect: expectStatus(401),
}];

const anonymous: Provocation = async (op, scene) =>
  op.access === "public" ? [] : [{
    ...await validShot(op, scene),
    what: "anonymous",
    caller: scene.callers.anonymous,
    expect: expectStatus(401),
  }];

/** A caller just below the access the route needs. */
const roleTooLow: Provocation = async (op, scene) => {
  const { callers } = scene;
  const below: Record<string, Caller> = {
    admin: callers.operator,
    operator: callers.viewer,
    viewer: callers.agent,
    agent: callers.viewer,
  };
  const caller = below[op.access ?? ""];
  if (!caller) return [];
  const prepared = await VALID_REQUESTS[op.key]!(scene.w, caller);
  return [{ what: `as ${caller.label}`, caller, prepared, expect: expectStatus(403) }];
};

/** Changes from another site, and from a session without its CSRF token. */
const crossSite: Provocation = async (op, scene) => {
  if (op.method === "GET") return [];
  const session = scene.callers.session;
  return [
    {
      ...await validShot(op, scene),
      what: "from another site (Origin)",
      headers: { origin: "https://evil.example" },
      expect: expectStatus(403),
    },
    {
      what: "a session without its X-CSRF-Token",
      caller: session,
      prepared: await VALID_REQUESTS[op.key]!(scene.w, session),
      headers: { "x-csrf-token": "" },
      expect: expectStatus(403),
    },
  ];
};

const oneTimePassword: Provocation = async (op, scene) => {
  const caller = scene.callers.oneTime;
  if (op.access === "agent") return [];
  return [{
    what: "as an admin with a one-time password",
    caller,
    prepared: await VALID_REQUESTS[op.key]!(scene.w, caller),
  }];
};

/** Each path parameter malformed (a 400), and well-formed but naming nothing. */
const pathParams: Provocation = async (op, scene) => {
  const shots: Shot[] = [];
  for (const p of pathParameters(op)) {
    const base = await validShot(op, scene);
    const valid = base.prepared.params?.[p.name] ?? "";
    const bad = invalidValue(p.schema ?? {});
    if (bad !== null) {
      shots.push({
        ...base,
        what: `path ${p.name}=${bad}`,
        params: { ...base.prepared.params, [p.name]: bad },
        expect: expectStatus(400),
      });
    }
    const unknown = unknownValue(valid, p.schema ?? {});
    if (unknown !== null) {
      const again = await validShot(op, scene);
      shots.push({
        ...again,
        what: `path ${p.name}=${unknown}, which names nothing`,
        params: { ...again.prepared.params, [p.name]: unknown },
        documentAccepts: scene.validator.accepts(
          p.schema ?? {},
          asParameter(unknown, p.schema ?? {}),
        ),
        expect: notRefusedIfDocumentAccepts,
      });
    }
  }
  return shots;
};

/** Values of no particular form: refused only where the document says they are invalid. */
const QUERY_PROBES = ["yesterday", "x", "-1"];

/** Each query parameter with a value its schema refuses (a 400), and with the probes. */
const queryParams: Provocation = async (op, scene) => {
  const shots: Shot[] = [];
  for (const p of queryParameters(op)) {
    const schema = p.schema ?? {};
    const bad = invalidValue(schema);
    for (const value of [...(bad === null ? [] : [bad]), ...QUERY_PROBES]) {
      const base = await validShot(op, scene);
      shots.push({
        ...base,
        what: `query ${p.name}=${value.slice(0, 20)}`,
        query: { ...base.prepared.query, [p.name]: value },
        ...(value === bad ? { expect: expectStatus(400) } : {
          documentAccepts: scene.validator.accepts(schema, asParameter(value, schema)),
          expect: notRefusedIfDocumentAccepts,
        }),
      });
    }
  }
  return shots;
};

/** A query value whose escapes are not UTF-8: every route reads its URL strictly. */
const badEscapes: Provocation = async (op, scene) => [{
  ...await validShot(op, scene),
  what: "a query value that is not UTF-8 (%FF)",
  rawQuery: "zz=%FF",
  expect: expectStatus(400),
}];

/** Bodies that are not JSON objects, and the valid body changed one field at a time. */
const bodies: Provocation = async (op, scene) => {
  if (!op.body) return [];
  const template = (await validShot(op, scene)).prepared.body;
  const variants: { what: string; mutate: (b: unknown) => unknown; expect: Expectation }[] = [
    { what: "an empty object", mutate: () => ({}), expect: asDocumentSays },
    {
      what: "an unknown field",
      mutate: (b) => ({ ...b as object, zz: 1 }),
      expect: asDocumentSays,
    },
  ];
  for (const [key, value] of Object.entries(template as object)) {
    // An empty object, not array: an empty list of steps or edges is refused for what it means.
    if (isObject(value) && Object.keys(value).length > 0) {
      variants.push({
        what: `${key} an empty object`,
        mutate: (b) => ({ ...b as object, [key]: {} }),
        expect: asDocumentSays,
      });
    }
    variants.push(
      {
        what: `without ${key}`,
        mutate: (b) => withoutKey(b, key),
        expect: refusedIfDocumentRefuses,
      },
      {
        what: `${key} of another type`,
        mutate: (b) => ({
          ...b as object,
          [key]: ofAnotherType((b as Record<string, unknown>)[key]),
        }),
        expect: refusedIfDocumentRefuses,
      },
    );
  }
  const shots: Shot[] = [];
  for (const raw of ["{", "[]", '"text"']) {
    shots.push({
      ...await validShot(op, scene),
      what: `body ${raw}`,
      raw,
      expect: expectStatus(400),
    });
  }
  for (const v of variants) {
    shots.push({
      ...await validShot(op, scene),
      what: `body ${v.what}`,
      mutate: v.mutate,
      expect: v.expect,
    });
  }
  return shots;
};

const bodyTooLarge: Provocation = async (op, scene) =>
  op.body
    ? [{
      ...await validShot(op, scene),
      what: "a body over the size limit",
      raw: `{"x":"${"a".repeat(MAX_BODY_BYTES)}"}`,
      expect: expectStatus(413),
    }]
    : [];

const notJson: Provocation = async (op, scene) =>
  op.body
    ? [{
      ...await validShot(op, scene),
      what: "the valid body as text/plain",
      contentType: "text/plain",
      expect: expectStatus(415),
    }]
    : [];

/** Every generic provocation, in the order they run. */
export const PROVOCATIONS: readonly Provocation[] = [
  validTwice,
  otherMediaTypes,
  unknownToken,
  anonymous,
  roleTooLow,
  crossSite,
  oneTimePassword,
  pathParams,
  queryParams,
  badEscapes,
  bodies,
  bodyTooLarge,
  notJson,
];

/** Every string in a JSON body changed, so credentials in it no longer match. */
export function wrongStrings(body: unknown): unknown {
  if (typeof body === "string") return `${body}x`;
  if (Array.isArray(body)) return body.map(wrongStrings);
  if (body !== null && typeof body === "object") {
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, wrongStrings(v)]));
  }
  return body;
}
