/**
 * The deleted-word learning cycle (issue 13): learned only from evidence, sources as the record
 * names them, a page's record independent of unrelated pages in its batch and of their order
 * (fast-check), and one cycle behind small stores (here in memory; `tests/queue/profiles.test.ts`
 * runs it over Redis and the store).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeletionCycle, relearnDue } from '../../src/normalize/deleted-words/cycle.js';
import {
  MemoryProfileStore,
  MemorySampleStore,
  passageAnchors,
  SHARED_TEXT,
} from '../../src/normalize/deleted-words/samples.js';
import { draftDocument, finalizeRecord } from '../../src/normalize/pipeline.js';
import type { DraftDocument } from '../../src/records/draft.js';
import { generateArticle, Rng } from '../support/article-generator.js';
import { makeSites, renderPage } from '../support/filtered-sites.js';
import { buildSites, SITE_NAMES } from '../support/fixture-web/sites.js';
import { learnBatch } from '../support/learn-batch.js';

const missingWords = (draft: DraftDocument) => draft.repairs.filter((r) => r.kind === 'missing-word');

describe('learned only from evidence', () => {
  it('a page alone with no marked gap learns nothing and gets nothing inserted (看完至少能 stays)', async () => {
    const text =
      '这篇文章看完至少能让你少走弯路。\n扣完各类费用以后，到手的钱并不多。\n借款之前一定要看清楚合同。';
    const draft = draftDocument({ url: 'file:///dumps/one.txt', text });
    const batch = await learnBatch([draft]);
    expect(batch.profiles.get(draft.source)?.words).toEqual([]);
    const restored = await batch.restore(draft);
    expect(restored).toBe(draft);
    expect(finalizeRecord(restored).paragraphs).toEqual(text.split('\n'));
  });

  it('spaces of a flattened table complete no word, so a character without its partner stays (教你)', async () => {
    const text = [
      '私人贷款怎么选',
      '本文教你看懂贷款合同里的每一项收费。',
      '贷款机构 参考年利率 最高贷款额 最长还款期 审批特点',
      '甲财务 百分之五 五十万 八十四个月 网上申请即日批核',
      '最后一步步教你如何比较不同机构的实际利率。',
      '专家也会教你留意提前还款的违约金条款。',
    ].join('\n');
    const draft = draftDocument({ url: 'https://loans.example/a/1.html', text });
    const batch = await learnBatch([draft]);
    expect(batch.profiles.get(draft.source)?.words).toEqual([]);
    const restored = await batch.restore(draft);
    expect(missingWords(restored)).toEqual([]);
    expect(restored.paragraphs.filter((p) => p.includes('教你'))).toHaveLength(3);
  });

  /**
   * A site whose filter masks `word` with stars, learned in one batch beside intact sites (as in
   * any crawl of several sources: they write the word); each line `checked` picks on its pages must
   * come back as the truth has it.
   */
  async function starredSite(
    word: string,
    seed: number,
    checked: (line: string) => boolean,
  ): Promise<{ learned: string[] | undefined; lines: number }> {
    const site = {
      name: 'stars.example',
      script: 'hans' as const,
      words: [{ word, space: 'stars' as const }],
      pages: 6,
      seed,
    };
    const intact = makeSites(5, 4, 6).map((s) => ({ ...s, words: [] }));
    const pages = [site, ...intact].flatMap((s) =>
      Array.from({ length: 6 }, (_, i) => draftDocument(renderPage(s, i).raw)),
    );
    const batch = await learnBatch(pages);
    let lines = 0;
    for (let i = 0; i < site.pages; i++) {
      const { raw, truth } = renderPage(site, i);
      const record = finalizeRecord(await batch.restore(pages[i] as DraftDocument));
      const shown = (raw.text ?? '').split('\n').slice(3);
      for (const [k, line] of shown.entries()) {
        if (!checked(line)) continue;
        expect(record.paragraphs[k], line).toBe(truth[k]);
        lines++;
      }
    }
    return { learned: batch.profiles.get(site.name)?.words.map((w) => w.word), lines };
  }

  it('learns a single character a filter masks with one star, and restores it', async () => {
    const { learned, lines } = await starredSite(
      '题',
      4343,
      (line) => /\p{Script=Han}\*\p{Script=Han}/u.test(line) && !/\*\*/.test(line),
    );
    expect(learned).toEqual(['题']);
    expect(lines).toBeGreaterThanOrEqual(4);
  });

  it('learns a word a filter masks with stars, and restores it where the stars stood', async () => {
    // Paragraphs whose every run of stars stands between Chinese characters (not a heading's end,
    // `营销**`, which Markdown would write too) come back whole.
    const { learned, lines } = await starredSite(
      '电话',
      4242,
      (line) =>
        line.includes('**') &&
        !/(^|[^\p{Script=Han}，。、？])\*\*|\*\*($|[^\p{Script=Han}，。、？])/u.test(line),
    );
    expect(learned).toEqual(['电话']);
    expect(lines).toBeGreaterThan(10);
  });

  it('a character without its partner counts where marked gaps show a filter at work (问_日益 → 问题)', async () => {
    const pages = [
      '很多人接到骚扰 。这些骚扰 的来源是什么？个人信息安全问日益严重。',
      '如何拒绝骚扰 ？骚扰问也引发了广泛关注。',
    ].map((text, i) => draftDocument({ url: `https://farm.example/${i}`, text }));
    const batch = await learnBatch(pages);
    expect(
      batch.profiles
        .get('farm.example')
        ?.words.map((w) => w.word)
        .sort(),
    ).toEqual(['电话', '题']);
    const restored = await batch.restore(pages[0] as DraftDocument);
    expect(restored.paragraphs).toEqual([
      '很多人接到骚扰电话。这些骚扰电话的来源是什么？个人信息安全问题日益严重。',
    ]);
  });
});

describe('the fixture web', () => {
  it('gives profiles of only the words its sites delete (gbk-farm: 电话; the others: none)', async () => {
    const origins = {
      'gbk-farm': 'http://gbk.test',
      'big5-portal': 'http://big5.test',
      'ruby-blog': 'http://ruby.test',
    };
    const { sites, truth } = buildSites(origins, {
      articlesPerSite: 20,
      perPage: 10,
      textFaults: true,
      brokenPages: false,
      slowMs: 100,
      seed: 3,
      filteredWords: ['电话'],
    });
    const drafts = truth.flatMap((article) => {
      const site = sites[article.site];
      const page = site.pages.get(article.url.slice(site.origin.length));
      if (page?.type !== 'page') return [];
      return [
        draftDocument({
          url: article.url,
          body: page.body,
          contentType: page.contentType,
          source: article.site,
        }),
      ];
    });
    const batch = await learnBatch(drafts);
    for (const name of SITE_NAMES)
      for (const word of batch.profiles.get(name)?.words ?? [])
        expect(name === 'gbk-farm' ? ['电话'] : [], `${name}: ${word.word}`).toContain(word.word);
    expect(batch.profiles.get('gbk-farm')?.words.map((w) => w.word)).toEqual(['电话']);
  }, 120_000);
});

describe('sources', () => {
  it('are the configured source, the host, or the takedown contact; else each page is its own', () => {
    const takedown = '如有侵权请联系删除，联系电话15070879527';
    const text = (body: string) => `${body}\n${takedown}`;
    expect(draftDocument({ url: 'https://a.example/1', text: '银行。', source: 'conf' }).source).toBe('conf');
    expect(draftDocument({ url: 'https://a.example/1', text: '银行。' }).source).toBe('a.example');
    const [one, two] = ['file:///d/1.txt', 'file:///d/2.txt'].map((url) =>
      draftDocument({ url, text: text('逾期以后，征信会受到影响。') }),
    );
    expect(one?.source).toBe(two?.source);
    expect(one?.source).toContain('15070879527');
    const [lone1, lone2] = ['file:///d/3.txt', 'file:///d/4.txt'].map((url) =>
      draftDocument({ url, text: '逾期以后，征信会受到影响。' }),
    );
    expect(lone1?.source).toBe('page:file:///d/3.txt');
    expect(lone1?.source).not.toBe(lone2?.source);
  });
});

describe('related pages', () => {
  it('share an anchor whenever they share SHARED_TEXT characters, and not by Han-less text', () => {
    const rng = new Rng(7);
    for (let k = 0; k < 50; k++) {
      const a = generateArticle(rng.int(1, 1e6)).paragraphs.join('');
      const b = generateArticle(rng.int(1, 1e6)).paragraphs.join('');
      const at = rng.int(0, Math.max(0, a.length - SHARED_TEXT));
      const shared = a.slice(at, at + SHARED_TEXT);
      const anchorsA = passageAnchors([a]);
      const anchorsB = passageAnchors([`${b.slice(0, 30)}${shared}${b.slice(30)}`]);
      expect([...anchorsB].some((x) => anchorsA.has(x))).toBe(true);
    }
    expect(passageAnchors(['2024-10-02 23:26:37 ABCDEFGHIJKLMN'])).toEqual(new Set());
  });
});

/**
 * One farm (a site whose filter deletes words) and a site that copies from the same templates:
 * the evidence. The pool: pages of other sites written in their own words (every sentence that
 * shares a passage with the farm's or the copier's pages dropped) and text dumps of no known
 * origin, none related to the farm.
 */
function fixtures() {
  const [farm, copier] = makeSites(11, 4, 10).filter((s) => s.words.length > 0) as [
    ReturnType<typeof makeSites>[number],
    ReturnType<typeof makeSites>[number],
  ];
  const farmPages = Array.from({ length: 8 }, (_, i) => draftDocument(renderPage(farm, i).raw));
  const copierPages = Array.from({ length: 8 }, (_, i) => draftDocument(renderPage(copier, i).raw));
  const evidence = [...farmPages, ...copierPages];
  const farmText = farmPages.flatMap((d) => d.paragraphs).join('\n');
  const anchors = passageAnchors(farmPages.flatMap((d) => d.paragraphs));
  const sharesPassage = (sentence: string) => {
    for (let i = 0; i + 12 <= sentence.length; i++)
      if (farmText.includes(sentence.slice(i, i + 12))) return true;
    return false;
  };
  const pool: DraftDocument[] = [];
  for (let k = 0; pool.length < 10 && k < 60; k++) {
    const article = generateArticle(777_000 + k);
    const paragraphs = article.paragraphs
      .map((p) => (p.match(/[^。？！]+[。？！]?/gu) ?? []).filter((x) => !sharesPassage(x)).join(''))
      .filter((p) => p.length > 0);
    if (paragraphs.length < 3) continue;
    const url =
      k % 3 === 0 ? `file:///dumps/unrelated-${k}.txt` : `https://own-words-${k % 4}.example/${k}.html`;
    const draft = draftDocument({ url, text: [article.title, '', ...paragraphs].join('\n') });
    if ([...passageAnchors(draft.paragraphs)].some((a) => anchors.has(a))) continue;
    pool.push(draft);
  }
  return { farm: farm.name, farmPages, evidence, pool };
}

describe('a page’s record, whatever else is in the batch', () => {
  const { farm, farmPages, evidence, pool } = fixtures();

  /** The farm's records from a batch of these pages, in this order. */
  async function farmRecords(pages: DraftDocument[]): Promise<unknown[]> {
    const cycle = DeletionCycle.inMemory();
    for (const page of pages) await cycle.observe(page);
    await cycle.learn(farm);
    const records = [];
    for (const page of farmPages) records.push(finalizeRecord(await cycle.restore(page), 'hans'));
    return records;
  }

  it('is the same with unrelated pages joining or leaving, in any order (fast-check)', async () => {
    expect(pool.length).toBeGreaterThanOrEqual(6);
    const baseline = await farmRecords(evidence);
    // The farm's pages are restored from the evidence: the property is about something.
    const restored = (baseline as { repairs: { kind: string }[] }[]).flatMap((r) =>
      r.repairs.filter((x) => x.kind === 'missing-word'),
    );
    expect(restored.length).toBeGreaterThan(10);
    await fc.assert(
      fc.asyncProperty(fc.subarray(pool), fc.func(fc.integer()), async (joining, key) => {
        const batch = [...evidence, ...joining]
          .map((page, i) => ({ page, k: key(i) }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.page);
        expect(await farmRecords(batch)).toEqual(baseline);
      }),
      { numRuns: 8 },
    );
  }, 240_000);

  it('changes when the batch holds evidence about its source (a copy of its article)', async () => {
    const alone = await farmRecords(farmPages);
    const withCopier = await farmRecords(evidence);
    expect(withCopier).not.toEqual(alone);
  }, 60_000);
});

describe('the cycle behind its stores', () => {
  it('samples each source by a hash of its pages’ ids: the same sample in any order', async () => {
    const pages = Array.from({ length: 12 }, (_, i) =>
      draftDocument({ url: `https://a.example/${i}`, text: `第${i}页：逾期以后，征信会受到影响。` }),
    );
    const a = new MemorySampleStore(5);
    const b = new MemorySampleStore(5);
    for (const page of pages) await a.keep(page);
    for (const page of [...pages].reverse()) await b.keep(page);
    expect((await a.samples('a.example')).map((s) => s.id)).toEqual(
      (await b.samples('a.example')).map((s) => s.id),
    );
    expect(await a.samples('a.example')).toHaveLength(5);
    // A page seen again is one sample, and counts as a page seen.
    expect(await a.keep(pages[0] as DraftDocument)).toBe(13);
    expect(new Set((await a.samples('a.example')).map((s) => s.id)).size).toBe(5);
  });

  it('learns when due, keeps the profile learned from more pages, says when its words changed', async () => {
    expect([1, 19, 20, 21, 40, 80, 160, 320, 500, 820, 1000].map(relearnDue)).toEqual([
      false,
      false,
      true,
      false,
      true,
      true,
      true,
      true,
      true,
      false,
      true,
    ]);
    const cycle = new DeletionCycle(new MemorySampleStore(), new MemoryProfileStore());
    const pages = ['很多人接到骚扰 。这些骚扰 的来源是什么？', '如何拒绝骚扰 ？接到骚扰 后不要慌。'].map(
      (text, i) => draftDocument({ url: `https://farm.example/${i}`, text }),
    );
    for (const page of pages) await cycle.observe(page, 'hans');
    const first = await cycle.learn('farm.example', 2);
    expect(first.changed).toBe(true);
    expect(first.saved.profile.words.map((w) => w.word)).toEqual(['电话']);
    // Learned again from fewer pages: the store keeps the one it has.
    const stale = await cycle.learn('farm.example', 1);
    expect(stale.changed).toBe(false);
    expect(stale.saved.pages).toBe(2);
    const again = await cycle.learn('farm.example', 3);
    expect(again.changed).toBe(false);
    // The samples restored with the stored profile, with the script each was published in.
    const restored = [];
    for await (const { sample, restored: draft } of cycle.restoredSamples('farm.example'))
      restored.push([sample.to, draft.paragraphs[0]]);
    expect(restored.sort()).toEqual([
      ['hans', '如何拒绝骚扰电话？接到骚扰电话后不要慌。'],
      ['hans', '很多人接到骚扰电话。这些骚扰电话的来源是什么？'],
    ]);
    expect(missingWords(await cycle.restore(pages[0] as DraftDocument))).toHaveLength(2);
  });
});
