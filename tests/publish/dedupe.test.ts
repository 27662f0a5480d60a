/**
 * Dedupe: the MinHash/LSH primitives, and precision/recall on generated pairs — Traditional copies
 * of Simplified pages, copies with deleted words, boilerplate or dropped paragraphs must be found;
 * unrelated articles on the same topic must not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalText } from '../../src/normalize/record.js';
import { fromHans } from '../../src/normalize/script/convert.js';
import {
  DEDUPE_DEFAULTS,
  type Fingerprint,
  fingerprint,
  indexFormat,
  shingleJaccard,
} from '../../src/publish/dedupe/fingerprint.js';
import { FingerprintCache } from '../../src/publish/dedupe/fingerprint-cache.js';
import {
  bandKeys,
  candidateProbability,
  estimatedJaccard,
  fmix32,
  jaccard,
  minhashSignature,
  SEEDS,
  shingleHashes,
  shingleSet,
} from '../../src/publish/dedupe/minhash.js';
import { copySimilarity, orderedJaccard } from '../../src/publish/dedupe/verify.js';
import { createPublisher } from '../../src/publish/publisher.js';
import { generateArticle } from '../support/article-generator.js';
import { nearTopicSeeds, rewriteArticle, topicOf } from '../support/rewrite-generator.js';
import { COPY_KINDS, evaluateDedupe, formatDedupeEval } from './support/dedupe-eval.js';
import {
  dedupeFixture,
  type FixtureCorpus,
  fixtureCorpus,
  formatFixtureDedupe,
} from './support/fixture-dedupe-eval.js';
import { makeRecord } from './support/records.js';
import { evaluateRewrites, formatRewriteEval } from './support/rewrite-eval.js';
import { BACKENDS, rawQuery, StoreFactory } from './support/stores.js';

describe('MinHash primitives', () => {
  it('mixes with murmur3’s finalizer and fixed seeds (changing either needs a new MINHASH_VERSION)', () => {
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
    expect(SEEDS).toHaveLength(128);
    expect(new Set(SEEDS).size).toBe(128);
    expect([...SEEDS.slice(0, 4)].map((s) => s.toString(16))).toMatchInlineSnapshot(`
      [
        "93953200",
        "b49f93a5",
        "661152df",
        "5d67bb78",
      ]
    `);
    expect(indexFormat()).toBe('minhash-v1/p128/k5/b42x3');
  });

  it('shingles by code point, one shingle for short text, none for empty', () => {
    expect(shingleHashes('', 5)).toHaveLength(0);
    expect(shingleHashes('借呗', 5)).toHaveLength(1);
    expect(shingleHashes('借呗逾期三天', 5)).toHaveLength(2);
    expect(shingleHashes('𠀀𠀁𠀂𠀃𠀄𠀅', 5)).toHaveLength(2);
    expect([...shingleSet('借呗逾期三天', 5)]).toEqual(['借呗逾期三', '呗逾期三天']);
    // The same text always gives the same signature; repeats do not change it.
    const hashes = shingleHashes('借呗逾期三天会怎样', 5);
    const a = minhashSignature(hashes);
    expect(minhashSignature(shingleHashes('借呗逾期三天会怎样', 5))).toEqual(a);
    expect(minhashSignature(Uint32Array.of(...hashes, ...hashes.reverse()))).toEqual(a);
  });

  it('estimates Jaccard without bias (error within what 128 permutations allow)', () => {
    const errors: number[] = [];
    for (let s = 1; s <= 60; s++) {
      const a = canonicalText(generateArticle(s).paragraphs);
      // Pairs from unrelated to identical: a prefix of one article followed by another.
      const b =
        a.slice(0, Math.floor((a.length * (s % 10)) / 10)) +
        canonicalText(generateArticle(s + 500).paragraphs);
      const real = jaccard(shingleSet(a, 5), shingleSet(b, 5));
      errors.push(
        estimatedJaccard(minhashSignature(shingleHashes(a, 5)), minhashSignature(shingleHashes(b, 5))) - real,
      );
    }
    const mean = errors.reduce((x, y) => x + y, 0) / errors.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    // sqrt(J(1-J)/128) ≤ 0.044; 4 standard deviations.
    expect(Math.max(...errors.map(Math.abs))).toBeLessThan(0.18);
  });

  it('makes LSH band keys that are exact JS numbers, one per band', () => {
    const keys = bandKeys(minhashSignature(shingleHashes('借呗逾期三天会怎样', 5)), { bands: 24, rows: 5 });
    expect(keys).toHaveLength(24);
    keys.forEach((key, band) => {
      expect(Number.isSafeInteger(key)).toBe(true);
      expect(Math.floor(key / 2 ** 32)).toBe(band);
    });
    expect(() => bandKeys(new Uint32Array(128), { bands: 30, rows: 5 })).toThrow(/needs 150/);
    expect(candidateProbability(0.5, { bands: 24, rows: 5 })).toBeCloseTo(0.533, 2);
    // The default shape finds a pair at the threshold 99 % of the time.
    expect(candidateProbability(0.5, DEDUPE_DEFAULTS)).toBeGreaterThan(0.99);
    expect(candidateProbability(0.8, DEDUPE_DEFAULTS)).toBeGreaterThan(0.9999);
  });

  it('fingerprints canonical text: script and punctuation do not matter', () => {
    const paragraphs = generateArticle(3).paragraphs;
    const hans = fingerprint(paragraphs);
    const tw = fingerprint(paragraphs.map((p) => fromHans(p, 'tw')));
    expect(shingleJaccard(hans.shingles, tw.shingles)).toBeGreaterThan(0.95);
    expect(fingerprint(['借呗，逾期三天!'])).toMatchObject({ canonical: '借呗逾期三天', bandKeys: [] });
    expect(fingerprint(['借唄，逾期三天!']).exactHash).toBe(fingerprint(['借呗逾期三天']).exactHash);
    expect(fingerprint([])).toMatchObject({ exactHash: null, bandKeys: [] });
    const long = fingerprint(['借呗逾期三天会怎样，这是很多用户都关心的问题，下面小编为大家详细介绍。']);
    expect(long.bandKeys).toHaveLength(DEDUPE_DEFAULTS.bands);
  });
});

describe('dedupe precision and recall on generated pairs', () => {
  it('finds every Traditional copy and edited copy, and no unrelated same-topic article (k=5 and k=4)', () => {
    const five = evaluateDedupe(120, 120);
    const four = evaluateDedupe(120, 120, { ...DEDUPE_DEFAULTS, shingle: 4 });
    console.info(`${formatDedupeEval(five)}\n${formatDedupeEval(four)}`);
    for (const result of [five, four]) {
      for (const kind of COPY_KINDS) {
        const r = result.copies[kind];
        // Script copies and deleted words: always; dropped paragraphs: nearly always (LSH misses
        // a pair of Jaccard ~0.7 with probability ~1 %).
        if (kind === 'truncated') {
          // 60 % of an article: Jaccard ~0.6, around the threshold; LSH finds most of those above it.
          expect(r.foundVerifiable / r.verifiable, kind).toBeGreaterThan(0.6);
          continue;
        }
        expect(r.found, kind).toBeGreaterThanOrEqual(kind === 'dropped-paragraphs' ? r.pairs - 3 : r.pairs);
      }
      expect(result.unrelated.falsePositives).toBe(0);
      expect(result.unrelated.maxJaccardSameProduct).toBeLessThan(DEDUPE_DEFAULTS.threshold - 0.1);
    }
    // Traditional copies fold back to (nearly) the same text.
    expect(five.copies.tw.jaccard.min).toBeGreaterThan(0.95);
    expect(five.copies.hk.jaccard.min).toBeGreaterThan(0.95);
    // The measurement behind k=5: unrelated articles share fewer 5-grams than 4-grams.
    expect(five.unrelated.maxJaccardSameProduct).toBeLessThan(four.unrelated.maxJaccardSameProduct);
  }, 60_000);

  it('without the Simplified fold a Traditional copy would look unrelated', () => {
    const paragraphs = generateArticle(5).paragraphs;
    const plain = (ps: string[]) => ps.join('').replace(/[^\p{L}\p{N}]/gu, '');
    const unfolded = jaccard(
      shingleSet(plain(paragraphs), 5),
      shingleSet(plain(paragraphs.map((p) => fromHans(p, 'tw'))), 5),
    );
    expect(unfolded).toBeLessThan(0.2);
  });
});

describe('rewrites and near-topic articles', () => {
  it('generates rewrites and near-topic articles as described', () => {
    const article = generateArticle(11);
    const topic = topicOf(11);
    expect(article.title.includes(topic.product) || article.title.includes(topic.institution)).toBe(true);
    const siblings = nearTopicSeeds(11, 3);
    expect(siblings).toHaveLength(3);
    for (const seed of siblings) {
      expect(topicOf(seed)).toEqual(topic);
      expect(generateArticle(seed).paragraphs).not.toEqual(article.paragraphs);
    }
    expect(rewriteArticle(article, { seed: 1, strength: 0 }).paragraphs).toEqual(article.paragraphs);
    const rewrite = rewriteArticle(article, { seed: 1, strength: 1 });
    expect(rewrite.paragraphs).toHaveLength(article.paragraphs.length);
    expect(rewrite.edits.synonyms + rewrite.edits.swaps + rewrite.edits.deleted).toBeGreaterThan(3);
    const j = jaccard(
      shingleSet(canonicalText(article.paragraphs), 5),
      shingleSet(canonicalText(rewrite.paragraphs), 5),
    );
    expect(j).toBeLessThan(0.8);
    expect(j).toBeGreaterThan(0.2);
  });

  it('measures what is shared in the same order', () => {
    const seq = (text: string) => shingleHashes(text, 2);
    expect(orderedJaccard(seq('甲乙丙丁戊己'), seq('甲乙丙丁戊己'))).toBe(1);
    // The same shingles moved: all shared, half of them in order.
    expect(jaccard(shingleSet('甲乙丙丁戊己', 2), shingleSet('丁戊己甲乙丙', 2))).toBeCloseTo(4 / 6, 5);
    expect(orderedJaccard(seq('甲乙丙丁戊己'), seq('丁戊己甲乙丙'))).toBeCloseTo(2 / 8, 5);
    expect(orderedJaccard(seq(''), seq('甲乙'))).toBe(0);
  });

  it('takes a rewrite below 0.5 when what it shares is in order, and never a near-topic article', () => {
    const article = generateArticle(42);
    const original = fingerprint(article.paragraphs);
    // Of the first 40 rewrites of this article at 0.4–0.5, at least one is there to check.
    const rewrites = Array.from({ length: 40 }, (_, k) =>
      fingerprint(rewriteArticle(article, { seed: k, strength: 0.7 }).paragraphs),
    ).filter((fp) => {
      const j = shingleJaccard(original.shingles, fp.shingles);
      return j >= 0.4 && j < 0.5;
    });
    expect(rewrites.length).toBeGreaterThan(0);
    for (const fp of rewrites) expect(copySimilarity(original, fp)).not.toBeNull();
    for (const seed of nearTopicSeeds(42, 10))
      expect(copySimilarity(original, fingerprint(generateArticle(seed).paragraphs))).toBeNull();
    // Moved text at the same Jaccard is not taken: sections in another order are not a rewrite.
    const moved = [...article.paragraphs.slice(6), ...article.paragraphs.slice(0, 6)];
    const fp = fingerprint(moved);
    expect(orderedJaccard(original.sequence, fp.sequence)).toBeLessThan(
      shingleJaccard(original.shingles, fp.shingles),
    );
  });

  it('finds ≥ 98 % of rewrites at Jaccard 0.4–0.7 and every copy at ≥ 0.5, merging no near-topic article', () => {
    const result = evaluateRewrites(80);
    console.info(formatRewriteEval(result));
    expect(result.copies.pairs).toBeGreaterThan(100);
    expect(result.copies.found).toBe(result.copies.pairs);
    expect(result.light.found / result.light.pairs).toBeGreaterThanOrEqual(0.98);
    expect(result.light.wrong + result.copies.wrong).toBe(0);
    expect(result.nearTopic.lookups).toBe(160);
    expect(result.nearTopic.falseMerges).toBe(0);
    expect(result.nearTopic.maxJaccard).toBeLessThan(DEDUPE_DEFAULTS.rewriteThreshold);
  }, 60_000);
});

describe('candidates’ fingerprints kept between publishes', () => {
  it('keeps the most recently used, without their text', () => {
    const cache = new FingerprintCache(2);
    const [a, b, c] = [1, 2, 3].map((seed) => fingerprint(generateArticle(seed).paragraphs));
    cache.set('a', a as Fingerprint);
    cache.set('b', b as Fingerprint);
    expect(cache.get('a')?.shingles).toEqual(a?.shingles);
    cache.set('c', c as Fingerprint);
    // b was the least recently used.
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toMatchObject({ canonical: '', bandKeys: [] });
    expect(cache.get('a')?.signature).toEqual(a?.signature);
    expect(cache.get('c')?.sequence).toEqual(c?.sequence);
    expect(cache.size).toBe(2);
    expect([cache.hits, cache.misses]).toEqual([4, 1]);
  });

  it('lets a publisher verify a candidate whose text changed since it was kept', async () => {
    const factory = new StoreFactory();
    try {
      const store = await factory.fresh('sqlite');
      const publisher = await createPublisher(store);
      const first = makeRecord({ seed: 77, site: 'a.example' });
      await publisher.publish(first);
      expect(
        (await publisher.publish(makeRecord({ seed: 77, site: 'b.example', edit: 'boilerplate' })))
          .duplicateOf,
      ).toBe(first.id);
      // The original page now shows another article: its copy-to-be must not match the old text.
      await publisher.publish({
        ...makeRecord({ seed: 78, site: 'a.example' }),
        id: first.id,
        url: first.url,
      });
      const late = await publisher.publish(
        makeRecord({ seed: 77, site: 'c.example', edit: 'dropped-paragraphs' }),
      );
      expect(late.duplicateOf).not.toBe(first.id);
      expect(publisher.candidates.hits + publisher.candidates.misses).toBeGreaterThan(0);
    } finally {
      await factory.cleanup();
    }
  });
});

describe('dedupe through the store', () => {
  const factory = new StoreFactory();
  afterAll(() => factory.cleanup());

  it('marks the copies of published pages, in any script, and nothing else', async () => {
    const store = await factory.fresh('sqlite');
    const publisher = await createPublisher(store);
    const originals = Array.from({ length: 40 }, (_, i) => makeRecord({ seed: 500 + i, site: 'a.example' }));
    for (const record of originals) expect((await publisher.publish(record)).duplicateOf).toBeNull();
    const scripts = ['tw', 'hk', 'hant'] as const;
    for (let i = 0; i < 40; i++) {
      const copy = makeRecord({ seed: 500 + i, site: 'b.example', script: scripts[i % 3] });
      expect((await publisher.publish(copy)).duplicateOf).toBe(originals[i]?.id);
      const edited = makeRecord({
        seed: 500 + i,
        site: 'c.example',
        edit: i % 2 ? 'deleted-words' : 'boilerplate',
      });
      expect((await publisher.publish(edited)).duplicateOf).toBe(originals[i]?.id);
    }
    for (let i = 0; i < 40; i++)
      expect(
        (await publisher.publish(makeRecord({ seed: 900 + i, site: 'd.example' }))).duplicateOf,
      ).toBeNull();
    const page = await store.listFeed(0, 1000);
    expect(page.items).toHaveLength(80);
    expect(
      page.items
        .slice(0, 40)
        .every((item) => item.also_on.map((d) => d.source).join() === 'b.example,c.example'),
    ).toBe(true);
  }, 60_000);

  describe.each(BACKENDS)('re-indexing on %s', (backend) => {
    it('rebuilds an index an earlier release built with its defaults (24 × 5), and refuses others', async () => {
      const location = await factory.location(backend);
      const store = await factory.open(location);
      const old = await createPublisher(store, { bands: 24, rows: 5 });
      const originals = Array.from({ length: 20 }, (_, i) =>
        makeRecord({ seed: 700 + i, site: 'a.example' }),
      );
      for (const record of originals) await old.publish(record);
      // A duplicate is not indexed before or after.
      const copy = await old.publish(makeRecord({ seed: 700, site: 'b.example', script: 'tw' }));
      expect(copy.duplicateOf).toBe(originals[0]?.id);
      const count = async (sql: string) => Number((await rawQuery<{ n: number }>(location, sql))[0]?.n);
      expect(await count('SELECT count(*) AS n FROM dedupe_bands')).toBe(20 * 24);

      await expect(createPublisher(store, { bands: 16, rows: 8 })).rejects.toThrow(/built as .*b24x5/);
      // Two publishers opening it at once: one rebuilds, the other finds it done.
      const second = await factory.open(location);
      const [a] = await Promise.all([createPublisher(store), createPublisher(second)]);
      expect(await count('SELECT count(*) AS n FROM dedupe_bands')).toBe(20 * DEDUPE_DEFAULTS.bands);
      const meta = await rawQuery<{ value: string }>(
        location,
        "SELECT value FROM store_meta WHERE key = 'dedupe_index'",
      );
      expect(meta[0]?.value).toBe(indexFormat());
      // The rebuilt rows are today's band keys: copies are found through them.
      const rows = await rawQuery<{ key: string | number }>(
        location,
        'SELECT key FROM dedupe_bands WHERE doc = 1 ORDER BY key',
      );
      expect(rows.map((r) => Number(r.key))).toEqual(
        [...fingerprint(originals[0]?.paragraphs ?? []).bandKeys].sort((x, y) => x - y),
      );
      for (let i = 1; i < 20; i++) {
        const edited = makeRecord({ seed: 700 + i, site: 'c.example', edit: 'boilerplate' });
        expect((await a.publish(edited)).duplicateOf).toBe(originals[i]?.id);
      }
      // The old shape is refused now.
      await expect(createPublisher(store, { bands: 24, rows: 5 })).rejects.toThrow(/built as .*b42x3/);
    }, 60_000);
  });

  describe('on the fixture web, with a rewrite farm, repaired by the normalizer', () => {
    let corpus: FixtureCorpus;
    beforeAll(async () => {
      corpus = await fixtureCorpus(8);
    }, 120_000);

    it.each(BACKENDS)(
      'resolves each article’s copies to one record and merges no two articles (%s)',
      async (backend) => {
        const result = await dedupeFixture(corpus, await factory.fresh(backend));
        console.info(formatFixtureDedupe(backend, result));
        expect(result.articles).toBe(16);
        expect(result.byKind['script-copy']).toEqual({ pages: 8, resolved: 8 });
        // Every rewrite at Jaccard ≥ 0.5 after repair is found; below, most are.
        const copies = corpus.rewriteJaccard.filter((j) => j >= DEDUPE_DEFAULTS.threshold).length;
        expect(copies).toBeGreaterThanOrEqual(8);
        expect(result.byKind.rewrite.resolved).toBeGreaterThanOrEqual(copies);
        expect(result.resolved).toBeGreaterThanOrEqual(15);
        expect(result.mergedArticles).toBe(0);
        expect(result.nearTopic).toEqual({ pages: 8, apart: 8 });
      },
      60_000,
    );
  });
});
