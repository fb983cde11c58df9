/// <reference lib="dom" />
// api.ts reads the page's CSRF token from the document; these tests pass their own api instead.
import { assertEquals, assertMatch } from "../../lib/testing/assert.ts";
import { ApiProblem } from "./api.ts";
import { type EditorState, flowEditor, openFlow } from "./flow_editor.ts";
import { flowRequests } from "./flow_editor_requests.ts";
import type { StepTypeMeta, StoredFlow } from "./flow_types.ts";

const TYPES: Record<string, StepTypeMeta> = {
  manual: {
    type: "manual",
    kind: "trigger",
    label: "Manual",
    description: "",
    config_schema: { type: "object" },
    provides: [],
    branches: [],
  },
  alert: {
    type: "alert",
    kind: "action",
    label: "Alert",
    description: "",
    config_schema: { type: "object" },
    provides: [],
    branches: ["success", "failure"],
  },
};

const stored: StoredFlow = {
  id: 7,
  name: "restart pump",
  description: "",
  enabled: true,
  version: 1,
  builtin: null,
  steps: [{ id: "t", type: "manual", config: {} }, { id: "a", type: "alert", config: {} }],
  edges: [{ from: "t", to: "a" }],
  variables: {},
  created_at: "2026-11-23T12:00:00.000Z",
  created_by: "ada",
  updated_at: "2026-11-23T12:00:00.000Z",
  updated_by: "ada",
};

/**
 * A builder over `flow` whose API answers each request with the next of
 * `answers` (an ApiProblem is thrown); it records the requests and pages
 * opened.
 */
function builder(flow: StoredFlow | null, answers: unknown[]) {
  const edit = flowEditor(TYPES);
  const world = {
    state: openFlow(flow) as EditorState,
    requests: [] as string[],
    opened: [] as string[],
  };
  const requests = flowRequests(flow?.id ?? null, {
    api: <T>(method: string, path: string) => {
      world.requests.push(`${method} ${path}`);
      const answer = answers.shift();
      return answer instanceof ApiProblem ? Promise.reject(answer) : Promise.resolve(answer as T);
    },
    state: () => world.state,
    dispatch: (action) => world.state = edit(world.state, action),
    navigate: (url) => world.opened.push(url),
  });
  return { ...requests, world };
}

const execution = (status: "running" | "succeeded") => ({
  id: 31,
  flow_id: 7,
  flow_version: 1,
  trigger_type: "manual",
  trigger_context: {},
  status,
  dry_run: false,
  started_at: "2026-11-23T12:00:00.000Z",
  finished_at: null,
  error: null,
  steps: [],
});

Deno.test("a new flow, once saved, opens its own page", async () => {
  const b = builder(null, [{ ...stored, id: 9 }]);
  await b.save();
  assertEquals(b.world.requests, ["POST /v1/flows"]);
  assertEquals(b.world.opened, ["/flows/9?created=1"]);
  assertEquals(b.world.state.busy, null);
});

Deno.test("a refused save puts the API's problems on the step they name", async () => {
  const b = builder(stored, [
    new ApiProblem(400, "invalid_flow", 'Flow "restart pump" cannot be saved: Required', [
      { path: "body.steps.a.config.message", message: "Required" },
    ]),
  ]);
  await b.save();
  assertEquals(b.world.requests, ["PUT /v1/flows/7"]);
  assertEquals(b.world.state.status, {
    kind: "bad",
    text: 'Flow "restart pump" cannot be saved: Required',
  });
  assertEquals(b.world.state.selection, { kind: "step", id: "a" });
  assertEquals(b.world.state.problems.map((p) => [p.step, p.field]), [["a", "message"]]);
  assertEquals(b.world.state.busy, null);
});

Deno.test("a saved flow shows its new version", async () => {
  const b = builder(stored, [{ ...stored, version: 2 }]);
  await b.save();
  assertEquals(b.world.state.status, { kind: "ok", text: "Saved: version 2" });
  assertEquals(b.world.state.saved.version, 2);
});

Deno.test("a trigger follows its execution until it ends, and says how it ended", async () => {
  const b = builder(stored, [
    { execution_id: 31 },
    execution("running"),
    execution("succeeded"),
  ]);
  await b.trigger('{"reason": "test"}');
  assertEquals(b.world.requests, [
    "POST /v1/flows/7/trigger",
    "GET /v1/flows/7/executions/31",
    "GET /v1/flows/7/executions/31",
  ]);
  assertEquals(b.world.state.status, { kind: "ok", text: "Execution 31 succeeded" });
  assertEquals(b.world.state.run?.execution.status, "succeeded");
});

Deno.test("a payload that is not JSON is refused before any request", async () => {
  const b = builder(stored, []);
  await b.trigger("{reason:");
  assertEquals(b.world.requests, []);
  assertEquals(b.world.state.status?.kind, "bad");
  assertMatch(b.world.state.status?.text ?? "", /^The payload is not JSON: /);
});

Deno.test("a refused dry run is said on the status line", async () => {
  const b = builder(stored, [new ApiProblem(404, "not_found", "Flow 7 not found")]);
  await b.dryRun({ node_id: "n-00000000000a" });
  assertEquals(b.world.requests, ["POST /v1/flows/7/test"]);
  assertEquals(b.world.state.status, { kind: "bad", text: "Flow 7 not found" });
  assertEquals(b.world.state.busy, null);
});
