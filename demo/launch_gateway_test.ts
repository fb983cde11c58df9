import { assertEquals } from "../lib/testing/assert.ts";
import { denoTaskCommand } from "../tests/_helpers/deno_task.ts";
import { GATEWAY_ENV, GATEWAY_PERMISSIONS } from "./launch_gateway.ts";

Deno.test("the demo starts the gateway as deno.json's gateway task does", async () => {
  const task = await denoTaskCommand("gateway", "gateway/main.ts");
  assertEquals(task.env, { ...GATEWAY_ENV });
  assertEquals(task.args[0], "run");
  assertEquals(task.args.slice(1, -1), [...GATEWAY_PERMISSIONS]);
});
