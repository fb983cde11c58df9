import { renderToString } from "preact-render-to-string";
import { assertEquals } from "../../lib/testing/assert.ts";
import { MetricCatalogue } from "../../lib/metrics/catalogue.ts";
import type { CatalogueEntry } from "../../lib/schemas/metric_catalogue.ts";
import { one, parseHtml, text } from "../../tests/_helpers/html.ts";
import { FlowMetricMeaning } from "./flow_metric_meaning.tsx";

const CATALOGUE: CatalogueEntry[] = new MetricCatalogue().list()
  .map((m) => ({ ...m, labels: [...m.labels], builtin: true }));

function shown(metric: string | undefined): string {
  const html = renderToString(<div>{FlowMetricMeaning({ metric, catalogue: CATALOGUE })}</div>);
  const doc = parseHtml(html);
  return doc.querySelector("p") ? text(one(doc, 'p[class~="metric-meaning"]')) : "";
}

Deno.test("the Flows builder explains the metric a trigger or condition tests", async (t) => {
  await t.step("a metric of the catalogue: its meaning, unit and labels", () => {
    assertEquals(
      shown("disk.used"),
      "Space used on the file system holding the path, as df shows it (used / (used + available))" +
        " (in %; one series per path).",
    );
    assertEquals(
      shown("cpu.load1"),
      "Load average over 1 minute: runnable and waiting tasks.",
    );
  });
  await t.step("a name nothing declares says so", () => {
    assertEquals(shown("soc.temperature"), "soc.temperature is not in the metric catalogue.");
  });
  await t.step("no metric entered yet: nothing", () => {
    assertEquals(shown(undefined), "");
  });
});
