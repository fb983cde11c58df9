import { assert, assertEquals } from "../testing/assert.ts";
import { bestPaths, pathToRoot, type RatedEdge } from "./best_paths.ts";

const edge = (a: string, b: string, quality: number): RatedEdge => ({ a, b, quality });

Deno.test("bestPaths() gives each node its path, hops and quality to the root", () => {
  const paths = bestPaths("gw", [edge("gw", "relay", 0.9), edge("relay", "leaf", 0.8)]);
  assertEquals(pathToRoot(paths, "leaf"), ["leaf", "relay", "gw"]);
  assertEquals(paths.hops.get("leaf"), 2);
  assertEquals(Math.round(paths.quality.get("leaf")! * 1000), 720);
  assertEquals([pathToRoot(paths, "gw"), paths.hops.get("gw"), paths.quality.get("gw")], [
    ["gw"],
    0,
    1,
  ]);
  assertEquals(paths.next.has("gw"), false);
});

Deno.test("bestPaths() prefers two good hops over one poor direct link, as batman-adv does", () => {
  const paths = bestPaths("gw", [
    edge("gw", "relay", 0.98),
    edge("relay", "leaf", 0.98),
    edge("leaf", "gw", 0.16),
  ]);
  assertEquals(pathToRoot(paths, "leaf"), ["leaf", "relay", "gw"]);
  assertEquals(Math.round(paths.quality.get("leaf")! * 10_000), 9604);
});

Deno.test("bestPaths() uses a link in both directions, whichever end it names first", () => {
  const paths = bestPaths("gw", [edge("leaf", "relay", 0.5), edge("relay", "gw", 0.5)]);
  assertEquals(pathToRoot(paths, "leaf"), ["leaf", "relay", "gw"]);
});

Deno.test("bestPaths() leaves nodes without a path to the root out", () => {
  const paths = bestPaths("gw", [edge("gw", "a", 0.9), edge("x", "y", 0.9)]);
  assertEquals([...paths.hops.keys()].sort(), ["a", "gw"]);
  assertEquals(pathToRoot(paths, "x"), []);
  assertEquals(paths.quality.has("y"), false);
});

Deno.test("bestPaths() counts a link rated 0 as the worst there is, not as missing", () => {
  const paths = bestPaths("gw", [edge("gw", "a", 0), edge("gw", "b", 0.5), edge("b", "c", 0.5)]);
  assertEquals(pathToRoot(paths, "a"), ["a", "gw"]);
  assert(paths.quality.get("a")! > 0 && paths.quality.get("a")! < 1e-5);
  // Any real link beats it: c's two hops at 0.25 are far better than a's zero.
  assert(paths.quality.get("c")! > paths.quality.get("a")!);
});

Deno.test("bestPaths() breaks a tie by the order the edges come in, so answers are stable", () => {
  const viaX = [
    edge("gw", "x", 0.5),
    edge("gw", "y", 0.5),
    edge("x", "n", 0.5),
    edge("y", "n", 0.5),
  ];
  assertEquals(pathToRoot(bestPaths("gw", viaX), "n"), ["n", "x", "gw"]);
  const viaY = [viaX[1]!, viaX[0]!, viaX[3]!, viaX[2]!];
  assertEquals(pathToRoot(bestPaths("gw", viaY), "n"), ["n", "y", "gw"]);
});
