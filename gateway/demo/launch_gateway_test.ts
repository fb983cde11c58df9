import { assertEquals } from "../../lib/testing/assert.ts";
import { GATEWAY_PERMISSIONS } from "./launch_gateway.ts";

Deno.test("the demo starts the gateway with the permissions of deno.json's gateway task", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  const task: string[] = config.tasks.gateway.command.split(/\s+/);
  assertEquals(task.slice(0, 2), ["deno", "run"]);
  assertEquals(task.slice(2, -1), [...GATEWAY_PERMISSIONS]);
});
