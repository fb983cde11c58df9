/**
 * The part of d3-force's API the topology layout uses (the package ships no
 * types, and this is smaller than pinning @types/d3-force for five functions).
 */
export interface SimulationNodeDatum {
  index?: number;
  x?: number;
  y?: number;
  vx?: number;
  vy?: number;
  fx?: number | null;
  fy?: number | null;
}

export interface SimulationLinkDatum<N extends SimulationNodeDatum> {
  source: N | string | number;
  target: N | string | number;
}

export interface Force<N extends SimulationNodeDatum> {
  (alpha: number): void;
  initialize?(nodes: N[], random: () => number): void;
}

export interface Simulation<N extends SimulationNodeDatum> {
  force(name: string, force: Force<N> | null): this;
  stop(): this;
  tick(iterations?: number): this;
  alphaDecay(decay: number): this;
  nodes(): N[];
}

export interface ForceLink<N extends SimulationNodeDatum, L extends SimulationLinkDatum<N>>
  extends Force<N> {
  id(id: (node: N) => string): this;
  distance(distance: number | ((link: L) => number)): this;
  strength(strength: number | ((link: L) => number)): this;
}

export interface ForceManyBody<N extends SimulationNodeDatum> extends Force<N> {
  strength(strength: number | ((node: N) => number)): this;
  distanceMax(distance: number): this;
}

export interface ForceRadial<N extends SimulationNodeDatum> extends Force<N> {
  strength(strength: number | ((node: N) => number)): this;
}

export interface ForceCollide<N extends SimulationNodeDatum> extends Force<N> {
  strength(strength: number): this;
}

export function forceSimulation<N extends SimulationNodeDatum>(nodes?: N[]): Simulation<N>;
export function forceLink<N extends SimulationNodeDatum, L extends SimulationLinkDatum<N>>(
  links?: L[],
): ForceLink<N, L>;
export function forceManyBody<N extends SimulationNodeDatum>(): ForceManyBody<N>;
export function forceRadial<N extends SimulationNodeDatum>(
  radius: number | ((node: N) => number),
  x?: number,
  y?: number,
): ForceRadial<N>;
export function forceCollide<N extends SimulationNodeDatum>(
  radius?: number | ((node: N) => number),
): ForceCollide<N>;
