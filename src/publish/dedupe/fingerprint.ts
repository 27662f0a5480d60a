/**
 * What the dedupe index knows of a document: its canonical text's exact hash, its LSH band keys
 * and its shingle set, all computed from the record's paragraphs.
 *
 * Canonical text is `canonicalText` of the record (the Simplified fold of each character, letters
 * and digits only), so a Traditional copy of a Simplified page canonicalizes to (nearly) the same
 * string: measured on generated articles, 5-gram Jaccard of a `tw` copy is ≥ 0.975 after folding
 * and 0.04–0.11 before (bench/publish.ts, tests/publish/dedupe.test.ts).
 *
 *   fingerprint(['借唄逾期三天會怎樣？']) → { canonical: '借呗逾期三天会怎样', exactHash: '…16 hex…',
 *                                           bandKeys: [42 numbers], shingles: sorted unique Uint32Array }
 */
import { canonicalText, hash64 } from '../../normalize/index.js';
import {
  bandKeys,
  type LshShape,
  MINHASH_VERSION,
  minhashSignature,
  PERMUTATIONS,
  shingleHashes,
} from './minhash.js';

export interface DedupeOptions {
  /** Characters per shingle. */
  shingle: number;
  /** LSH shape: `bands × rows` values of the signature are used, at most `PERMUTATIONS`. */
  bands: number;
  rows: number;
  /** A candidate is a duplicate when the real Jaccard of the shingle sets is at least this. */
  threshold: number;
  /**
   * Or when its Jaccard is at least `rewriteThreshold` and its shared shingles in the same order
   * (`orderedJaccard`) reach `orderedThreshold`: a rewrite, edited in place (see verify.ts).
   */
  rewriteThreshold: number;
  orderedThreshold: number;
  /**
   * Candidates whose MinHash estimate of the Jaccard is below this are not verified (the estimate
   * costs 128 comparisons, the real Jaccard a pass over both shingle sets). At Jaccard 0.4 the
   * estimate's standard deviation is 0.043: 0.25 is 3.5 of them below.
   */
  estimateFloor: number;
  /** Candidates verified per lookup at most (those sharing the most bands first). */
  maxCandidates: number;
  /** Canonical texts shorter than this are matched only exactly (too few shingles to compare). */
  minNearLength: number;
}

/**
 * Chosen by measurement on generated pairs and rewrites (`npm run eval:dedupe`, `npm run
 * bench:publish` section 1; tests/publish/dedupe.test.ts checks the same):
 * - 5-grams over 4-grams: unrelated articles on the same product score lower (max 0.28 against
 *   0.30) while every kind of copy stays far above the threshold either way.
 * - threshold 0.5: near-topic articles (same product, institution and lead theme) score ≤ 0.33,
 *   copies with deleted words, boilerplate or two dropped paragraphs ≥ 0.70, Traditional copies
 *   fold back to ≥ 0.975; lightly edited rewrites spread over 0.4–0.7.
 * - rewrites between 0.4 and 0.5 as well, when at least 0.25 is shared in the same order: such
 *   rewrites score ≥ 0.29 on that, near-topic articles ≤ 0.20 (and ≤ 0.33 on Jaccard).
 * - 42 bands × 3 rows (126 of the 128 values): a pair at Jaccard 0.5 becomes a candidate with
 *   probability 1 − (1 − 0.5³)⁴² = 99.6 % (24 × 5, the previous shape: 53 %; at 0.6, 86 %). The
 *   price: more candidates to verify (near-topic articles at 0.2 are candidates 29 % of the time)
 *   and 42 band rows per canonical record instead of 24.
 * - 256 candidates verified at most: with 8,000 same-genre articles indexed, a rewrite at 0.4–0.5
 *   shares too few keys to be among the first 64 one time in twelve (found 92 %, 96 % with 256);
 *   verifying a candidate is mostly a 128-value estimate from the publisher's cache.
 */
export const DEDUPE_DEFAULTS: Readonly<DedupeOptions> = {
  shingle: 5,
  bands: 42,
  rows: 3,
  threshold: 0.5,
  rewriteThreshold: 0.4,
  orderedThreshold: 0.25,
  estimateFloor: 0.25,
  maxCandidates: 256,
  minNearLength: 24,
};

/** Stored with the index: an index built with other parameters cannot be searched with these. */
export function indexFormat(options: DedupeOptions = DEDUPE_DEFAULTS): string {
  return `minhash-v${MINHASH_VERSION}/p${PERMUTATIONS}/k${options.shingle}/b${options.bands}x${options.rows}`;
}

/**
 * Formats earlier releases used by default. A store whose index is in one of them is re-indexed
 * (its band rows rebuilt from the canonical records' stored text) by the first publisher that
 * opens it with today's defaults; any other difference is refused (see `createPublisher`).
 */
export const PREVIOUS_DEFAULT_FORMATS: readonly string[] = ['minhash-v1/p128/k5/b24x5'];

export interface Fingerprint {
  canonical: string;
  /** 64-bit hash of the canonical text (16 hex digits); `null` for a document without text. */
  exactHash: string | null;
  /** LSH keys; empty when the text is too short for the near layer. */
  bandKeys: number[];
  /** Sorted, distinct 32-bit hashes of the canonical text's shingles. */
  shingles: Uint32Array;
  /** The same hashes in text order, with repeats (for `orderedJaccard`). */
  sequence: Uint32Array;
  /** The MinHash signature; empty when the text is too short for the near layer (or `comparable`). */
  signature: Uint32Array;
}

function sortedUnique(values: Uint32Array): Uint32Array {
  const sorted = Uint32Array.from(values).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++)
    if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i] as number;
  return sorted.subarray(0, n);
}

export function fingerprint(
  paragraphs: readonly string[],
  options: DedupeOptions = DEDUPE_DEFAULTS,
): Fingerprint {
  const text = comparable(paragraphs, options);
  if (text.canonical.length < options.minNearLength) return text;
  const shape: LshShape = { bands: options.bands, rows: options.rows };
  const signature = minhashSignature(text.sequence);
  return { ...text, bandKeys: bandKeys(signature, shape), signature };
}

/** A fingerprint without the MinHash signature and band keys (most of a fingerprint's cost). */
export function comparable(
  paragraphs: readonly string[],
  options: DedupeOptions = DEDUPE_DEFAULTS,
): Fingerprint {
  const canonical = canonicalText(paragraphs);
  if (canonical.length === 0)
    return {
      canonical,
      exactHash: null,
      bandKeys: [],
      shingles: new Uint32Array(0),
      sequence: new Uint32Array(0),
      signature: new Uint32Array(0),
    };
  const hashes = shingleHashes(canonical, options.shingle);
  return {
    canonical,
    // The same hash as the record's `content_hash`, over the same canonical text.
    exactHash: hash64(canonical),
    bandKeys: [],
    shingles: sortedUnique(hashes),
    sequence: hashes,
    signature: new Uint32Array(0),
  };
}

/**
 * Jaccard similarity of two sorted distinct shingle-hash sets: the real similarity of the shingle
 * sets, up to 32-bit hash collisions (for 1,000-shingle texts, ~1 pair in 10^4 has one, which
 * moves the result by 0.001).
 */
export function shingleJaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 || b.length === 0) return 0;
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      common++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return common / (a.length + b.length - common);
}
