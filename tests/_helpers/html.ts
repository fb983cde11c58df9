/// <reference lib="dom" />
/**
 * Pages as a browser reads them, for tests that check what the server
 * rendered: the HTML parsed into a DOM (linkedom), elements found by CSS
 * selector or test id, text as a person reads it, and the islands' props
 * from the JSON script the islands layer emits.
 */
import { DOMParser } from "linkedom";

/** An answer with a page: its status and headers, the HTML as sent, and the parsed document. */
export interface Page {
  status: number;
  headers: Headers;
  html: string;
  doc: Document;
}

/** One island on a page, as the server serialized it for hydration. */
export interface IslandUse {
  name: string;
  props: Record<string, unknown>;
}

/** Parses `html` as a document. */
export function parseHtml(html: string): Document {
  return new DOMParser().parseFromString(html, "text/html") as unknown as Document;
}

/** Reads and parses a page answer (its body is consumed). */
export async function readPage(res: Response): Promise<Page> {
  const html = await res.text();
  return { status: res.status, headers: res.headers, html, doc: parseHtml(html) };
}

/** The first element under `root` matching `selector`. @throws {Error} naming the selector when none does */
export function one(root: ParentNode, selector: string): Element {
  const found = root.querySelector(selector);
  if (!found) throw new Error(`No element matches ${JSON.stringify(selector)}`);
  return found;
}

/** Whether any element under `root` matches `selector`. */
export function has(root: ParentNode, selector: string): boolean {
  return root.querySelector(selector) !== null;
}

/** Every element under `root` matching `selector`, in document order. */
export function all(root: ParentNode, selector: string): Element[] {
  return [...root.querySelectorAll(selector)];
}

/** The element with `data-testid="id"`. @throws {Error} naming the id when there is none */
export function byTestId(root: ParentNode, id: string): Element {
  return one(root, `[data-testid=${JSON.stringify(id)}]`);
}

/** The text of `node` as a person reads it: runs of white space as one space, trimmed. */
export function text(node: Node | null | undefined): string {
  return (node?.textContent ?? "").replace(/\s+/g, " ").trim();
}

/** The text of every element under `root` matching `selector`. */
export function texts(root: ParentNode, selector: string): string[] {
  return all(root, selector).map(text);
}

/**
 * The element's attributes as a record, to compare whole. Names are in lower
 * case, as a browser reads HTML (linkedom keeps preact's `minLength`); an
 * absent one is absent (linkedom's `getAttribute("class")` says "" for it).
 */
export function attributes(element: Element): Record<string, string> {
  return Object.fromEntries([...element.attributes].map((a) => [a.name.toLowerCase(), a.value]));
}

/** Every island on the page in document order; none when the page ships no island data. */
export function islandsOf(doc: Document): IslandUse[] {
  const script = doc.querySelector('script[type="application/json"]#halo-islands');
  return script ? (JSON.parse(script.textContent ?? "") as { islands: IslandUse[] }).islands : [];
}

/** The island bundles' URLs by island name, as the page gives them to the runtime. */
export function islandUrls(doc: Document): Record<string, string> {
  const script = one(doc, 'script[type="application/json"]#halo-islands');
  return (JSON.parse(script.textContent ?? "") as { urls: Record<string, string> }).urls;
}

/** The names of the islands on the page, each once, in order of first use. */
export function islandNames(doc: Document): string[] {
  return [...new Set(islandsOf(doc).map((i) => i.name))];
}

/** The props of the first island called `name`. @throws {Error} when the page has none */
export function islandProps<P = Record<string, unknown>>(doc: Document, name: string): P {
  const island = islandsOf(doc).find((i) => i.name === name);
  if (!island) {
    throw new Error(`No island "${name}" on the page (it has: ${islandNames(doc).join(", ")})`);
  }
  return island.props as P;
}
