import { z } from "zod";
import { assert, assertEquals } from "../testing/assert.ts";
import { stepType } from "./flows.ts";
import {
  keepSecrets,
  maskSecrets,
  redactText,
  redactValue,
  secretField,
  secretRedactions,
  secretSlots,
} from "./secret_fields.ts";
import { isMaskedUrl, maskUrl } from "./secret_mask.ts";

const URL_ = "https://hooks.slack.com/services/T0AAAAAAAA/B0BBBBBBBB/cccccccccccccccccccccccc";
const webhook = stepType("webhook_out")!.schema;
const forEach = stepType("for_each_node")!.schema;
const config = {
  url: URL_,
  format: "slack",
  message: "hot",
  secret_headers: { Authorization: "Bearer tok-12345678" },
};
const perNode = { selector: { kind: "all" }, action: { type: "webhook_out", config } };

Deno.test("secret fields", async (t) => {
  await t.step("a webhook URL is shown as its scheme and host", () => {
    assertEquals(maskUrl(URL_), "https://hooks.slack.com/…");
    assertEquals(maskUrl("http://user:pw@127.0.0.1:8080/x?y=1"), "http://127.0.0.1:8080/…");
    assert(isMaskedUrl("https://hooks.slack.com/…"));
    assert(!isMaskedUrl(URL_));
    assert(!isMaskedUrl("https://hooks.slack.com/a/…"), "a real URL that happens to end in …");
  });

  await t.step("the webhook schema declares its URL and secret headers, also per node", () => {
    assertEquals(secretSlots(webhook, config).map((s) => s.path.join(".")), [
      "url",
      "secret_headers",
    ]);
    assertEquals(secretSlots(forEach, perNode).map((s) => s.path.join(".")), [
      "action.config.url",
      "action.config.secret_headers",
    ]);
    const commandPerNode = { ...perNode, action: { type: "command", config: { command: "x" } } };
    assertEquals(secretSlots(forEach, commandPerNode), []);
    assertEquals(secretSlots(undefined, config), [], "an unknown step type has none");
  });

  await t.step("a field declared secret in a new schema is covered without more code", () => {
    const schema = z.object({
      name: z.string(),
      token: secretField(z.url(), "url", "Write-only"),
    });
    assertEquals(
      maskSecrets(schema, { name: "x", token: "https://a.example/k" }),
      { name: "x", token: "https://a.example/…" },
    );
    assertEquals(z.toJSONSchema(schema).properties!.token, {
      type: "string",
      format: "uri",
      writeOnly: true,
      description: "Write-only",
    });
  });

  await t.step("masking copies; the config keeps its secrets", () => {
    assertEquals(maskSecrets(forEach, perNode).action.config, {
      ...config,
      url: "https://hooks.slack.com/…",
      secret_headers: { Authorization: "" },
    });
    assertEquals(perNode.action.config.url, URL_);
  });

  await t.step("what was answered, sent back, keeps the stored values", () => {
    const kept = keepSecrets(forEach, maskSecrets(forEach, perNode), perNode);
    assertEquals(kept, { config: perNode, problems: [] });
  });

  await t.step("a new URL or header value replaces the stored one", () => {
    const sent = { ...config, url: "https://hooks.slack.com/new", secret_headers: { A: "b" } };
    assertEquals(keepSecrets(webhook, sent, config), { config: sent, problems: [] });
  });

  await t.step("a masked URL with nothing stored to keep is a problem naming it", () => {
    const { problems } = keepSecrets(forEach, maskSecrets(forEach, perNode), undefined);
    assertEquals(problems.map((p) => p.path), ["action.config.url"]);
    const elsewhere = { ...config, url: "https://example.com/hook" };
    assertEquals(
      keepSecrets(webhook, maskSecrets(webhook, config), elsewhere).problems.length,
      1,
      "the mask of another host keeps nothing",
    );
  });

  await t.step("texts lose the URL (but its host) and the header values", () => {
    const redactions = secretRedactions(forEach, perNode);
    const shown = redactText(
      `error sending request for url (${URL_}): refused; no hook at ` +
        `${new URL(URL_).pathname}; token cccccccccccccccccccccccc; Bearer tok-12345678`,
      redactions,
    );
    assertEquals(
      shown,
      "error sending request for url (https://hooks.slack.com/…): refused; no hook at /…; " +
        "token [secret]; [secret]",
    );
  });

  await t.step("a URL with nothing after its host is masked once, however often redacted", () => {
    const bare = { ...config, url: "http://127.0.0.1:8080" };
    const redactions = secretRedactions(webhook, bare);
    const once = redactText(`posted to ${bare.url} and ${bare.url}/`, redactions);
    assertEquals(once, "posted to http://127.0.0.1:8080 and http://127.0.0.1:8080/");
    assertEquals(redactText(maskUrl(bare.url), redactions), "http://127.0.0.1:8080/…");
  });

  await t.step("a deep value is redacted without recursion, keeping its shape", () => {
    let deep: unknown = URL_;
    for (let i = 0; i < 100_000; i++) deep = i % 2 ? [deep] : { k: deep };
    const out = JSON.stringify(redactValue(deep, secretRedactions(webhook, config)));
    assert(!out.includes("cccc") && out.includes("https://hooks.slack.com/…"));
    assertEquals(
      redactValue({ b: 1, a: [URL_, null, true] }, secretRedactions(webhook, config)),
      { b: 1, a: ["https://hooks.slack.com/…", null, true] },
    );
    assertEquals(Object.keys(redactValue({ b: 1, a: 2 }, secretRedactions(webhook, config))!), [
      "b",
      "a",
    ]);
  });
});
