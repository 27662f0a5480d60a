/**
 * Whether a candidate the LSH layer found is a copy (after a quick no for those whose MinHash
 * estimate is far below: `estimateFloor`): the real Jaccard of the two shingle sets at
 * or above `threshold`; or, for a rewrite edited in place (words swapped, sentences added, dropped
 * or swapped with a neighbour), a Jaccard at or above `rewriteThreshold` whose shared shingles
 * largely come in the same order. Different articles on one topic share whole sentences too, but
 * in another order and among other sentences: that order is what tells them apart below 0.5.
 *
 *   copySimilarity(original, rewrite)  → 0.46   (Jaccard 0.46, ordered 0.33)
 *   copySimilarity(original, sameTopic) → null  (Jaccard 0.31, ordered 0.19)
 */
import { DEDUPE_DEFAULTS, type DedupeOptions, type Fingerprint, shingleJaccard } from './fingerprint.js';
import { estimatedJaccard } from './minhash.js';

/** Distinct values of `sequence`, in order of first appearance. */
function firstOccurrences(sequence: Uint32Array): { values: number[]; position: Map<number, number> } {
  const position = new Map<number, number>();
  const values: number[] = [];
  for (const value of sequence)
    if (!position.has(value)) {
      position.set(value, values.length);
      values.push(value);
    }
  return { values, position };
}

/**
 * Shingles the two texts share in the same order (the longest increasing run of `b`'s positions
 * of `a`'s shingles, each shingle at its first occurrence) over the union of their shingles: at
 * most their Jaccard, equal to it when nothing moved. O(n log n).
 */
export function orderedJaccard(a: Uint32Array, b: Uint32Array): number {
  const first = firstOccurrences(a);
  const second = firstOccurrences(b);
  if (first.values.length === 0 || second.values.length === 0) return 0;
  // Patience sorting: tails[k] is the least last position of an increasing run of length k + 1.
  const tails: number[] = [];
  for (const value of first.values) {
    const at = second.position.get(value);
    if (at === undefined) continue;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((tails[mid] as number) < at) lo = mid + 1;
      else hi = mid;
    }
    tails[lo] = at;
  }
  const inOrder = tails.length;
  return inOrder / (first.values.length + second.values.length - inOrder);
}

/** The Jaccard of a candidate that is a copy of `fp`; null when it is not one. */
export function copySimilarity(
  fp: Fingerprint,
  candidate: Fingerprint,
  options: DedupeOptions = DEDUPE_DEFAULTS,
): number | null {
  if (
    fp.signature.length > 0 &&
    candidate.signature.length > 0 &&
    estimatedJaccard(fp.signature, candidate.signature) < options.estimateFloor
  )
    return null;
  const similarity = shingleJaccard(fp.shingles, candidate.shingles);
  if (similarity >= options.threshold) return similarity;
  if (similarity < options.rewriteThreshold) return null;
  return orderedJaccard(fp.sequence, candidate.sequence) >= options.orderedThreshold ? similarity : null;
}
