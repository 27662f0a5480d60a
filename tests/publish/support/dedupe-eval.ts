/**
 * Measures the dedupe layers on generated pairs, with an in-memory LSH index built from the same
 * fingerprints the store indexes: for each kind of copy, how often the original is found (a
 * candidate verified at or above the threshold); for unrelated articles, how often anything is.
 * Used by tests/publish/dedupe.test.ts and bench/publish.ts.
 */
import { canonicalText } from '../../../src/normalize/record.js';
import {
  DEDUPE_DEFAULTS,
  type DedupeOptions,
  type Fingerprint,
  fingerprint,
} from '../../../src/publish/dedupe/fingerprint.js';
import { jaccard, shingleSet } from '../../../src/publish/dedupe/minhash.js';
import { copySimilarity } from '../../../src/publish/dedupe/verify.js';
import { generateArticle, PRODUCTS } from '../../support/article-generator.js';
import { makeRecord, type RecordSpec } from './records.js';

export const COPY_KINDS = [
  'tw',
  'hant',
  'hk',
  'deleted-words',
  'boilerplate',
  'dropped-paragraphs',
  'truncated',
] as const;
export type CopyKind = (typeof COPY_KINDS)[number];

export interface KindResult {
  pairs: number;
  found: number;
  /** Pairs whose real Jaccard reaches the threshold (what verification accepts), and those found. */
  verifiable: number;
  foundVerifiable: number;
  /** Real Jaccard of the pairs (shingle strings, not hashes). */
  jaccard: { min: number; p1: number; median: number; max: number };
}

export interface DedupeEval {
  options: DedupeOptions;
  copies: Record<CopyKind, KindResult>;
  /** Unrelated articles looked up: how many matched something (false positives). */
  unrelated: { lookups: number; falsePositives: number; candidates: number; maxJaccardSameProduct: number };
}

function specFor(seed: number, kind: CopyKind): RecordSpec {
  if (kind === 'tw' || kind === 'hant' || kind === 'hk') return { seed, site: 'copy.example', script: kind };
  return { seed, site: 'copy.example', edit: kind };
}

function summary(values: number[]): KindResult['jaccard'] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { min: at(0), p1: at(0.01), median: at(0.5), max: sorted.at(-1) ?? 0 };
}

function productOf(title: string): string | undefined {
  return PRODUCTS.find((p) => title.includes(p));
}

/**
 * The store's near layer in memory: band key → documents, candidates ranked by shared keys (at
 * most `maxCandidates`, as the store's query), each verified by the real Jaccard of the shingles.
 */
export class MemoryIndex {
  private readonly bands = new Map<number, number[]>();
  readonly docs: Fingerprint[] = [];

  constructor(readonly options: DedupeOptions = DEDUPE_DEFAULTS) {}

  add(fp: Fingerprint): number {
    const doc = this.docs.push(fp) - 1;
    for (const key of fp.bandKeys) this.bands.set(key, [...(this.bands.get(key) ?? []), doc]);
    return doc;
  }

  /** Band-key postings a lookup reads: what the store's query scans before ranking. */
  postings(fp: Fingerprint): number {
    return fp.bandKeys.reduce((n, key) => n + (this.bands.get(key)?.length ?? 0), 0);
  }

  /** Documents sharing a band key (`candidates`), and those verified as copies. */
  lookup(fp: Fingerprint): { candidates: number; matches: number[] } {
    const shared = new Map<number, number>();
    for (const key of fp.bandKeys)
      for (const doc of this.bands.get(key) ?? []) shared.set(doc, (shared.get(doc) ?? 0) + 1);
    const ranked = [...shared.entries()]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, this.options.maxCandidates);
    const matches = ranked
      .map(([doc]) => doc)
      .filter((d) => {
        const doc = this.docs[d] as Fingerprint;
        return doc.exactHash === fp.exactHash || copySimilarity(fp, doc, this.options) !== null;
      });
    return { candidates: shared.size, matches };
  }
}

/** Indexes `originals` articles, then looks up one copy of each kind per original and `unrelated` others. */
export function evaluateDedupe(
  originals: number,
  unrelated: number,
  options: DedupeOptions = DEDUPE_DEFAULTS,
  firstSeed = 1,
): DedupeEval {
  const docs: { fp: Fingerprint; canonical: string; product: string | undefined }[] = [];
  const index = new MemoryIndex(options);
  for (let i = 0; i < originals; i++) {
    const record = makeRecord({ seed: firstSeed + i });
    const fp = fingerprint(record.paragraphs, options);
    index.add(fp);
    docs.push({ fp, canonical: fp.canonical, product: productOf(record.title ?? '') });
  }
  const lookup = (fp: Fingerprint) => index.lookup(fp);

  const copies = {} as Record<CopyKind, KindResult>;
  for (const kind of COPY_KINDS) {
    let found = 0;
    let verifiable = 0;
    let foundVerifiable = 0;
    const similarities: number[] = [];
    for (let i = 0; i < originals; i++) {
      const copy = makeRecord(specFor(firstSeed + i, kind));
      const fp = fingerprint(copy.paragraphs, options);
      const original = docs[i];
      if (!original) continue;
      const similarity = jaccard(
        shingleSet(original.canonical, options.shingle),
        shingleSet(fp.canonical, options.shingle),
      );
      similarities.push(similarity);
      // Found: the exact layer matches, or the near layer verifies the original.
      const hit = fp.exactHash === original.fp.exactHash || lookup(fp).matches.includes(i);
      if (hit) found++;
      if (similarity >= options.threshold) {
        verifiable++;
        if (hit) foundVerifiable++;
      }
    }
    copies[kind] = { pairs: originals, found, verifiable, foundVerifiable, jaccard: summary(similarities) };
  }

  let falsePositives = 0;
  let candidates = 0;
  let maxJaccardSameProduct = 0;
  for (let i = 0; i < unrelated; i++) {
    const article = generateArticle(1_000_000 + firstSeed + i);
    const fp = fingerprint(article.paragraphs, options);
    const result = lookup(fp);
    candidates += result.candidates;
    if (result.matches.length > 0 || docs.some((d) => d.fp.exactHash === fp.exactHash)) falsePositives++;
    const product = productOf(article.title);
    const mine = shingleSet(canonicalText(article.paragraphs), options.shingle);
    for (const doc of docs)
      if (product && doc.product === product)
        maxJaccardSameProduct = Math.max(
          maxJaccardSameProduct,
          jaccard(mine, shingleSet(doc.canonical, options.shingle)),
        );
  }
  return {
    options,
    copies,
    unrelated: { lookups: unrelated, falsePositives, candidates, maxJaccardSameProduct },
  };
}

export function formatDedupeEval(result: DedupeEval): string {
  const { options: o } = result;
  const lines = [`k=${o.shingle}, LSH ${o.bands}×${o.rows}, threshold ${o.threshold}`];
  for (const [kind, r] of Object.entries(result.copies))
    lines.push(
      `  ${kind.padEnd(20)} found ${r.found}/${r.pairs} (of those ≥ threshold: ${r.foundVerifiable}/${r.verifiable})   Jaccard min ${r.jaccard.min.toFixed(3)} p1 ${r.jaccard.p1.toFixed(3)} median ${r.jaccard.median.toFixed(3)}`,
    );
  const u = result.unrelated;
  lines.push(
    `  unrelated            false positives ${u.falsePositives}/${u.lookups}   candidates/lookup ${(u.candidates / u.lookups).toFixed(2)}   max Jaccard, same product ${u.maxJaccardSameProduct.toFixed(3)}`,
  );
  return lines.join('\n');
}
