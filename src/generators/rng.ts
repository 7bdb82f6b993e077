/**
 * The generators' only source of randomness: pure-rand's xoroshiro128+ seeded with the problem's
 * seed, drawing integers only (uniformInt). Decimals are integers scaled by a power of ten, so a seed
 * gives the same problem on every machine, Node version and CPU. Math.random is never used.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** Seeds are unsigned 32-bit integers. */
export const MAX_SEED = 0xffffffff;

export class Rng {
  private readonly gen: RandomGenerator;

  constructor(seed: number) {
    // xoroshiro128plus reads its seed as int32; seed | 0 maps 0 … 2³²−1 onto it one to one.
    this.gen = xoroshiro128plus(seed | 0);
  }

  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return uniformInt(this.gen, lo, hi);
  }

  /** Number on the grid lo, lo + 10^-places, …, hi (e.g. places 1: one decimal). */
  decimal(lo: number, hi: number, places: number): number {
    const scale = 10 ** places;
    return roundTo(this.int(Math.round(lo * scale), Math.round(hi * scale)) / scale, places);
  }

  /** Like decimal(), but never 0. */
  nonzeroDecimal(lo: number, hi: number, places: number): number {
    for (;;) {
      const x = this.decimal(lo, hi, places);
      if (x !== 0) return x;
    }
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /** k distinct items, in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle([...items]).slice(0, k);
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /**
   * A random composition of `total` into `parts` integers, each at least `min` (parts − 1 sorted
   * cut points in the slack). Divided by `total` it gives a distribution with few decimals that
   * sums to 1.
   */
  composition(total: number, parts: number, min: number): number[] {
    const slack = total - parts * min;
    const cuts = Array.from({ length: parts - 1 }, () => this.int(0, slack)).sort((a, b) => a - b);
    const bounds = [0, ...cuts, slack];
    return Array.from({ length: parts }, (_, i) => bounds[i + 1] - bounds[i] + min);
  }

  vector(n: number, draw: () => number): number[] {
    return Array.from({ length: n }, draw);
  }

  matrix(rows: number, cols: number, draw: () => number): number[][] {
    return Array.from({ length: rows }, () => this.vector(cols, draw));
  }
}

/** x rounded to `places` decimals, as the shortest double that prints that way. */
export function roundTo(x: number, places: number): number {
  return Number(x.toFixed(places));
}
