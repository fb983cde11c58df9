/**
 * Checks values against the JSON Schemas in the gateway's OpenAPI document
 * with Ajv, in JSON Schema 2020-12, the dialect of OpenAPI 3.1.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { z } from "zod";
import type { JsonSchema, OpenApiDocument } from "./openapi.ts";

/** Formats the document generator writes for zod's own string formats, checked by zod. */
const ZOD_FORMATS: Record<string, z.ZodType> = {
  ip: z.union([z.ipv4(), z.ipv6()]),
  "ipv4-cidr": z.cidrv4(),
  "ipv6-cidr": z.cidrv6(),
};

/** Validates against schemas of one OpenAPI document, resolving its `#/components/…` refs. */
export class SchemaValidator {
  readonly #ajv: Ajv2020;
  readonly #components: unknown;
  readonly #compiled = new WeakMap<JsonSchema, ValidateFunction>();

  constructor(document: OpenApiDocument) {
    // Not strict: OpenAPI adds keywords (discriminator, example) that JSON Schema lacks.
    // unicodeRegExp off: the patterns are zod's, written for JavaScript's RegExp without flags.
    this.#ajv = new Ajv2020({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats.default(this.#ajv);
    for (const [name, schema] of Object.entries(ZOD_FORMATS)) {
      this.#ajv.addFormat(name, (value: string) => schema.safeParse(value).success);
    }
    this.#components = document.components ?? {};
  }

  /** What is wrong with `value` under `schema`, one line each; empty when it is valid. */
  problems(schema: JsonSchema, value: unknown): string[] {
    let validate = this.#compiled.get(schema);
    if (!validate) {
      validate = this.#ajv.compile({ ...schema, components: this.#components });
      this.#compiled.set(schema, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) =>
      `${e.instancePath || "(root)"} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`
    );
  }

  /** Whether `value` is valid under `schema`. */
  accepts(schema: JsonSchema, value: unknown): boolean {
    return this.problems(schema, value).length === 0;
  }
}
