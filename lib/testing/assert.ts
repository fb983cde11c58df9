/**
 * std-style assertion names over `node:assert/strict`, so tests read the same
 * as Deno std's without a dependency on jsr.
 */
import assert from "node:assert/strict";

export function assert_(value: unknown, message?: string): asserts value {
  assert.ok(value, message);
}
export { assert_ as assert };

export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  assert.deepStrictEqual(actual, expected, message);
}

export function assertNotEquals(actual: unknown, expected: unknown, message?: string): void {
  assert.notDeepStrictEqual(actual, expected, message);
}

export function assertStrictEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  assert.strictEqual(actual, expected, message);
}

export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  assert.match(actual, pattern, message);
}

export function assertStringIncludes(actual: string, expected: string, message?: string): void {
  if (!actual.includes(expected)) {
    throw new assert.AssertionError({
      message: message ??
        `Expected ${JSON.stringify(actual)} to include ${JSON.stringify(expected)}`,
      actual,
      expected,
    });
  }
}

export function assertThrows(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any -- any constructor of an Error subclass
  errorClass?: new (...args: any[]) => Error,
  msgIncludes?: string,
): Error {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  return checkError(caught, errorClass, msgIncludes);
}

export async function assertRejects(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any -- any constructor of an Error subclass
  errorClass?: new (...args: any[]) => Error,
  msgIncludes?: string,
): Promise<Error> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  return checkError(caught, errorClass, msgIncludes);
}

function checkError(
  caught: unknown,
  // deno-lint-ignore no-explicit-any -- any constructor of an Error subclass
  errorClass?: new (...args: any[]) => Error,
  msgIncludes?: string,
): Error {
  if (caught === undefined) throw new assert.AssertionError({ message: "Expected an error" });
  if (!(caught instanceof Error)) {
    throw new assert.AssertionError({ message: `Threw a non-error: ${caught}` });
  }
  if (errorClass && !(caught instanceof errorClass)) {
    throw new assert.AssertionError({
      message: `Expected ${errorClass.name}, got ${(caught as Error).name}: ${
        (caught as Error).message
      }`,
    });
  }
  if (msgIncludes !== undefined && !caught.message.includes(msgIncludes)) {
    throw new assert.AssertionError({
      message: `Expected message to include ${JSON.stringify(msgIncludes)}, got ${
        JSON.stringify(caught.message)
      }`,
    });
  }
  return caught;
}
