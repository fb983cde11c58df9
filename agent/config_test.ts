import { assertEquals, assertRejects } from "../lib/testing/assert.ts";
import { ConfigError } from "../lib/config/config_error.ts";
import { FakeFileSystem } from "../lib/testing/fake_fs.ts";
import { agentConfigFiles, gatewayUrl, loadAgentConfig } from "./config.ts";

const JOIN = "halo_join_" + "J".repeat(43);
const files = agentConfigFiles({ etc: "/etc/halo", varLib: "/var/lib/halo", run: "/run/halo" });

Deno.test("loadAgentConfig()", async (t) => {
  await t.step("reads config.yaml and agent-env from HALO_ETC", async () => {
    const fs = new FakeFileSystem({
      "/etc/halo/config.yaml": "role: node\nnode_name: mast-3\n",
      "/etc/halo/agent-env": `HALO_JOIN_TOKEN=${JOIN}\n`,
    });
    assertEquals(await loadAgentConfig(files, fs), {
      config: { role: "node", node_name: "mast-3" },
      agentEnv: { HALO_JOIN_TOKEN: JOIN },
    });
  });

  await t.step("without config.yaml the device is a node", async () => {
    const fs = new FakeFileSystem({ "/etc/halo/agent-env": `HALO_JOIN_TOKEN=${JOIN}\n` });
    assertEquals((await loadAgentConfig(files, fs)).config, { role: "node" });
  });

  await t.step("a missing agent-env names the file and what setup puts in it", async () => {
    await assertRejects(
      () => loadAgentConfig(files, new FakeFileSystem()),
      ConfigError,
      "Cannot load /etc/halo/agent-env:\n  missing: setup writes it with this node's HALO_JOIN_TOKEN",
    );
  });

  await t.step("a bad config.yaml names the file, line and field", async () => {
    const fs = new FakeFileSystem({
      "/etc/halo/config.yaml": "role: node\nlog_level: chatty\n",
      "/etc/halo/agent-env": `HALO_JOIN_TOKEN=${JOIN}\n`,
    });
    await assertRejects(
      () => loadAgentConfig(files, fs),
      ConfigError,
      "Cannot load /etc/halo/config.yaml:\n  line 2: log_level:",
    );
  });
});

Deno.test("gatewayUrl() follows the contract's one rule", async (t) => {
  const env = (values: Record<string, string>) => (name: string) => values[name];
  const config = { role: "node" as const, gateway: { url: "http://10.0.0.1:8080" } };
  const mesh = () => Promise.resolve("http://10.99.0.1:8080");

  await t.step("the environment wins over everything", async () => {
    assertEquals(
      await gatewayUrl({
        env: env({ HALO_GATEWAY_URL: "http://127.0.0.1:9" }),
        agentEnv: { HALO_JOIN_TOKEN: JOIN, HALO_GATEWAY_URL: "http://192.0.2.1:8080" },
        config,
        discovered: mesh,
      }),
      { url: "http://127.0.0.1:9", source: "environment" },
    );
  });

  await t.step("then agent-env, then halo-mesh, then config.yaml", async () => {
    const agentEnv = { HALO_JOIN_TOKEN: JOIN };
    assertEquals(
      await gatewayUrl({
        env: env({}),
        agentEnv: { ...agentEnv, HALO_GATEWAY_URL: "http://192.0.2.1:8080" },
        config,
        discovered: mesh,
      }),
      { url: "http://192.0.2.1:8080", source: "agent-env" },
    );
    assertEquals(await gatewayUrl({ env: env({}), agentEnv, config, discovered: mesh }), {
      url: "http://10.99.0.1:8080",
      source: "halo-mesh",
    });
    assertEquals(
      await gatewayUrl({ env: env({}), agentEnv, config, discovered: () => Promise.resolve(null) }),
      { url: "http://10.0.0.1:8080", source: "config.yaml" },
    );
  });

  await t.step("no URL anywhere says where to set one", async () => {
    await assertRejects(
      () =>
        gatewayUrl({ env: env({}), agentEnv: { HALO_JOIN_TOKEN: JOIN }, config: { role: "node" } }),
      TypeError,
      "No gateway URL: set HALO_GATEWAY_URL",
    );
  });

  await t.step("a bad URL in the environment is refused, not skipped", async () => {
    await assertRejects(
      () =>
        gatewayUrl({
          env: env({ HALO_GATEWAY_URL: "gateway.local:8080" }),
          agentEnv: { HALO_JOIN_TOKEN: JOIN },
          config,
        }),
      TypeError,
      'Invalid HALO_GATEWAY_URL "gateway.local:8080" in the environment',
    );
  });
});
