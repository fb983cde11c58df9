import { type ComponentType, createContext, h, type JSX } from "preact";
import { useContext } from "preact/hooks";

/** One island instance on a page: which bundle hydrates it, and with what. */
export interface IslandUse {
  name: string;
  props: unknown;
}

/** Collects the islands a page renders, in document order. */
export class IslandCollector {
  readonly uses: IslandUse[] = [];

  add(name: string, props: unknown): number {
    this.uses.push({ name, props });
    return this.uses.length - 1;
  }

  /** Names of the islands used, each once. */
  names(): string[] {
    return [...new Set(this.uses.map((u) => u.name))];
  }
}

/** Set while a page renders; `null` inside an island, whose nested islands hydrate with it. */
export const IslandContext = createContext<IslandCollector | null>(null);

/** Props of {@linkcode Island}. */
export interface IslandProps<P> {
  /** The island's name: its file in `ui/islands/` without `.tsx`. */
  name: string;
  component: ComponentType<P>;
  /** Serialized as JSON into the page, so plain data only. */
  props: P;
}

/**
 * Renders `component` on the server inside a `<halo-island>` marker that the
 * client runtime hydrates with the island's bundle. Inside another island it
 * renders the component directly: the outer island hydrates it.
 */
export function Island<P>({ name, component: Component, props }: IslandProps<P>): JSX.Element {
  const collector = useContext(IslandContext);
  // deno-lint-ignore no-explicit-any -- P is the component's own props type
  const inner = <Component {...props as any} />;
  if (!collector) return inner;
  const index = collector.add(name, props);
  // A custom element the runtime finds; `display: contents` keeps it out of layout.
  return h(
    "halo-island",
    { "data-i": String(index) },
    <IslandContext.Provider value={null}>{inner}</IslandContext.Provider>,
  );
}
