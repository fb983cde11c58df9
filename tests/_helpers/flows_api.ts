/** Small API helpers shared by the Flows system tests. */
import type { Harness } from "../../gateway/testing/harness.ts";

/** Calls the API as `token`; the status and the parsed JSON body. */
export async function call(
  h: Harness,
  token: string,
  method: string,
  path: string,
  json?: unknown,
) {
  const res = await h.request(path, { method, token, ...(json !== undefined ? { json } : {}) });
  return { status: res.status, body: await res.json() };
}

/** Waits for execution `id` of flow `flowId` to finish and returns it. */
export async function finished(h: Harness, token: string, flowId: number, id: number) {
  for (let i = 0; i < 500; i++) {
    const { body } = await call(h, token, "GET", `/v1/flows/${flowId}/executions/${id}`);
    if (body.status !== "running") return body;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`execution ${id} did not finish`);
}
