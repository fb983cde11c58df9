/**
 * SSH targets over the gateway API against a real sshd on loopback: the
 * gateway's managed public key is installed on the "node", a command action
 * is refused while the node's host key is unknown or wrong — with a message
 * that says how to fix it — and runs once the right key is pinned.
 */
import { assert, assertEquals, assertMatch, assertRejects } from "../lib/testing/assert.ts";
import { createHarness } from "../gateway/testing/harness.ts";
import { call } from "./_helpers/flows_api.ts";
import { ignoreWithoutSshd, startSshd } from "./_helpers/sshd.ts";

Deno.test({
  name: "a command action checks the node's host key against the keys pinned over the API",
  ignore: await ignoreWithoutSshd(),
  async fn(t) {
    await using sshd = await startSshd();
    await using h = await createHarness();
    const admin = await h.tokenFor("admin");
    const viewer = await h.tokenFor("viewer");
    const enrolled = await h.request("/v1/enroll", {
      method: "POST",
      json: {
        join_token: await h.joinToken(),
        hardware: { serial: "SSH00000001" },
        hostname: "pump",
      },
    });
    const { node_id: nodeId } = await enrolled.json();
    const marker = `/tmp/halo-ssh-ran-${crypto.randomUUID()}`;
    const flow = await call(h, admin, "POST", "/v1/flows", {
      name: "Touch marker",
      steps: [
        { id: "go", type: "manual", config: {} },
        {
          id: "run",
          type: "command",
          config: { node: nodeId, command: `touch ${marker}; echo ran {flow_name}` },
        },
      ],
      edges: [{ from: "go", to: "run" }],
    });
    assertEquals(flow.status, 201, JSON.stringify(flow.body));
    const runStep = async () => {
      const started = await call(h, admin, "POST", `/v1/flows/${flow.body.id}/trigger`, {});
      for (let i = 0; i < 2000; i++) {
        const { body } = await call(
          h,
          viewer,
          "GET",
          `/v1/flows/${flow.body.id}/executions/${started.body.execution_id}`,
        );
        if (body.status !== "running") {
          return body.steps.find((s: { step_id: string }) => s.step_id === "run");
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error("the execution did not finish");
    };
    const target = (host_keys: string[]) => ({
      host_keys,
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
    });

    await t.step("the gateway's public key is there to install on nodes", async () => {
      const { status, body } = await call(h, viewer, "GET", "/v1/flows/ssh/public-key");
      assertEquals(status, 200);
      assertMatch(body.public_key, /^ssh-ed25519 [A-Za-z0-9+/=]+ halo-gateway$/);
      await sshd.authorize(body.public_key);
    });

    await t.step("a malformed host key is refused, naming it", async () => {
      const res = await call(h, admin, "PUT", `/v1/flows/ssh/targets/${nodeId}`, {
        host_keys: [sshd.hostPublicKey, "ssh-ed25519 bm90IGEga2V5"],
      });
      assertEquals(res.status, 400);
      assertEquals(res.body.error.details[0].path, "body.host_keys.1");
    });

    await t.step("with no host key pinned, the command fails saying how to pin it", async () => {
      assertEquals(
        (await call(h, admin, "PUT", `/v1/flows/ssh/targets/${nodeId}`, target([]))).status,
        200,
      );
      const step = await runStep();
      assertEquals([step.status, step.output.exit_code], ["failed", 255]);
      assertMatch(step.output.error, new RegExp(`node ${nodeId} .* is not known to HALO`));
      assertMatch(step.output.error, new RegExp(`PUT /v1/flows/ssh/targets/${nodeId}`));
      await assertRejects(() => Deno.stat(marker), Deno.errors.NotFound);
    });

    await t.step("with another key pinned, the command fails as a mismatch", async () => {
      const otherKey = (await Deno.readTextFile(`${sshd.clientKeyPath}.pub`)).trim();
      await call(h, admin, "PUT", `/v1/flows/ssh/targets/${nodeId}`, target([otherKey]));
      const step = await runStep();
      assertEquals(step.status, "failed");
      assertMatch(step.output.error, /does not match the one HALO pinned/);
      await assertRejects(() => Deno.stat(marker), Deno.errors.NotFound);
    });

    await t.step("once the node's host key is pinned, the command runs", async () => {
      const put = await call(
        h,
        admin,
        "PUT",
        `/v1/flows/ssh/targets/${nodeId}`,
        target([
          `${sshd.hostPublicKey} a comment`,
        ]),
      );
      assertEquals([put.status, put.body.host_keys], [200, [sshd.hostPublicKey]]);
      const step = await runStep();
      assertEquals(
        [step.status, step.output.stdout],
        ["succeeded", "ran Touch marker\n"],
        sshd.log,
      );
      await Deno.remove(marker);
    });

    await t.step("every command run and target change is audited", async () => {
      const { body } = await call(h, admin, "GET", "/v1/audit?limit=50");
      const actions = body.entries.map((e: { action: string }) => e.action);
      assertEquals(actions.filter((a: string) => a === "flow.command").length, 3);
      assertEquals(actions.filter((a: string) => a === "flow_ssh_target.update").length, 3);
      const runs = body.entries.filter((e: { action: string }) => e.action === "flow.command");
      assert(
        runs.some((e: { details: { error?: string } }) =>
          /not known to HALO/.test(e.details.error ?? "")
        ),
      );
    });

    await t.step("a deleted target is gone", async () => {
      assertEquals((await call(h, admin, "DELETE", `/v1/flows/ssh/targets/${nodeId}`)).status, 200);
      assertEquals((await call(h, viewer, "GET", `/v1/flows/ssh/targets/${nodeId}`)).status, 404);
    });
  },
});
