/**
 * The one way request input comes in: the URL's percent-encoding, JSON
 * bodies and form bodies are read strictly here, before any route sees
 * them, so no route can read them leniently.
 *
 * - A URL whose path or query has a percent-escape that is not UTF-8
 *   (`%FF`, `%C3%28`, a lone `%`) is refused, naming `path.<param>` or
 *   `query.<name>` (Hono would leave `%FF` in the value as it is).
 * - A JSON body (any `application/…json` media type) is decoded as UTF-8
 *   with bad bytes refused, parsed, and refused for a key given twice or
 *   nesting past {@linkcode MAX_JSON_DEPTH} (see `lib/json/strict_json.ts`);
 *   the routes' validators then read exactly the checked text.
 * - A form body is refused unless it is UTF-8 throughout, percent-escapes
 *   included (HALO takes no file uploads, so a multipart body is text too),
 *   and a URL-encoded one for a field given twice (`name[]` excepted).
 *
 * Each refusal is a 400 `validation_failed` naming the field; JSON that is
 * no JSON keeps the answer Hono's validator gave it (400 "Malformed JSON").
 *
 * @module
 */
import type { Context, HonoRequest, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { routePath } from "hono/route";
import {
  JsonInputError,
  MAX_JSON_DEPTH,
  parseStrictJsonBytes,
} from "../../lib/json/strict_json.ts";
import type { AppEnv } from "./context.ts";
import { ApiError } from "./errors.ts";

/** Media types read as JSON, as Hono's validator tells them (it parses these). */
const JSON_MEDIA = /^application\/([\w.-]+\+)?json$/;
const FATAL_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A JSON body as this middleware checked it. */
export interface CheckedJson {
  bytes: Uint8Array;
  value: unknown;
}

const checkedJson = new WeakMap<HonoRequest, CheckedJson>();

/** What Hono's body cache holds at run time: promises, though its type says plain values. */
interface BodyCache {
  text?: Promise<string>;
  arrayBuffer?: Promise<ArrayBuffer>;
  formData?: Promise<FormData>;
}
const cacheOf = (req: HonoRequest) => req.bodyCache as unknown as BodyCache;

/**
 * The JSON body of `req` read strictly (undefined: an empty body), for a
 * route that parses its body itself; read here if this middleware did not
 * run, and forgotten once taken, so it lives no longer than the route keeps it.
 *
 * @throws {ApiError} or {HTTPException} as the middleware refuses the body.
 */
export async function takeJsonBody(req: HonoRequest): Promise<CheckedJson | undefined> {
  if (!checkedJson.has(req) && !req.raw.bodyUsed && req.raw.body !== null) await readJson(req);
  const body = checkedJson.get(req);
  checkedJson.delete(req);
  delete cacheOf(req).text;
  return body;
}

/** See the module's documentation. */
export function strictInput(): MiddlewareHandler<AppEnv> {
  return async function strictInput(c, next) {
    checkUrl(c);
    const type = c.req.header("content-type");
    if (c.req.raw.body !== null && type !== undefined) {
      const media = type.split(";")[0]!.trim().toLowerCase();
      if (JSON_MEDIA.test(media)) await readJson(c.req);
      else if (media === "application/x-www-form-urlencoded") await readUrlEncoded(c.req);
      else if (media === "multipart/form-data") await readMultipart(c.req);
    }
    await next();
  };
}

/** The 400 for one bad field. */
function refused(path: string, problem: string): ApiError {
  const where = path.split(".")[0];
  return new ApiError(400, "validation_failed", `Invalid request ${where}: ${path}: ${problem}`, [
    { path, message: problem },
  ]);
}

const NOT_UTF8 = "is not percent-encoded UTF-8 (e.g. %C3%A9 for é)";

/** `decodeURIComponent`, or null where it throws (a bad escape, or bytes that are not UTF-8). */
function decodeComponent(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** Refuses a path segment or query part whose percent-escapes do not decode as UTF-8. */
function checkUrl(c: Context<AppEnv>): void {
  const url = c.req.url;
  if (!url.includes("%")) return;
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const hash = url.indexOf("#", start);
  const end = hash < 0 ? url.length : hash;
  const question = url.indexOf("?", start);
  const pathEnd = question < 0 || question > end ? end : question;
  const segments = url.slice(start, pathEnd).split("/");
  segments.forEach((segment, i) => {
    if (segment.includes("%") && decodeComponent(segment) === null) {
      throw refused(paramAt(c, i), NOT_UTF8);
    }
  });
  if (pathEnd === end) return;
  for (const part of url.slice(pathEnd + 1, end).split("&")) {
    if (!part.includes("%")) continue;
    const at = part.indexOf("=");
    const name = decodeComponent((at < 0 ? part : part.slice(0, at)).replaceAll("+", " "));
    if (name === null) throw refused("query", `a parameter name ${NOT_UTF8}`);
    if (at >= 0 && decodeComponent(part.slice(at + 1).replaceAll("+", " ")) === null) {
      throw refused(`query.${name}`, NOT_UTF8);
    }
  }
}

/** `path.<name>` for the route parameter at path segment `index`, or `path`. */
function paramAt(c: Context<AppEnv>, index: number): string {
  const segment = routePath(c, -1).split("/")[index];
  const name = segment?.startsWith(":") ? /^:(\w+)/.exec(segment)?.[1] : undefined;
  return name ? `path.${name}` : "path";
}

async function readJson(req: HonoRequest): Promise<void> {
  const bytes = await req.raw.bytes();
  if (bytes.length === 0) {
    // Nothing to check; a route that needs a body says so as it did.
    cacheOf(req).text = Promise.resolve("");
    return;
  }
  try {
    const { text, value } = parseStrictJsonBytes(bytes, { maxDepth: MAX_JSON_DEPTH });
    cacheOf(req).text = Promise.resolve(text);
    checkedJson.set(req, { bytes, value });
  } catch (error) {
    if (error instanceof JsonInputError) {
      throw refused(["body", ...error.path].join("."), error.problem);
    }
    throw new HTTPException(400, { message: "Malformed JSON in request body", cause: error });
  }
}

async function readUrlEncoded(req: HonoRequest): Promise<void> {
  const buffer = await req.raw.arrayBuffer();
  let text: string;
  try {
    text = FATAL_UTF8.decode(buffer);
  } catch {
    throw refused("body", "holds bytes that are not UTF-8");
  }
  const form = new FormData();
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    const name = decodeComponent((at < 0 ? pair : pair.slice(0, at)).replaceAll("+", " "));
    if (name === null) throw refused("body", `a field name ${NOT_UTF8}`);
    const value = decodeComponent((at < 0 ? "" : pair.slice(at + 1)).replaceAll("+", " "));
    if (value === null) throw refused(`body.${name}`, NOT_UTF8);
    // As with JSON keys: Hono would keep the last of two values, a reviewer may read the first.
    if (form.has(name) && !name.endsWith("[]")) throw refused(`body.${name}`, "given twice");
    form.append(name, value);
  }
  // The bytes first: Hono derives any other reading of the body from the first cached one.
  cacheOf(req).arrayBuffer = Promise.resolve(buffer);
  cacheOf(req).formData = Promise.resolve(form);
}

async function readMultipart(req: HonoRequest): Promise<void> {
  const buffer = await req.raw.arrayBuffer();
  try {
    FATAL_UTF8.decode(buffer);
  } catch {
    throw refused("body", "holds bytes that are not UTF-8 (HALO takes no file uploads)");
  }
  cacheOf(req).arrayBuffer = Promise.resolve(buffer);
}
