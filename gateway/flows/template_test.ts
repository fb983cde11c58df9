import { assertEquals, assertThrows } from "../../lib/testing/assert.ts";
import { parseTemplate, quotedVariables, renderTemplate, variablesOf } from "./template.ts";

Deno.test("parseTemplate() finds {variables} and leaves JSON braces alone", () => {
  assertEquals(variablesOf('{"text": "Node {node_name} {metric} hit {value}", "v": {var.site}}'), [
    "node_name",
    "metric",
    "value",
    "var.site",
  ]);
  assertEquals(parseTemplate("a{b}c").length, 3);
  assertEquals(variablesOf("{ node_name } {Node} {}"), []);
});

Deno.test("renderTemplate()", async (t) => {
  const values = {
    node_name: `pump "house" \\ 1`,
    value: 45.5,
    prev_result: { status: 200 },
    evil: "'; rm -rf / #",
  };

  await t.step("text goes in as it is", () => {
    assertEquals(
      renderTemplate("Node {node_name} hit {value}", values, "text"),
      `Node pump "house" \\ 1 hit 45.5`,
    );
  });

  await t.step("json stays valid: escaped inside strings, literals outside", () => {
    const body = renderTemplate(
      '{"text": "Node {node_name} hit {value}", "value": {value}, "result": {prev_result}, "name": {node_name}}',
      values,
      "json",
    );
    assertEquals(JSON.parse(body), {
      text: `Node pump "house" \\ 1 hit 45.5`,
      value: 45.5,
      result: { status: 200 },
      name: `pump "house" \\ 1`,
    });
  });

  await t.step("shell gets one quoted word per value, so nothing can be injected", () => {
    assertEquals(renderTemplate("echo {evil}", values, "shell"), `echo ''\\''; rm -rf / #'`);
  });

  await t.step("a missing value is an error, never an empty string", () => {
    assertThrows(
      () => renderTemplate("{node_id}", {}, "text"),
      RangeError,
      "{node_id} has no value",
    );
  });
});

Deno.test("quotedVariables() tells which variables sit inside quotes", () => {
  const shell = quotedVariables(`echo '{a}' "{b}" {c} \\'{d}`, "shell");
  assertEquals([...shell.values()], [true, true, false, false]);
  const json = quotedVariables('{"k": "x\\"{a}", "n": {b}}', "json");
  assertEquals([...json.values()], [true, false]);
});
