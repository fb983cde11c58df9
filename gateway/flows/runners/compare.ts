import type { Operator } from "../../../lib/schemas/flows.ts";

/** `left <operator> right`; numbers compare numerically, anything else as JSON. */
export function compare(left: unknown, operator: Operator, right: unknown): boolean {
  if (typeof left === "number" && typeof right === "number") {
    switch (operator) {
      case ">":
        return left > right;
      case ">=":
        return left >= right;
      case "<":
        return left < right;
      case "<=":
        return left <= right;
      case "==":
        return left === right;
      case "!=":
        return left !== right;
    }
  }
  const same = JSON.stringify(left) === JSON.stringify(right);
  if (operator === "==") return same;
  if (operator === "!=") return !same;
  return false;
}
