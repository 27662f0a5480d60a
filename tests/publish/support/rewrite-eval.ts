/**
 * Dedupe on generated rewrites and near-topic articles (tests/support/rewrite-generator.ts), with
 * the in-memory index of `dedupe-eval.ts`: how many rewrites at each Jaccard find their original,
 * and how many different articles on one topic are merged. Used by tests/publish/dedupe.test.ts
 * and bench/dedupe.ts (`npm run eval:dedupe`).
 *
 * Per original: the article is indexed; two near-topic articles (same product, institution and
 * title template) are looked up (any match is a false merge) and indexed too; then rewrites of
 * the original at four strengths, every other one in Traditional (Taiwan), are looked up: found
 * when the original is among the verified matches, wrong when anything else is.
 */
import { fromHans } from '../../../src/normalize/script/convert.js';
import { DEDUPE_DEFAULTS, type DedupeOptions, fingerprint } from '../../../src/publish/dedupe/fingerprint.js';
import { jaccard, shingleSet } from '../../../src/publish/dedupe/minhash.js';
import { generateArticle } from '../../support/article-generator.js';
import { nearTopicSeeds, rewriteArticle } from '../../support/rewrite-generator.js';
import { MemoryIndex } from './dedupe-eval.js';

export const REWRITE_STRENGTHS = [0.3, 0.55, 0.8, 1] as const;
/** Jaccard ranges reported: [from, to). */
export const JACCARD_BUCKETS = [
  [0.3, 0.4],
  [0.4, 0.5],
  [0.5, 0.6],
  [0.6, 0.7],
  [0.7, 1.01],
] as const;

export interface Tally {
  pairs: number;
  found: number;
  /** Lookups that matched a document other than the original. */
  wrong: number;
}

export interface RewriteEval {
  options: DedupeOptions;
  originals: number;
  buckets: (Tally & { from: number; to: number })[];
  /** Rewrites at or above the threshold: the copies that must be found. */
  copies: Tally;
  /** Rewrites at Jaccard 0.4–0.7, the lightly edited ones. */
  light: Tally;
  nearTopic: { lookups: number; falseMerges: number; candidates: number; maxJaccard: number };
}

const tally = (): Tally => ({ pairs: 0, found: 0, wrong: 0 });

/**
 * `background` other generated articles are indexed first: a store already full of similar
 * articles, which compete with the original for the `maxCandidates` places of a lookup.
 */
export function evaluateRewrites(
  originals: number,
  options: DedupeOptions = DEDUPE_DEFAULTS,
  firstSeed = 300_000,
  background = 0,
): RewriteEval {
  const index = new MemoryIndex(options);
  for (let i = 0; i < background; i++)
    index.add(fingerprint(generateArticle(50_000_000 + i).paragraphs, options));
  const buckets = JACCARD_BUCKETS.map(([from, to]) => ({ from, to, ...tally() }));
  const copies = tally();
  const light = tally();
  const nearTopic = { lookups: 0, falseMerges: 0, candidates: 0, maxJaccard: 0 };
  const shingles = (text: string) => shingleSet(text, options.shingle);

  for (let i = 0; i < originals; i++) {
    // Originals spaced apart so that near-topic seeds of one are not another's original.
    const seed = firstSeed + i * 10_007;
    const article = generateArticle(seed);
    const original = fingerprint(article.paragraphs, options);
    const originalShingles = shingles(original.canonical);
    const doc = index.add(original);
    for (const other of nearTopicSeeds(seed, 2)) {
      const fp = fingerprint(generateArticle(other).paragraphs, options);
      const result = index.lookup(fp);
      nearTopic.lookups++;
      nearTopic.candidates += result.candidates;
      if (result.matches.length > 0) nearTopic.falseMerges++;
      nearTopic.maxJaccard = Math.max(
        nearTopic.maxJaccard,
        jaccard(originalShingles, shingles(fp.canonical)),
      );
      index.add(fp);
    }
    REWRITE_STRENGTHS.forEach((strength, k) => {
      const rewrite = rewriteArticle(article, { seed: k, strength });
      const paragraphs = k % 2 ? rewrite.paragraphs.map((p) => fromHans(p, 'tw')) : rewrite.paragraphs;
      const fp = fingerprint(paragraphs, options);
      const similarity = jaccard(originalShingles, shingles(fp.canonical));
      const { matches } = index.lookup(fp);
      const found = matches.includes(doc);
      const wrong = matches.some((m) => m !== doc);
      const into = [
        buckets.find((b) => similarity >= b.from && similarity < b.to),
        similarity >= options.threshold ? copies : undefined,
        similarity >= 0.4 && similarity < 0.7 ? light : undefined,
      ];
      for (const t of into) {
        if (!t) continue;
        t.pairs++;
        if (found) t.found++;
        if (wrong) t.wrong++;
      }
    });
  }
  return { options, originals, buckets, copies, light, nearTopic };
}

const pct = (n: number, d: number) => (d === 0 ? '—' : `${((100 * n) / d).toFixed(1)} %`);

export function formatRewriteEval(result: RewriteEval): string {
  const o = result.options;
  const lines = [
    `k=${o.shingle}, LSH ${o.bands}×${o.rows}, threshold ${o.threshold}: ${result.originals} originals, ${REWRITE_STRENGTHS.length} rewrites each (half in Traditional)`,
  ];
  for (const b of result.buckets)
    lines.push(
      `  rewrites at Jaccard ${b.from.toFixed(1)}–${Math.min(b.to, 1).toFixed(1)}   found ${b.found}/${b.pairs} (${pct(b.found, b.pairs)})   matched another article ${b.wrong}`,
    );
  const c = result.copies;
  lines.push(
    `  copies (Jaccard ≥ ${o.threshold})          found ${c.found}/${c.pairs} (${pct(c.found, c.pairs)})   matched another article ${c.wrong}`,
  );
  const l = result.light;
  lines.push(
    `  rewrites at Jaccard 0.4–0.7   found ${l.found}/${l.pairs} (${pct(l.found, l.pairs)})   matched another article ${l.wrong}`,
  );
  const n = result.nearTopic;
  lines.push(
    `  near-topic articles        merged ${n.falseMerges}/${n.lookups}   candidates/lookup ${(n.candidates / Math.max(1, n.lookups)).toFixed(2)}   max Jaccard with the original ${n.maxJaccard.toFixed(3)}`,
  );
  return lines.join('\n');
}
