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
 *                                           bandKeys: [24 numbers], shingles: sorted unique Uint32Array }
 */
import { canonicalText, hash64 } from '../../normalize/record.js';
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
  /** Candidates verified per lookup at most (those sharing the most bands first). */
  maxCandidates: number;
  /** Canonical texts shorter than this are matched only exactly (too few shingles to compare). */
  minNearLength: number;
}

/**
 * Chosen by measurement on generated pairs (`npm run bench:publish`, section 1; the test
 * tests/publish/dedupe.test.ts prints the same table):
 * - 5-grams over 4-grams: unrelated articles on the same product score lower (max 0.28 against
 *   0.30) while every kind of copy stays far above the threshold either way.
 * - threshold 0.5: between unrelated articles (≤ 0.30) and copies with deleted words, boilerplate
 *   or two dropped paragraphs (≥ 0.70); Traditional copies fold back to ≥ 0.975.
 * - 24 bands × 5 rows rather than 20 × 6: truncated copies (the first 60 % of an article, Jaccard
 *   ~0.59) that pass verification are found 81 % of the time instead of 65 %, for 0.19 rather than
 *   0.03 (verified and rejected) candidates per lookup among 300 templated articles.
 */
export const DEDUPE_DEFAULTS: Readonly<DedupeOptions> = {
  shingle: 5,
  bands: 24,
  rows: 5,
  threshold: 0.5,
  maxCandidates: 64,
  minNearLength: 24,
};

/** Stored with the index: an index built with other parameters cannot be searched with these. */
export function indexFormat(options: DedupeOptions = DEDUPE_DEFAULTS): string {
  return `minhash-v${MINHASH_VERSION}/p${PERMUTATIONS}/k${options.shingle}/b${options.bands}x${options.rows}`;
}

export interface Fingerprint {
  canonical: string;
  /** 64-bit hash of the canonical text (16 hex digits); `null` for a document without text. */
  exactHash: string | null;
  /** LSH keys; empty when the text is too short for the near layer. */
  bandKeys: number[];
  /** Sorted, distinct 32-bit hashes of the canonical text's shingles. */
  shingles: Uint32Array;
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
  const canonical = canonicalText(paragraphs);
  if (canonical.length === 0)
    return { canonical, exactHash: null, bandKeys: [], shingles: new Uint32Array(0) };
  const hashes = shingleHashes(canonical, options.shingle);
  const shape: LshShape = { bands: options.bands, rows: options.rows };
  const near = canonical.length >= options.minNearLength;
  return {
    canonical,
    // The same hash as the record's `content_hash`, over the same canonical text.
    exactHash: hash64(canonical),
    bandKeys: near ? bandKeys(minhashSignature(hashes), shape) : [],
    shingles: sortedUnique(hashes),
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
