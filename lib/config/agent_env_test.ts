import { assertEquals, assertStringIncludes, assertThrows } from "../testing/assert.ts";
import { formatAgentEnv, isEnrolled, parseAgentEnv } from "./agent_env.ts";
import { ConfigError } from "./config_error.ts";

const TOKEN = "halo_agent_" + "A".repeat(43);

Deno.test("parseAgentEnv()", async (t) => {
  await t.step("reads KEY=value lines with comments and quotes", () => {
    const env = parseAgentEnv(
      `# written by enrollment\nHALO_GATEWAY_URL="http://198.18.0.1:8080"\nHALO_NODE_ID=n-0123456789ab\n\nHALO_AGENT_TOKEN='${TOKEN}'\n`,
      "/etc/halo/agent-env",
    );
    assertEquals(env, {
      HALO_GATEWAY_URL: "http://198.18.0.1:8080",
      HALO_NODE_ID: "n-0123456789ab",
      HALO_AGENT_TOKEN: TOKEN,
    });
  });

  await t.step("round-trips through formatAgentEnv()", () => {
    const env = {
      HALO_GATEWAY_URL: "http://127.0.0.1:8080",
      HALO_NODE_ID: "n-0123456789ab",
      HALO_AGENT_TOKEN: TOKEN,
    };
    assertEquals(parseAgentEnv(formatAgentEnv(env), "f"), env);
  });

  await t.step("names each bad line and key", () => {
    const error = assertThrows(
      () =>
        parseAgentEnv(
          "HALO_GATEWAY_URL=ftp://x\nnot a pair\nHALO_NODE_ID=n-0123456789ab\nHALO_NODE_ID=n-0123456789ac\nEXTRA=1\n",
          "/etc/halo/agent-env",
        ),
      ConfigError,
    ) as ConfigError;
    assertEquals(
      error.problems.map((p) => `${p.line ?? "-"}:${p.field}`).sort(),
      ["-:HALO_AGENT_TOKEN", "1:HALO_GATEWAY_URL", "2:", "4:HALO_NODE_ID", "5:EXTRA"].sort(),
    );
    assertEquals(error.message.startsWith("Cannot load /etc/halo/agent-env:"), true);
    assertEquals(error.problems.find((p) => p.field === "HALO_AGENT_TOKEN")!.message, "missing");
  });
});

const JOIN = "halo_join_" + "B".repeat(43);

Deno.test("parseAgentEnv() before and after enrollment", async (t) => {
  await t.step("a join token alone is the form setup writes; the URL is optional", () => {
    const env = parseAgentEnv(`HALO_JOIN_TOKEN=${JOIN}\n`, "/etc/halo/agent-env");
    assertEquals(env, { HALO_JOIN_TOKEN: JOIN });
    assertEquals(isEnrolled(env), false);
  });

  await t.step("credentials without a gateway URL are the enrolled form", () => {
    const env = parseAgentEnv(
      `HALO_NODE_ID=n-0123456789ab\nHALO_AGENT_TOKEN=${TOKEN}\n`,
      "/etc/halo/agent-env",
    );
    assertEquals(isEnrolled(env), true);
    assertEquals(parseAgentEnv(formatAgentEnv(env), "f"), env);
  });

  await t.step("a join token beside credentials is refused on its line", () => {
    const error = assertThrows(
      () =>
        parseAgentEnv(
          `HALO_NODE_ID=n-0123456789ab\nHALO_AGENT_TOKEN=${TOKEN}\nHALO_JOIN_TOKEN=${JOIN}\n`,
          "/etc/halo/agent-env",
        ),
      ConfigError,
    ) as ConfigError;
    assertEquals(error.problems.map((p) => [p.line, p.field]), [[3, "HALO_JOIN_TOKEN"]]);
    assertStringIncludes(error.message, "line 3: HALO_JOIN_TOKEN: remove it");
  });

  await t.step("a bad join token is named with its line", () => {
    const error = assertThrows(
      () =>
        parseAgentEnv(
          `# setup\nHALO_JOIN_TOKEN=halo_join_short\nHALO_GATEWAY_URL=x\n`,
          "/etc/halo/agent-env",
        ),
      ConfigError,
    ) as ConfigError;
    assertEquals(error.problems.map((p) => [p.line, p.field]).sort(), [
      [2, "HALO_JOIN_TOKEN"],
      [3, "HALO_GATEWAY_URL"],
    ]);
  });

  await t.step("a file with neither form says what each holds", () => {
    const error = assertThrows(
      () => parseAgentEnv("HALO_GATEWAY_URL=http://127.0.0.1:8080\n", "/etc/halo/agent-env"),
      ConfigError,
    ) as ConfigError;
    assertEquals(error.problems.length, 1);
    assertEquals(
      error.message,
      "Cannot load /etc/halo/agent-env:\n  HALO_JOIN_TOKEN: missing: before enrollment the " +
        "file holds HALO_JOIN_TOKEN; after it, HALO_NODE_ID and HALO_AGENT_TOKEN",
    );
  });
});
