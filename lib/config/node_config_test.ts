import { assertEquals, assertThrows } from "../testing/assert.ts";
import { ConfigError } from "./config_error.ts";
import { loadNodeConfig, parseNodeConfig } from "./node_config.ts";

Deno.test("parseNodeConfig()", async (t) => {
  await t.step("reads a valid gateway config", () => {
    const config = parseNodeConfig(
      "role: gateway\nnode_name: gw-1\ngateway:\n  listen: 127.0.0.1:8080\nlog_level: debug\n",
      "/etc/halo/config.yaml",
    );
    assertEquals(config, {
      role: "gateway",
      node_name: "gw-1",
      gateway: { listen: "127.0.0.1:8080" },
      log_level: "debug",
    });
  });

  await t.step("names the file, line and field of a bad value", () => {
    const error = assertThrows(
      () =>
        parseNodeConfig("role: gateway\ngateway:\n  listen: nowhere\n", "/etc/halo/config.yaml"),
      ConfigError,
    ) as ConfigError;
    assertEquals(error.problems.length, 1);
    assertEquals(error.problems[0]!.field, "gateway.listen");
    assertEquals(error.problems[0]!.line, 3);
    assertEquals(
      error.message,
      "Cannot load /etc/halo/config.yaml:\n  line 3: gateway.listen: expected HOST:PORT, e.g. 0.0.0.0:8080 or [::1]:8080",
    );
  });

  await t.step("lists every problem, including unknown keys", () => {
    const error = assertThrows(
      () => parseNodeConfig("role: brain\ncolour: blue\nlog_level: loud\n", "c.yaml"),
      ConfigError,
    ) as ConfigError;
    assertEquals(error.problems.map((p) => [p.field, p.line]), [
      ["role", 1],
      ["log_level", 3],
      ["", 1],
    ]);
    assertEquals(error.problems[2]!.message.includes("colour"), true);
  });

  await t.step("reports YAML syntax errors with their line", () => {
    const error = assertThrows(
      () => parseNodeConfig("role: gateway\ngateway: [unclosed\n", "c.yaml"),
      ConfigError,
    ) as ConfigError;
    assertEquals(error.problems[0]!.line !== undefined, true);
  });

  await t.step("a missing required field points at the document", () => {
    const error = assertThrows(
      () => parseNodeConfig("node_name: x\n", "c.yaml"),
      ConfigError,
    ) as ConfigError;
    assertEquals(error.problems[0]!.field, "role");
  });
});

Deno.test("loadNodeConfig() uses the fallback only when the file is missing", async () => {
  const fallback = { role: "gateway" as const };
  assertEquals(
    await loadNodeConfig(
      "/nonexistent/config.yaml",
      fallback,
      () => Promise.reject(new Deno.errors.NotFound()),
    ),
    fallback,
  );
  assertEquals(
    await loadNodeConfig("/x.yaml", fallback, () => Promise.resolve("role: node\n")),
    { role: "node" },
  );
});
