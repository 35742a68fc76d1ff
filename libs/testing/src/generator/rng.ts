/**
 * Small seeded PRNG (mulberry32) plus seed mixing. `Math.random` is never used by the generator:
 * every random choice flows from the caller's seed so output is reproducible byte for byte.
 */
// Builtins are bound to module constants: under jest's vm sandbox every global lookup (Math, …) goes
// through an interceptor and hot loops run several times slower.
const { ceil, floor, imul, trunc } = Math;

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** Uniform element of a non-empty array. */
  pick<T>(xs: readonly T[]): T;
  /** true with probability p. */
  chance(p: number): boolean;
}

/** Normalises any finite number to an unsigned 32-bit seed (integers wrap modulo 2^32). */
export function normalizeSeed(seed: number): number {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new RangeError(`seed must be a finite number, got ${String(seed)}`);
  }
  return trunc(seed) >>> 0;
}

export class Mulberry32 implements Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    const lo = ceil(min);
    const hi = floor(max);
    if (!(hi >= lo && hi - lo < 2 ** 53)) {
      throw new RangeError(`int(${min}, ${max}): empty range`);
    }
    return lo + floor(this.next() * (hi - lo + 1));
  }

  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new RangeError('pick from an empty array');
    return xs[floor(this.next() * xs.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Seeded PRNG; `int` is inclusive on both ends. */
export function createRng(seed: number): Rng {
  return new Mulberry32(normalizeSeed(seed));
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Derives an independent 32-bit seed for sub-stream (a, b) of a normalised seed. */
export function deriveSeed(seed: number, a: number, b = 0): number {
  let h = fmix32((seed ^ 0x9e3779b9) >>> 0);
  h = fmix32((h ^ imul(a + 1, 0x27d4eb2f)) >>> 0);
  h = fmix32((h ^ imul(b + 1, 0x165667b1)) >>> 0);
  return h;
}
