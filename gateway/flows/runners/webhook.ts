/**
 * The `webhook_out` action: POSTs a JSON, Slack or Microsoft Teams payload to
 * a URL, with a per-attempt timeout and retries with exponential backoff.
 * The secret fields its schema declares (the URL, secret header values) are
 * used but never appear in the step's output or errors — not even when the
 * receiver echoes them back: the URL shows as its host only.
 */
import type { Clock } from "../../../lib/clock.ts";
import type { HttpClient } from "../../../lib/http_client.ts";
import { webhookActionSchema } from "../../../lib/schemas/flows.ts";
import { redactText, secretRedactions } from "../../../lib/schemas/secret_fields.ts";
import { maskUrl } from "../../../lib/schemas/secret_mask.ts";
import type { StepRunner } from "../engine.ts";
import { renderTemplate } from "../template.ts";
import type { SilenceCheck } from "./alert.ts";

/** At most this much of a response body is kept in the step's output. */
export const WEBHOOK_BODY_LIMIT = 4096;

/** Dependencies of {@linkcode webhookRunner}. */
export interface WebhookRunnerDeps {
  http: HttpClient;
  /** Paces retries and per-attempt timeouts, so tests can move time by hand. */
  clock: Clock;
  silenced: SilenceCheck;
  /**
   * The open alert of this flow for a node that is grouped under a root-cause
   * alert, if any: its notifications are suppressed. @default never grouped
   */
  grouped?: GroupedCheck;
  /** Wait before the first retry; each further retry waits twice as long. @default 1000 */
  retryBaseMs?: number;
}

/** See {@linkcode WebhookRunnerDeps.grouped}. */
export type GroupedCheck = (
  flowId: number,
  nodeId: string,
) => { alertId: number; parentId: number; rootNodeId: string | null } | null;

type WebhookConfig = ReturnType<typeof webhookActionSchema.parse>;

/**
 * The payload for the configured format.
 *
 * Teams gets an Adaptive Card in a `message` wrapper rather than the older
 * MessageCard: both Teams incoming webhooks and the Workflows ("Post to a
 * channel when a webhook request is received") that replace the retiring
 * Office 365 connectors accept it, while Workflows do not accept MessageCard.
 *
 * @throws {SyntaxError} when a json body template does not render valid JSON.
 */
export function webhookPayload(
  config: WebhookConfig,
  values: Readonly<Record<string, unknown>>,
  title: string,
): string {
  if (config.format === "json") {
    const body = renderTemplate(config.body ?? "", values, "json");
    try {
      JSON.parse(body);
    } catch (error) {
      throw new SyntaxError(
        `Cannot send webhook: the body template does not render valid JSON: ${
          (error as Error).message
        }`,
      );
    }
    return body;
  }
  const text = renderTemplate(config.message ?? "", values, "text");
  if (config.format === "slack") return JSON.stringify({ text });
  return JSON.stringify({
    type: "message",
    attachments: [{
      contentType: "application/vnd.microsoft.card.adaptive",
      contentUrl: null,
      content: {
        $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
        type: "AdaptiveCard",
        version: "1.4",
        body: [
          { type: "TextBlock", text: title, weight: "Bolder", size: "Medium", wrap: true },
          { type: "TextBlock", text, wrap: true },
        ],
      },
    }],
  });
}

/** The first `limit` bytes of `text` in UTF-8, without cutting a character in half. */
function truncateUtf8(text: string, limit: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= limit) return text;
  // stream: true holds back a trailing partial character instead of mangling it.
  return new TextDecoder().decode(bytes.subarray(0, limit), { stream: true });
}

/** Reads at most `limit` bytes of a body as text. */
async function readLimited(response: Response, limit: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  try {
    while (bytes < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = value.subarray(0, limit - bytes);
      bytes += chunk.length;
      text += decoder.decode(chunk, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text;
}

/** One attempt's result: an HTTP answer (with its Retry-After, in ms), or why there was none. */
type Attempt = { status: number; body: string; retryAfterMs: number | null } | { error: string };

/**
 * A `Retry-After` value in milliseconds from `now`: delay-seconds or an
 * HTTP date (RFC 9110 §10.2.3); null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

const retryable = (a: Attempt) => "error" in a || a.status === 429 || a.status >= 500;

/**
 * The `webhook_out` action.
 *
 * Output: `{status, body, attempts, url}` (body at most 4 KiB, url as
 * {@linkcode maskUrl} shows it), or with
 * `error` instead of an answer when the last attempt got none; outcome
 * `success` for a 2xx. 5xx, 429, network errors and timeouts are retried
 * up to `retries` times, waiting `retryBaseMs · 2ⁿ` before retry n, or as
 * long as a 429's or 503's `Retry-After` says — unless that is longer than
 * what is left of `timeout_s × (retries + 1)`, which ends the step at once
 * with `error` saying so; other answers end at once. Redirects are not followed, so secret headers never
 * go to a host the flow did not name. Silenced (a maintenance window for the
 * flow or the context's node) sends nothing: `{silenced: true}`, success.
 * Neither does a webhook about a node whose alert in this flow is grouped
 * under a root cause (the root's notification covers it): `{suppressed:
 * "grouped", alert_id, grouped_under, reason}`, success; if the root
 * resolves while that node is still offline, the step is sent then
 * (`FlowService.notifyStandAlone`). A dry run sends
 * nothing either: `{would_send: {url, body}}`.
 */
export function webhookRunner(deps: WebhookRunnerDeps): StepRunner {
  const retryBaseMs = deps.retryBaseMs ?? 1000;
  return async ({ step, execution, context, prevResult, signal }) => {
    const config = webhookActionSchema.parse(step.config);
    const values = { ...context, prev_result: prevResult };
    const body = webhookPayload(config, values, execution.flowName);
    const nodeId = typeof context.node_id === "string" ? context.node_id : null;
    const silenced = deps.silenced(execution.flowId, nodeId);
    const grouped = nodeId !== null ? deps.grouped?.(execution.flowId, nodeId) ?? null : null;
    const suppressed = grouped && {
      suppressed: "grouped",
      alert_id: grouped.alertId,
      grouped_under: grouped.parentId,
      reason:
        `Not sent: this node's alert ${grouped.alertId} is grouped under alert ${grouped.parentId}${
          grouped.rootNodeId ? ` (node ${grouped.rootNodeId} offline)` : ""
        }, which notifies for it`,
    };
    if (execution.dryRun) {
      const wouldSend = { url: maskUrl(config.url), body };
      return {
        outcome: "success",
        output: {
          would_send: wouldSend,
          ...(silenced ? { silenced: true } : {}),
          ...(suppressed ?? {}),
        },
      };
    }
    if (silenced) return { outcome: "success", output: { silenced: true } };
    if (suppressed) return { outcome: "success", output: suppressed };

    const secrets = secretRedactions(webhookActionSchema, config);
    const longestSecret = Math.max(
      0,
      ...secrets.map((s) => new TextEncoder().encode(s.secret).length),
    );
    const headers = new Headers({ "content-type": "application/json" });
    for (const [name, value] of Object.entries({ ...config.headers, ...config.secret_headers })) {
      try {
        headers.set(name, value);
      } catch {
        // The runtime's message may quote the value; name only the header.
        throw new TypeError(`Cannot send webhook: header ${name} has an invalid value`);
      }
    }

    const send = async (): Promise<Attempt> => {
      const timedOut = new AbortController();
      const timerDone = new AbortController();
      deps.clock.sleep(config.timeout_s * 1000, timerDone.signal).then(
        () => timedOut.abort(),
        () => {}, // the attempt finished first
      );
      try {
        const response = await deps.http(
          new Request(config.url, {
            method: "POST",
            headers,
            body,
            redirect: "manual",
            signal: AbortSignal.any([signal, timedOut.signal]),
          }),
        );
        // Read past the limit by the longest secret, so one straddling the cut is still found.
        const text = await readLimited(response, WEBHOOK_BODY_LIMIT + longestSecret);
        return {
          status: response.status,
          body: text,
          retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), deps.clock.now()),
        };
      } catch (error) {
        if (signal.aborted) throw error;
        if (timedOut.signal.aborted) return { error: `no answer within ${config.timeout_s} s` };
        return { error: error instanceof Error ? error.message : String(error) };
      } finally {
        timerDone.abort();
      }
    };

    // A receiver's Retry-After may not stretch the step beyond what its
    // timeout and retries allow: one timeout per attempt.
    const budgetMs = config.timeout_s * 1000 * (config.retries + 1);
    const startedAt = deps.clock.now();
    let attempts = 0;
    let last: Attempt;
    let gaveUp: string | null = null;
    while (true) {
      attempts++;
      last = await send();
      if (!retryable(last) || attempts > config.retries) break;
      let waitMs = retryBaseMs * 2 ** (attempts - 1);
      if (
        "status" in last && (last.status === 429 || last.status === 503) &&
        last.retryAfterMs !== null
      ) {
        waitMs = last.retryAfterMs;
        const leftMs = budgetMs - (deps.clock.now() - startedAt);
        if (waitMs > leftMs) {
          gaveUp = `the receiver asked to retry after ${
            Math.ceil(waitMs / 1000)
          } s (Retry-After), beyond the ${
            Math.max(0, Math.floor(leftMs / 1000))
          } s left of the step's ${budgetMs / 1000} s budget (timeout_s × attempts)`;
          break;
        }
      }
      await deps.clock.sleep(waitMs, signal);
    }
    const url = maskUrl(config.url);
    if ("error" in last) {
      return {
        outcome: "failure",
        output: { status: null, body: "", attempts, url, error: redactText(last.error, secrets) },
      };
    }
    const ok = last.status >= 200 && last.status < 300;
    return {
      outcome: ok ? "success" : "failure",
      output: {
        status: last.status,
        body: truncateUtf8(redactText(last.body, secrets), WEBHOOK_BODY_LIMIT),
        attempts,
        url,
        ...(gaveUp ? { error: gaveUp } : {}),
      },
    };
  };
}
