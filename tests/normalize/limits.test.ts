/**
 * The normalizer's limits (`src/normalize/limits.ts`, README "Limits"): long paragraphs split,
 * the page's repair budget, repairs summarised per kind and paragraph past the record's limit;
 * and the pieces that keep a large page's memory in proportion (batched conversion, hashing a
 * paragraph at a time). Pages are made here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LIMIT_FLAGS,
  LIMITS,
  limitRepairs,
  RepairBudget,
  repairCount,
  splitLongParagraph,
} from '../../src/normalize/limits.js';
import { normalizeDocument } from '../../src/normalize/pipeline.js';
import { contentHash, hash64 } from '../../src/normalize/record.js';
import { toSimplifiedChars } from '../../src/normalize/script/char-fold.js';
import { convertLines, fromHans, toHans } from '../../src/normalize/script/convert.js';
import { REPAIR_KINDS, type Repair } from '../../src/records/repairs.js';

const TEXT_URL = 'file:///dumps/limits.txt';

describe('splitLongParagraph', () => {
  it('cuts after the last sentence end in reach, and the pieces join back', () => {
    const sentence = '银行的贷款逾期了怎么办，征信会受影响吗？';
    const text = sentence.repeat(30); // 600 characters
    const pieces = splitLongParagraph(text, 100);
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(100);
    for (const piece of pieces.slice(0, -1)) expect(piece.endsWith('？')).toBe(true);
  });

  it('cuts anywhere (never inside a surrogate pair) when nothing ends a sentence (property)', () => {
    const unit = fc.constantFrom('贷', 'a', '𠀀', '😀', '。', '，', ' ', '?');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 400 }), fc.integer({ min: 4, max: 50 }), (units, max) => {
        const text = units.join('');
        const pieces = splitLongParagraph(text, max);
        expect(pieces.join('')).toBe(text);
        for (const piece of pieces) {
          expect(piece.length).toBeLessThanOrEqual(max);
          if (text) expect(piece.length).toBeGreaterThan(0);
          expect(/^[\udc00-\udfff]/.test(piece)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('RepairBudget', () => {
  it('takes paragraphs until one would go over, then none', () => {
    const budget = new RepairBudget(10, 100);
    expect(budget.take(60)).toBe(true);
    expect(budget.take(30)).toBe(true);
    expect(budget.take(20)).toBe(false);
    expect(budget.take(1)).toBe(false);
    expect(budget.exhausted).toBe(true);
    const count = new RepairBudget(2, 1_000);
    expect([count.take(1), count.take(1), count.take(1)]).toEqual([true, true, false]);
  });
});

describe('limitRepairs', () => {
  const repairArb = fc.record({
    kind: fc.constantFrom(...REPAIR_KINDS),
    paragraph: fc.integer({ min: -1, max: 6 }),
    before: fc.string({ maxLength: 60 }),
    after: fc.string({ maxLength: 60 }),
    confidence: fc.double({ min: 0, max: 1, noNaN: true }),
  });

  /** Repairs per kind, or per paragraph and kind, summaries counted for what they stand for. */
  function tally(repairs: readonly Repair[], byParagraph = true): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of repairs) {
      const key = byParagraph ? `${r.paragraph}/${r.kind}` : r.kind;
      counts.set(key, (counts.get(key) ?? 0) + repairCount(r));
    }
    return counts;
  }

  it('summarises the largest groups first, then across paragraphs, never over the limit (property)', () => {
    const min = REPAIR_KINDS.length;
    fc.assert(
      fc.property(fc.array(repairArb, { maxLength: 300 }), fc.integer({ min, max: 40 }), (repairs, max) => {
        const got = limitRepairs(repairs, max);
        expect(got.repairs.length).toBeLessThanOrEqual(max);
        expect(tally(got.repairs, false)).toEqual(tally(repairs, false));
        // Within one paragraph and kind as long as one entry for each fits.
        if (tally(repairs).size <= max) expect(tally(got.repairs)).toEqual(tally(repairs));
        expect(got.summarised).toBe(got.repairs.length < repairs.length);
        if (repairs.length <= max) expect(got.repairs).toEqual(repairs);
        // Limiting again changes nothing that counts, summaries included.
        expect(tally(limitRepairs(got.repairs, max).repairs, false)).toEqual(tally(repairs, false));
        for (const r of got.repairs)
          if (repairCount(r) > 1)
            expect(r.before).toMatch(/^\[\d+ repairs(?: in paragraphs -?\d+–-?\d+)?\] /);
      }),
      { numRuns: 300 },
    );
  });

  it('gives a summary the kind, paragraph, first example and lowest confidence of its group', () => {
    const repairs: Repair[] = [
      { kind: 'html', paragraph: -1, before: '<!-- x -->', after: '', confidence: 1 },
      ...Array.from({ length: 5 }, (_, i) => ({
        kind: 'punctuation' as const,
        paragraph: 0,
        before: ',',
        after: '，',
        confidence: 1 - i / 10,
      })),
    ];
    const got = limitRepairs(repairs, 3);
    expect(got.repairs).toEqual([
      repairs[0],
      {
        kind: 'punctuation',
        paragraph: 0,
        before: '[5 repairs] ,',
        after: '[5 repairs] ，',
        confidence: 0.6,
      },
    ]);
    expect(repairCount(got.repairs[1] as Repair)).toBe(5);
  });
});

describe('a page past the limits still yields its record', () => {
  it('130,000 `贷,` in one paragraph: split, repaired to the budget, repairs summarised, nothing lost', () => {
    const text = '贷,'.repeat(130_000);
    const record = normalizeDocument({ url: TEXT_URL, text });
    expect(record.flags).toEqual(
      expect.arrayContaining([
        LIMIT_FLAGS.paragraphSplit,
        LIMIT_FLAGS.notRepaired,
        LIMIT_FLAGS.repairsSummarised,
      ]),
    );
    expect(record.repairs.length).toBeLessThanOrEqual(LIMITS.repairs);
    // Every character is there: the repaired pieces with full-width commas, the rest as they came.
    expect(record.paragraphs.join('').replaceAll('，', ',')).toBe(text);
    for (const p of record.paragraphs) expect(p.length).toBeLessThanOrEqual(LIMITS.paragraphChars);
    const repairedChars = record.paragraphs.filter((p) => p.includes('，')).join('').length;
    expect(repairedChars).toBeLessThanOrEqual(LIMITS.repairedChars);
    expect(repairedChars).toBeGreaterThan(LIMITS.repairedChars - LIMITS.paragraphChars);
    // The summaries count every comma made full width.
    const commas = record.repairs
      .filter((r) => r.kind === 'punctuation')
      .reduce((n, r) => n + repairCount(r), 0);
    expect(commas).toBe(record.paragraphs.join('').split('，').length - 1);
    expect(JSON.stringify(record).length).toBeLessThan(2 * text.length + 100_000);
  });

  it('past the repair budget, paragraphs are kept exactly as they came', () => {
    // Short lines: the paragraph limit comes before the character limit.
    const faulty = '導(dǎo)語:貸款?';
    const lines = Array.from({ length: LIMITS.repairedParagraphs + 50 }, (_, i) => `${i}${faulty}`);
    const record = normalizeDocument({ url: TEXT_URL, text: lines.join('\n') }, { to: 'tw' });
    expect(record.flags).toContain(LIMIT_FLAGS.notRepaired);
    expect(record.paragraphs.length).toBe(lines.length);
    expect(record.paragraphs[0]).toBe('0導語：貸款？');
    expect(record.paragraphs.slice(LIMITS.repairedParagraphs)).toEqual(
      lines.slice(LIMITS.repairedParagraphs),
    );
    // One entry per paragraph and kind would be too many: the later paragraphs' are one per kind.
    expect(record.repairs.length).toBeLessThanOrEqual(LIMITS.repairs);
    const pinyin = record.repairs.filter((r) => r.kind === 'pinyin');
    expect(pinyin.reduce((n, r) => n + repairCount(r), 0)).toBe(LIMITS.repairedParagraphs);
    expect(pinyin.at(-1)?.before).toMatch(/^\[\d+ repairs in paragraphs \d+–4999\] 導\(dǎo\)$/);
  });

  it('a page within the limits gets no limit flag and every repair listed', () => {
    const record = normalizeDocument({ url: TEXT_URL, text: '贷,'.repeat(400) });
    expect(record.repairs.length).toBe(400);
    for (const flag of Object.values(LIMIT_FLAGS)) expect(record.flags).not.toContain(flag);
  });
});

describe('memory in proportion: the same results, computed in bounded pieces', () => {
  const lineArb = fc
    .array(fc.constantFrom('银行', '貸款', '逾期', '後', '乾', '，', '。', 'a', ' ', '𠀀', '著'), {
      maxLength: 3000,
    })
    .map((parts) => parts.join(''));

  it('contentHash hashes a paragraph at a time what it hashed as one text', () => {
    const whole = (paragraphs: string[]) =>
      hash64(toSimplifiedChars(paragraphs.join('\n')).replace(/[^\p{L}\p{N}]/gu, ''));
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 8 }), (paragraphs) => {
        expect(contentHash(paragraphs)).toBe(whole(paragraphs));
      }),
      { numRuns: 100 },
    );
  });

  it('convertLines in batches converts like one call per line', () => {
    // Over 64 KiB in all, so that there are several batches.
    const lines = Array.from({ length: 60 }, (_, i) => `${'銀行貸款逾期後'.repeat(200 + i)}乾著急`);
    const hans = convertLines(lines, (t) => toHans(t, 'tw'));
    expect(hans).toEqual(lines.map((l) => toHans(l, 'tw')));
    expect(convertLines(hans, (t) => fromHans(t, 'tw'))).toEqual(hans.map((l) => fromHans(l, 'tw')));
  });
});
