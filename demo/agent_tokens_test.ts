import { assertEquals, assertRejects } from "../lib/testing/assert.ts";
import { AGENT_TOKENS_FILE, readAgentTokens, writeAgentTokens } from "./agent_tokens.ts";

const TOKEN = `halo_agent_${"A".repeat(43)}`;

Deno.test("the demo's agent tokens survive a restart, readable by the owner only", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "halo-demo-tokens-" });
  try {
    await t.step("no file yet: no tokens", async () => {
      assertEquals((await readAgentTokens(dir)).size, 0);
    });

    await t.step("written tokens read back, in a file of mode 0600", async () => {
      const agents = new Map([["leaf-1", { nodeId: "n-0123456789ab", agentToken: TOKEN }]]);
      await writeAgentTokens(dir, agents);
      assertEquals(await readAgentTokens(dir), agents);
      assertEquals((await Deno.stat(`${dir}/${AGENT_TOKENS_FILE}`)).mode! & 0o777, 0o600);
    });

    await t.step("writing again replaces the file, still 0600", async () => {
      await Deno.chmod(`${dir}/${AGENT_TOKENS_FILE}`, 0o644);
      await writeAgentTokens(dir, new Map());
      assertEquals((await readAgentTokens(dir)).size, 0);
      assertEquals((await Deno.stat(`${dir}/${AGENT_TOKENS_FILE}`)).mode! & 0o777, 0o600);
    });

    await t.step("a damaged file is an error naming it and the way out", async () => {
      await Deno.writeTextFile(`${dir}/${AGENT_TOKENS_FILE}`, '{"devices": {"leaf-1": 1}}');
      await assertRejects(
        () => readAgentTokens(dir),
        Error,
        `${dir}/${AGENT_TOKENS_FILE} is not the demo's agent token file`,
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
