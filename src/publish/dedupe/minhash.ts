/**
 * MinHash signatures and LSH band keys over character shingles, in 32-bit integer arithmetic
 * (`Math.imul`, `>>> 0`): no floating point, no BigInt, the same numbers on every machine.
 *
 * The seeds are part of the index's format: signatures made with other seeds cannot be compared.
 * They are derived from `MINHASH_VERSION`; change the version (and re-index) to change them.
 *
 *   shingleHashes('借呗逾期三天', 5) → Uint32Array [h('借呗逾期三'), h('呗逾期三天')]
 *   minhashSignature(hashes)       → Uint32Array(128): per permutation, the least mixed hash
 *   bandKeys(signature, shape)     → one key per band (42 × 3 by default): band * 2^32 + hash of its rows
 */

/** Bump when the seeds, the mixing or the shingle hash change: stored band keys become invalid. */
export const MINHASH_VERSION = 1;
export const PERMUTATIONS = 128;

/** murmur3's 32-bit finalizer: a bijection of the 32-bit integers with full avalanche. */
export function fmix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** splitmix32: the seed stream. */
function seedStream(start: number): () => number {
  let state = start >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    return fmix32(state);
  };
}

function makeSeeds(version: number, count: number): Uint32Array {
  const next = seedStream(Math.imul(version, 0x5bd1e995) ^ 0x6d696e68);
  const seeds = new Uint32Array(count);
  for (let i = 0; i < count; i++) seeds[i] = next();
  return seeds;
}

/** One seed per permutation, fixed by `MINHASH_VERSION`. */
export const SEEDS: Readonly<Uint32Array> = makeSeeds(MINHASH_VERSION, PERMUTATIONS);

/** The code points of a string (canonical text may hold letters outside the BMP). */
export function codePoints(text: string): Uint32Array {
  const out = new Uint32Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i) as number;
    out[n++] = c;
    if (c > 0xffff) i++;
  }
  return out.subarray(0, n);
}

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** murmur3_32 over `length` code points starting at `start`. */
function hashCodePoints(points: Uint32Array, start: number, length: number, seed: number): number {
  let h = seed | 0;
  for (let i = start; i < start + length; i++) {
    let k = Math.imul(points[i] as number, C1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, C2);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix32(h ^ length);
}

/**
 * Hashes of the text's character `k`-shingles (`k` consecutive code points, sliding by one), in
 * text order with repeats. A text shorter than `k` is one shingle. Empty text has none.
 */
export function shingleHashes(text: string, k: number): Uint32Array {
  const points = codePoints(text);
  if (points.length === 0) return new Uint32Array(0);
  if (points.length <= k) return Uint32Array.of(hashCodePoints(points, 0, points.length, 0x5eed));
  const out = new Uint32Array(points.length - k + 1);
  for (let i = 0; i < out.length; i++) out[i] = hashCodePoints(points, i, k, 0x5eed);
  return out;
}

/**
 * The text's set of `k`-shingles as strings: the reference the tests and the bench measure real
 * Jaccard with (`jaccard`); the publisher compares hashed shingles (`shingleJaccard`).
 */
export function shingleSet(text: string, k: number): Set<string> {
  const chars = Array.from(text);
  const set = new Set<string>();
  if (chars.length === 0) return set;
  if (chars.length <= k) {
    set.add(chars.join(''));
    return set;
  }
  for (let i = 0; i + k <= chars.length; i++) set.add(chars.slice(i, i + k).join(''));
  return set;
}

/** |A ∩ B| / |A ∪ B|; two empty sets are not similar (0). */
export function jaccard<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let common = 0;
  for (const item of small) if (large.has(item)) common++;
  return common / (a.size + b.size - common);
}

/**
 * The MinHash signature of a set of shingle hashes: for each permutation `i`, the least value of
 * `fmix32(h ^ SEEDS[i])` over the shingles. Repeats do not matter (the minimum is the same).
 * Empty input gives all 0xffffffff, which `bandKeys` callers must not index.
 */
export function minhashSignature(hashes: Uint32Array, permutations = PERMUTATIONS): Uint32Array {
  const sig = new Uint32Array(permutations).fill(0xffffffff);
  const seeds = permutations === PERMUTATIONS ? SEEDS : makeSeeds(MINHASH_VERSION, permutations);
  for (let s = 0; s < hashes.length; s++) {
    const h = hashes[s] as number;
    for (let i = 0; i < permutations; i++) {
      // fmix32 inlined: this loop is the cost of a signature.
      let x = h ^ (seeds[i] as number);
      x ^= x >>> 16;
      x = Math.imul(x, 0x85ebca6b);
      x ^= x >>> 13;
      x = Math.imul(x, 0xc2b2ae35);
      x ^= x >>> 16;
      x >>>= 0;
      if (x < (sig[i] as number)) sig[i] = x;
    }
  }
  return sig;
}

/** Share of equal positions: an estimate of the Jaccard similarity of the two shingle sets. */
export function estimatedJaccard(a: Uint32Array, b: Uint32Array): number {
  const n = Math.min(a.length, b.length);
  let same = 0;
  for (let i = 0; i < n; i++) if (a[i] === b[i]) same++;
  return n === 0 ? 0 : same / n;
}

export interface LshShape {
  bands: number;
  rows: number;
}

/** A band key is `band * BAND_SPAN + hash`: the band is `Math.floor(key / BAND_SPAN)`. */
export const BAND_SPAN = 2 ** 32;

/**
 * One key per band: `band * 2^32 + murmur(band's rows)`. Below 2^53, so an exact JS number and a
 * SQL BIGINT. Two documents are candidates when any key is equal.
 */
export function bandKeys(signature: Uint32Array, shape: LshShape): number[] {
  if (shape.bands * shape.rows > signature.length)
    throw new Error(
      `LSH ${shape.bands}×${shape.rows} needs ${shape.bands * shape.rows} values, signature has ${signature.length}`,
    );
  const keys: number[] = [];
  for (let b = 0; b < shape.bands; b++) {
    const hash = hashCodePoints(signature, b * shape.rows, shape.rows, 0xb4d5 + b);
    keys.push(b * BAND_SPAN + hash);
  }
  return keys;
}

/** Probability that a pair of Jaccard `s` shares at least one band: 1 − (1 − s^r)^b. */
export function candidateProbability(s: number, shape: LshShape): number {
  return 1 - (1 - s ** shape.rows) ** shape.bands;
}
