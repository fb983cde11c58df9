/**
 * The builder's requests to the Flows API: save, dry run, and trigger with
 * polling until the execution ends. Each reports through the editor's
 * actions (busy, the answer, the status line); a refusal is shown, never
 * thrown.
 */
import { ApiProblem } from "./api.ts";
import { type Busy, type EditorAction, type EditorState, flowBody } from "./flow_editor.ts";
import type { Execution, StoredFlow } from "./flow_types.ts";

const POLL_MS = 400;
const POLL_TRIES = 50;

/** What the requests need: the API, the editor's state, and a way to change it. */
export interface RequestContext {
  api: <T>(method: string, path: string, body?: unknown) => Promise<T>;
  state: () => EditorState;
  dispatch: (action: EditorAction) => void;
  /** Goes to another page (a new flow's, once created). */
  navigate: (url: string) => void;
}

/** The builder's requests for flow `flowId` (null while the flow is new). */
export function flowRequests(flowId: number | null, ctx: RequestContext) {
  const { api, dispatch } = ctx;
  const say = (problem: ApiProblem) =>
    dispatch({ kind: "say", status: { kind: "bad", text: problem.message } });
  /** Runs `work` as request `busy`; a refusal goes to `refused`, the status line by default. */
  const request = async (
    busy: Busy,
    work: () => Promise<void>,
    refused: (problem: ApiProblem) => void = say,
  ) => {
    dispatch({ kind: "busy", busy });
    try {
      await work();
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      refused(error);
    } finally {
      dispatch({ kind: "busy", busy: null });
    }
  };

  return {
    /** Creates the flow (and opens its page) or saves a new version of it. */
    save: () =>
      request("save", async () => {
        dispatch({ kind: "say", status: null });
        const body = flowBody(ctx.state());
        if (flowId === null) {
          const created = await api<StoredFlow>("POST", "/v1/flows", body);
          return ctx.navigate(`/flows/${created.id}?created=1`);
        }
        const flow = await api<StoredFlow>("PUT", `/v1/flows/${flowId}`, body);
        dispatch({ kind: "saved", flow });
      }, (problem) => {
        dispatch({ kind: "refused", message: problem.message, details: problem.details });
      }),

    /** Dry-runs the saved version with a sample context and shows its path. */
    dryRun: async (context: Record<string, unknown>) => {
      if (flowId === null) return;
      await request("dry-run", async () => {
        const execution = await api<Execution>("POST", `/v1/flows/${flowId}/test`, { context });
        dispatch({ kind: "ran", execution });
        dispatch({ kind: "say", status: ok("Dry run finished: its path is highlighted") });
      });
    },

    /** Triggers the saved version with a JSON payload and follows the execution. */
    trigger: async (payloadText: string) => {
      if (flowId === null) return;
      let payload: unknown;
      try {
        payload = payloadText.trim() ? JSON.parse(payloadText) : {};
      } catch (error) {
        const text = `The payload is not JSON: ${(error as Error).message}`;
        return dispatch({ kind: "say", status: { kind: "bad", text } });
      }
      await request("trigger", () => follow(flowId, payload, ctx));
    },
  };
}

function ok(text: string) {
  return { kind: "ok" as const, text };
}

/** Starts an execution and polls it until it is no longer running (or the tries run out). */
async function follow(flowId: number, payload: unknown, ctx: RequestContext) {
  const { api, dispatch } = ctx;
  const { execution_id } = await api<{ execution_id: number }>(
    "POST",
    `/v1/flows/${flowId}/trigger`,
    { payload },
  );
  dispatch({ kind: "say", status: ok(`Execution ${execution_id} started`) });
  for (let i = 0; i < POLL_TRIES; i++) {
    const execution = await api<Execution>(
      "GET",
      `/v1/flows/${flowId}/executions/${execution_id}`,
    );
    dispatch({ kind: "ran", execution });
    if (execution.status !== "running") break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const done = ctx.state().run?.execution;
  if (done) dispatch({ kind: "say", status: ok(`Execution ${done.id} ${done.status}`) });
}
