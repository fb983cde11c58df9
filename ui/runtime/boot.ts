/**
 * The portal's client runtime: hydrates each `<halo-island>` the server
 * rendered with the bundle the page's island data names. Loaded as a module
 * script from the same origin, so the strict CSP needs no inline script.
 */
import { type ComponentType, h, hydrate } from "preact";

interface IslandData {
  islands: { name: string; props: Record<string, unknown> }[];
  urls: Record<string, string>;
}

const script = document.getElementById("halo-islands");
if (script?.textContent) {
  const data = JSON.parse(script.textContent) as IslandData;
  for (const marker of document.querySelectorAll<HTMLElement>("halo-island")) {
    const use = data.islands[Number(marker.dataset.i)];
    const url = use && data.urls[use.name];
    if (!use || !url) continue;
    import(url).then((module: { default: ComponentType<Record<string, unknown>> }) => {
      hydrate(h(module.default, use.props), marker);
      // Says the island is live, for people debugging and for the browser tests.
      marker.setAttribute("data-hydrated", "");
    }).catch((error) => console.error(`island ${use.name} failed to load`, error));
  }
}
