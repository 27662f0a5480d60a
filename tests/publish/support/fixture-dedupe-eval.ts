/**
 * Dedupe on the fixture web: every article page of its three sites (gbk-farm and big5-portal
 * carry the same articles, Simplified and Traditional, with other faults; ruby-blog its own) and
 * of a rewrite farm beside it (tests/support/rewrite-farm.ts: a lightly edited rewrite of each
 * article, and near-topic articles), fetched over HTTP, repaired by the normalizer, and published
 * in a shuffled order into a real store. Then, per article (a seed), its pages' records should all
 * point at one canonical record, and no canonical record should hold two articles.
 *
 * Used by bench/dedupe.ts (`npm run eval:dedupe`) and tests/publish/dedupe.test.ts.
 */

import { normalizeDocument } from '../../../src/normalize/pipeline.js';
import { canonicalText } from '../../../src/normalize/record.js';
import type { DedupeOptions } from '../../../src/publish/dedupe/fingerprint.js';
import { jaccard, shingleSet } from '../../../src/publish/dedupe/minhash.js';
import { createPublisher } from '../../../src/publish/publisher.js';
import type { Store } from '../../../src/publish/store/store.js';
import type { CleanRecord } from '../../../src/records/clean.js';
import { Rng } from '../../support/article-generator.js';
import { startFixtureWeb } from '../../support/fixture-web/index.js';
import { startRewriteFarm } from '../../support/rewrite-farm.js';

/** One fetched and repaired page, and which article it shows. */
export interface FixturePage {
  record: CleanRecord;
  /** The article's seed: pages with the same seed are copies of one article. */
  seed: number;
  kind: 'original' | 'script-copy' | 'rewrite' | 'near-topic';
}

export interface FixtureCorpus {
  pages: FixturePage[];
  /** 5-gram Jaccard of each rewrite with its original, after repair (Simplified fold). */
  rewriteJaccard: number[];
  /** The same for each Traditional copy. */
  scriptCopyJaccard: number[];
}

async function fetchPage(url: string): Promise<CleanRecord> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const body = new Uint8Array(await response.arrayBuffer());
  return normalizeDocument({
    url,
    source: new URL(url).host,
    body,
    contentType: response.headers.get('content-type') ?? undefined,
  });
}

const similarity = (a: CleanRecord, b: CleanRecord) =>
  jaccard(shingleSet(canonicalText(a.paragraphs), 5), shingleSet(canonicalText(b.paragraphs), 5));

/** Serves the fixture web and the rewrite farm, fetches and repairs every article page. */
export async function fixtureCorpus(articlesPerSite: number): Promise<FixtureCorpus> {
  const web = await startFixtureWeb({ articlesPerSite, brokenPages: false });
  const originals = web.truth.filter((t) => t.site !== 'big5-portal' && t.allowed && t.reachable);
  const farm = await startRewriteFarm(originals.map((t) => ({ seed: t.seed })));
  try {
    const pages: FixturePage[] = [];
    const originalOf = new Map<number, CleanRecord>();
    for (const article of web.truth.filter((t) => t.allowed && t.reachable)) {
      const record = await fetchPage(article.url);
      const kind = article.site === 'big5-portal' ? 'script-copy' : 'original';
      if (kind === 'original') originalOf.set(article.seed, record);
      pages.push({ record, seed: article.seed, kind });
    }
    for (const page of farm.pages)
      pages.push({ record: await fetchPage(page.url), seed: page.seed, kind: page.kind });
    const against = (kind: FixturePage['kind']) =>
      pages
        .filter((p) => p.kind === kind)
        .map((p) => similarity(originalOf.get(p.seed) as CleanRecord, p.record));
    return { pages, rewriteJaccard: against('rewrite'), scriptCopyJaccard: against('script-copy') };
  } finally {
    await farm.close();
    await web.close();
  }
}

export interface FixtureDedupeResult {
  /** Articles with more than one page, and those whose pages all point at one canonical record. */
  articles: number;
  resolved: number;
  /** Canonical records that hold pages of two or more articles, and the articles so merged. */
  falseMerges: number;
  mergedArticles: number;
  /** Pages that are not their article's canonical record, by kind: how many point at it. */
  byKind: Record<'script-copy' | 'rewrite', { pages: number; resolved: number }>;
  /** Near-topic articles kept apart (their own canonical record, holding nothing else). */
  nearTopic: { pages: number; apart: number };
}

/** Publishes the corpus into `store`, in a seeded shuffled order, and scores the result. */
export async function dedupeFixture(
  corpus: FixtureCorpus,
  store: Store,
  options: Partial<DedupeOptions> = {},
  order = 1,
): Promise<FixtureDedupeResult> {
  const publisher = await createPublisher(store, options);
  const pages = new Rng(order).shuffle(corpus.pages);
  for (const page of pages) await publisher.publish(page.record);
  const rootOf = new Map<string, string>();
  for (const page of pages) {
    const stored = await store.getRecord(page.record.id);
    if (!stored) throw new Error(`${page.record.url} was not stored`);
    rootOf.set(page.record.id, stored.duplicate_of ?? stored.id);
  }
  const seedsOfRoot = new Map<string, Set<number>>();
  const rootsOfSeed = new Map<number, Set<string>>();
  for (const page of pages) {
    const root = rootOf.get(page.record.id) as string;
    seedsOfRoot.set(root, (seedsOfRoot.get(root) ?? new Set()).add(page.seed));
    rootsOfSeed.set(page.seed, (rootsOfSeed.get(page.seed) ?? new Set()).add(root));
  }
  const multi = [...rootsOfSeed.keys()].filter((seed) => pages.filter((p) => p.seed === seed).length > 1);
  const merged = [...seedsOfRoot.values()].filter((seeds) => seeds.size > 1);
  const byKind = { 'script-copy': { pages: 0, resolved: 0 }, rewrite: { pages: 0, resolved: 0 } };
  const originalRoot = new Map(
    pages.filter((p) => p.kind === 'original').map((p) => [p.seed, rootOf.get(p.record.id)]),
  );
  for (const page of pages) {
    if (page.kind !== 'script-copy' && page.kind !== 'rewrite') continue;
    byKind[page.kind].pages++;
    if (rootOf.get(page.record.id) === originalRoot.get(page.seed)) byKind[page.kind].resolved++;
  }
  const near = pages.filter((p) => p.kind === 'near-topic');
  return {
    articles: multi.length,
    resolved: multi.filter((seed) => rootsOfSeed.get(seed)?.size === 1).length,
    falseMerges: merged.length,
    mergedArticles: merged.reduce((n, seeds) => n + seeds.size, 0),
    byKind,
    nearTopic: {
      pages: near.length,
      apart: near.filter((p) => seedsOfRoot.get(rootOf.get(p.record.id) as string)?.size === 1).length,
    },
  };
}

const pct = (n: number, d: number) => (d === 0 ? '—' : `${((100 * n) / d).toFixed(1)} %`);

export function formatFixtureDedupe(label: string, r: FixtureDedupeResult): string {
  return [
    `${label}: articles with copies resolved to one record ${r.resolved}/${r.articles} (${pct(r.resolved, r.articles)}); different articles merged ${r.mergedArticles} (in ${r.falseMerges} records)`,
    `    Traditional copies found ${r.byKind['script-copy'].resolved}/${r.byKind['script-copy'].pages}, rewrites found ${r.byKind.rewrite.resolved}/${r.byKind.rewrite.pages}, near-topic articles kept apart ${r.nearTopic.apart}/${r.nearTopic.pages}`,
  ].join('\n');
}
