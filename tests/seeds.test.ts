import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { draftDocument, finalizeRecord, normalizeDocument } from '../src/normalize/pipeline.js';
import { fromHans } from '../src/normalize/script/convert.js';
import type { CleanRecord } from '../src/records/clean.js';
import type { Script } from '../src/records/scripts.js';
import { evaluateSeedsAmongSites, formatSeedsAmongSites } from './support/deleted-words-eval.js';
import { learnBatch } from './support/learn-batch.js';
import {
  expectedAfterRestoration,
  expectedParagraphs,
  expectedSeed,
  expectedTitle,
  expectedWithoutDeletedWords,
  intactCopyOf,
  SEED_NAMES,
  seedBytes,
  seedPath,
  unrestorablePlaces,
} from './support/seeds.js';

const SCRIPTS_WITH_EXPECTATIONS: Script[] = ['hans', 'hant', 'tw'];

describe.each(SEED_NAMES)('seed %s', (name) => {
  const raw = { url: pathToFileURL(seedPath(name)).href, body: seedBytes(name) };

  it.each(SCRIPTS_WITH_EXPECTATIONS)(
    'gives the expected paragraphs and metadata in %s (deleted words aside)',
    (script) => {
      const record = normalizeDocument(raw, { to: script });
      expect(record.paragraphs).toEqual(expectedWithoutDeletedWords(name, script));
      expect(record.title).toBe(expectedTitle(name, script));
      expect(record.published_at).toBe(expectedSeed(name).published_at);
      const category = expectedSeed(name).category;
      expect(record.category).toBe(category === null ? null : fromHans(category, script));
      expect(record.script).toBe(script);
    },
  );

  it('keeps the category as the byline says it', () => {
    expect(normalizeDocument(raw, { to: 'hans' }).category).toBe(expectedSeed(name).category);
  });

  it('records every repair and leaves nothing of the faults behind', () => {
    const record = normalizeDocument(raw, { to: 'hans' });
    const text = record.paragraphs.join('\n');
    expect(text).not.toMatch(/[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùü]+[)）]/u); // pinyin
    expect(text).not.toMatch(/\p{Script=Han}[,:;?!]|[,:;?!]\p{Script=Han}/u); // ASCII punctuation
    expect(text).not.toMatch(/\?|\/p>/); // garbled tails
    const kinds = new Set(record.repairs.map((r) => r.kind));
    for (const kind of ['pinyin', 'punctuation', 'mojibake', 'script', 'boilerplate'])
      expect(kinds).toContain(kind);
    for (const repair of record.repairs) {
      expect(repair.confidence).toBeGreaterThan(0);
      expect(repair.confidence).toBeLessThanOrEqual(1);
      expect(repair.paragraph).toBeLessThanOrEqual(record.paragraphs.length);
    }
    expect(record.flags).not.toContain('unrepaired-mojibake');
  });

  it('is the same record on a second run (stable id, same hash)', () => {
    const a = normalizeDocument(raw, { to: 'hans' });
    const b = normalizeDocument(raw, { to: 'tw' });
    expect(b.id).toBe(a.id);
    expect(b.content_hash).toBe(a.content_hash); // the hash is script-independent
  });
});

describe('seed pages as a site', () => {
  it('groups both text dumps under one source by their takedown contact', () => {
    const sources = SEED_NAMES.map(
      (name) => normalizeDocument({ url: pathToFileURL(seedPath(name)).href, body: seedBytes(name) }).source,
    );
    expect(sources[0]).toBe(sources[1]);
    expect(sources[0]).toContain('15070879527');
  });

  it('counts the repairs FAULTS.md describes: 369 pinyin leaks, two garbled tails', () => {
    const records = SEED_NAMES.map((name) =>
      normalizeDocument({ url: pathToFileURL(seedPath(name)).href, body: seedBytes(name) }),
    );
    const all = records.flatMap((r) => r.repairs);
    // Leaks inside dropped boilerplate lines are accounted for by the boilerplate repair itself.
    const pinyinInKept = all.filter((r) => r.kind === 'pinyin').length;
    const pinyinInDropped = all
      .filter((r) => r.kind === 'boilerplate')
      .reduce((n, r) => n + (r.before.match(/\([a-zāáǎàēéěèīíǐìōóǒòūúǔùü ]+\)/gu)?.length ?? 0), 0);
    const pinyinInTail = all
      .filter((r) => r.kind === 'mojibake')
      .reduce((n, r) => n + (r.before.includes('(') ? 1 : 0), 0);
    expect(pinyinInKept + pinyinInDropped + pinyinInTail).toBe(369);
    expect(all.filter((r) => r.kind === 'mojibake').map((r) => r.after)).toEqual([
      '當得到充分保障。',
      '財等。',
    ]);
  });
});

describe('seed pages restored in a batch', () => {
  const seedDrafts = () =>
    SEED_NAMES.map((name) =>
      draftDocument({ url: pathToFileURL(seedPath(name)).href, body: seedBytes(name) }),
    );
  const missingWords = (record: { repairs: { kind: string }[] }) =>
    record.repairs.filter((r) => r.kind === 'missing-word').length;

  it('of the two seeds alone: every 電話 and 題, nothing else (no evidence for the two 同時)', async () => {
    const drafts = seedDrafts();
    const batch = await learnBatch(drafts);
    const records: CleanRecord[] = [];
    for (const d of drafts) records.push(finalizeRecord(await batch.restore(d), 'hans'));
    records.forEach((record, i) => {
      const name = SEED_NAMES[i] as (typeof SEED_NAMES)[number];
      expect(record.paragraphs).toEqual(expectedAfterRestoration(name, 'hans'));
    });
    expect(records.reduce((n, r) => n + missingWords(r), 0)).toBe(21);
  });

  it('lists the two 同時 places in unresolved at their offsets, in every script (together and each alone)', async () => {
    const drafts = seedDrafts();
    for (const pages of [drafts, ...drafts.map((d) => [d])]) {
      const batch = await learnBatch(pages);
      for (const draft of pages) {
        const name = SEED_NAMES[drafts.indexOf(draft)] as (typeof SEED_NAMES)[number];
        const restored = await batch.restore(draft);
        for (const script of SCRIPTS_WITH_EXPECTATIONS) {
          const record = finalizeRecord(restored, script);
          expect(record.paragraphs).toEqual(expectedAfterRestoration(name, script));
          expect(record.unresolved).toEqual(unrestorablePlaces(name, script));
          expect(record.flags).toContain('possible-gap');
        }
        expect(missingWords(restored)).toBe(name.startsWith('000') ? 21 : 0);
      }
    }
  });

  it('among intact sites that write in their own words: 電話 and 題 back, 同時 flagged, others untouched', async () => {
    // Sites that share no passage with the seeds are not evidence about them: the seeds come out as
    // they do alone (21 of 23, the two 同時 left flagged), and the other sites unchanged.
    const result = await evaluateSeedsAmongSites(6, 15);
    const message = formatSeedsAmongSites(result, 6, 15);
    expect(result.changedOtherPages, message).toBe(0);
    expect(result.precision, message).toBe(1);
    expect(result.recall, message).toBeGreaterThanOrEqual(0.9);
    for (const seed of result.seeds) expect(seed.flagged, message).toBe(true);
  }, 60_000);

  it('with a copy of each article on another site: exactly the expected records, all 23 words back', async () => {
    const drafts = seedDrafts();
    const copies = SEED_NAMES.map((name) => draftDocument(intactCopyOf(name)));
    const batch = await learnBatch([...drafts, ...copies]);
    expect(batch.profiles.get(copies[0]?.source as string)?.words).toEqual([]);
    let restored = 0;
    for (const [i, draft] of drafts.entries()) {
      const name = SEED_NAMES[i] as (typeof SEED_NAMES)[number];
      const filled = await batch.restore(draft);
      for (const script of SCRIPTS_WITH_EXPECTATIONS)
        expect(finalizeRecord(filled, script).paragraphs).toEqual(expectedParagraphs(name, script));
      restored += missingWords(filled);
      for (const repair of filled.repairs.filter((r) => r.kind === 'missing-word')) {
        expect(repair.after.length).toBeGreaterThan(repair.before.length);
        expect(repair.confidence).toBeGreaterThan(0.5);
      }
    }
    expect(restored).toBe(23);
    for (const copy of copies) expect(await batch.restore(copy)).toEqual(copy);
  });
});
