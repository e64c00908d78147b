// A tiny seeded PRNG (mulberry32) so the sandbox lists are byte-identical on every run and platform.
// Only 32-bit integer arithmetic (Math.imul, >>>) is used, which JavaScript defines exactly.

export interface Random {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** One element, uniformly. Throws on an empty list. */
  pick<T>(items: readonly T[]): T;
  /** True with the given probability (0 → never, 1 → always). */
  chance(probability: number): boolean;
  /** One element, with probability proportional to its `weight`. */
  weighted<T extends { readonly weight: number }>(items: readonly T[]): T;
}

/** A 32-bit seed from any parts (FNV-1a, then a final mix); parts are separated so ('a','bc') ≠ ('ab','c'). */
export function hashSeed(...parts: readonly (string | number)[]): number {
  const text = parts.map(String).join('\u001f');
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  // murmur3 finaliser: FNV alone leaves near-identical seeds for near-identical inputs
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;

  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  const int = (min: number, max: number): number => {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
      throw new RangeError(`int(${min}, ${max}): bounds must be integers with min ≤ max`);
    }
    return min + Math.floor(next() * (max - min + 1));
  };

  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new RangeError('pick() from an empty list');
    return items[int(0, items.length - 1)] as T;
  };

  const weighted = <T extends { readonly weight: number }>(items: readonly T[]): T => {
    const total = items.reduce((sum, item) => sum + item.weight, 0);
    if (!(total > 0)) throw new RangeError('weighted() needs a positive total weight');
    let roll = next() * total;
    for (const item of items) {
      roll -= item.weight;
      if (roll < 0) return item;
    }
    return items[items.length - 1] as T; // float rounding can leave roll at exactly 0
  };

  return { next, int, pick, chance: (probability) => next() < probability, weighted };
}
