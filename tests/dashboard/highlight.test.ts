import { describe, expect, it } from 'vitest';
import { placeRepairs, repairsByParagraph } from '../../src/dashboard/highlight.js';
import { buildRecordView } from '../../src/dashboard/record-view.js';
import { fromHans, toHans } from '../../src/normalize/script/convert.js';
import type { Repair } from '../../src/records/repairs.js';
import { makeRecord } from '../publish/support/records.js';

const asShown = (script: 'hans' | 'tw') => (s: string) => fromHans(toHans(s, 'hant'), script);
const highlighted = (placed: ReturnType<typeof placeRepairs>) =>
  placed.segments.filter((s) => s.repair !== undefined).map((s) => [s.text, s.repair]);

describe('placing repairs in a paragraph', () => {
  it('highlights only the inserted word of a missing-word repair, found by its context', () => {
    const text = '请拨打客服电话咨询，或者拨打电话投诉';
    const repairs: Repair[] = [
      { kind: 'missing-word', paragraph: 0, before: '拨打投诉', after: '拨打电话投诉', confidence: 0.9 },
    ];
    const placed = placeRepairs(text, repairs, [0], asShown('hans'));
    expect(highlighted(placed)).toEqual([['电话', 0]]);
    expect(placed.segments.map((s) => s.text).join('')).toBe(text);
    expect(placed.unplaced).toEqual([]);
  });

  it('finds two words restored close together, whose contexts were taken before either was back', () => {
    const text = '如果确认电话为骚扰电话，用户可以拒绝';
    const repairs: Repair[] = [
      {
        kind: 'missing-word',
        paragraph: 0,
        before: '如果確認為騷擾，',
        after: '如果確認電話為騷擾，',
        confidence: 0.6,
      },
      {
        kind: 'missing-word',
        paragraph: 0,
        before: '認為騷擾，用戶可',
        after: '認為騷擾電話，用戶可',
        confidence: 0.9,
      },
    ];
    const placed = placeRepairs(text, repairs, [0, 1], asShown('hans'));
    expect(placed.unplaced).toEqual([]);
    expect(placed.segments.map((s) => [s.text, s.repair])).toEqual([
      ['如果确认', undefined],
      ['电话', 0],
      ['为骚扰', undefined],
      ['电话', 1],
      ['，用户可以拒绝', undefined],
    ]);
  });

  it('finds repairs written in the page script in the text shown in another script', () => {
    const text = fromHans('借款人接到电话以后', 'tw');
    const repairs: Repair[] = [
      { kind: 'missing-word', paragraph: 0, before: '接到以後', after: '接到電話以後', confidence: 0.8 },
      { kind: 'pinyin', paragraph: 0, before: '後(hòu)', after: '後', confidence: 1 },
    ];
    const placed = placeRepairs(text, repairs, [0, 1], asShown('tw'));
    expect(highlighted(placed)).toEqual([
      ['電話', 0],
      ['後', 1],
    ]);
  });

  it('places repairs of one kind in reading order, one occurrence each', () => {
    const text = '第一，第二，第三，第四';
    const repairs: Repair[] = [
      { kind: 'punctuation', paragraph: 0, before: ',', after: '，', confidence: 1 },
      { kind: 'punctuation', paragraph: 0, before: ',', after: '，', confidence: 1 },
    ];
    const placed = placeRepairs(text, repairs, [0, 1], asShown('hans'));
    const starts = placed.segments.reduce<number[]>((acc, s, i) => {
      if (s.repair !== undefined)
        acc.push(placed.segments.slice(0, i).reduce((n, x) => n + x.text.length, 0));
      return acc;
    }, []);
    expect(starts).toEqual([2, 5]);
  });

  it('lists what it cannot find instead of guessing: removed boilerplate, text no longer there', () => {
    const repairs: Repair[] = [
      { kind: 'boilerplate', paragraph: 0, before: '本站声明', after: '', confidence: 1 },
      { kind: 'mojibake', paragraph: 0, before: '鐢佃瘽', after: '不在这里', confidence: 0.8 },
    ];
    const placed = placeRepairs('正文内容', repairs, [0, 1], asShown('hans'));
    expect(placed.unplaced).toEqual([0, 1]);
    expect(placed.segments).toEqual([{ text: '正文内容' }]);
  });

  it('groups repair indexes by paragraph, the page as a whole under -1', () => {
    const r = (paragraph: number): Repair => ({
      kind: 'script',
      paragraph,
      before: 'a',
      after: 'b',
      confidence: 1,
    });
    expect([...repairsByParagraph([r(-1), r(2), r(0), r(2)])]).toEqual([
      [-1, [0]],
      [2, [1, 3]],
      [0, [2]],
    ]);
  });
});

describe('runs left as they came', () => {
  it('are marked by their offsets in code points, and no repair is placed inside one', () => {
    // 𠀀 is one code point, two UTF-16 units: offsets must not drift after it.
    const run = '?zzz)玫匠浞直U稀';
    const text = `𠀀理财${run}，請理財`;
    const repairs: Repair[] = [
      { kind: 'mojibake', paragraph: 0, before: '玫', after: '理財', confidence: 0.9 },
    ];
    const placed = placeRepairs(text, repairs, [0], asShown('tw'), undefined, [
      { kind: 'unrepaired-mojibake', paragraph: 0, start: 3, end: 3 + [...run].length },
    ]);
    const marked = placed.segments.filter((s) => s.unresolved);
    expect(marked.map((s) => s.text)).toEqual([run]);
    expect(placed.segments.map((s) => s.text).join('')).toBe(text);
    // The repair's text is found after the run, not inside it.
    const repairAt = placed.segments.findIndex((s) => s.repair === 0);
    expect(repairAt).toBeGreaterThan(placed.segments.findIndex((s) => s.unresolved));
  });

  it('stay unconverted on the record page in another script, where the page marks them', () => {
    const run = '?zzz)玫匠浞直U稀';
    const record = {
      ...makeRecord({ seed: 1, script: 'tw' }),
      feed_script: 'tw' as const,
      title: null,
      paragraphs: [`銀行會先通過電話提醒${run}`],
      repairs: [],
      unresolved: [
        { kind: 'unrepaired-mojibake' as const, paragraph: 0, start: 10, end: 10 + [...run].length },
      ],
      duplicate_of: null,
      similarity: null,
      version: 1,
      seq: 1,
      stored_at: '2026-12-07T00:00:00Z',
      also_on: [],
    };
    const view = buildRecordView(record, 'hans', { raw: null, duplicates: [], latestVersion: 1 });
    const segments = view.paragraphs[0]?.segments ?? [];
    expect(segments.map((s) => s.text).join('')).toBe(`银行会先通过电话提醒${run}`);
    expect(segments.filter((s) => s.unresolved).map((s) => s.text)).toEqual([run]);
  });
});

describe('possible gaps', () => {
  it('are empty segments at their place, before a highlight that starts there, after one around them', () => {
    // 𠀀 is one code point, two UTF-16 units: the places are code points.
    const text = '𠀀银行会先通过，短信等方式提醒';
    const repairs: Repair[] = [
      { kind: 'punctuation', paragraph: 0, before: '通过 ，', after: '通过，', confidence: 1 },
    ];
    const placed = placeRepairs(text, repairs, [0], asShown('hans'), undefined, [
      { kind: 'possible-gap', paragraph: 0, start: 7, end: 7 },
      { kind: 'possible-gap', paragraph: 0, start: 0, end: 0 },
    ]);
    expect(placed.segments.map((s) => s.text).join('')).toBe(text);
    expect(placed.segments.map((s) => [s.text, s.repair ?? s.unresolved ?? null])).toEqual([
      ['', 'possible-gap'],
      ['𠀀银行会先', null],
      ['通过，', 0],
      ['', 'possible-gap'],
      ['短信等方式提醒', null],
    ]);
  });

  it('move with the conversion on the record page, which shows each as an insertion mark', () => {
    const record = {
      ...makeRecord({ seed: 1, script: 'tw' }),
      feed_script: 'tw' as const,
      title: null,
      paragraphs: ['銀行會先通過、短信等方式提醒'],
      repairs: [],
      flags: ['possible-gap'],
      unresolved: [{ kind: 'possible-gap' as const, paragraph: 0, start: 6, end: 6 }],
      duplicate_of: null,
      similarity: null,
      version: 1,
      seq: 1,
      stored_at: '2026-12-07T00:00:00Z',
      also_on: [],
    };
    const view = buildRecordView(record, 'hans', { raw: null, duplicates: [], latestVersion: 1 });
    const segments = view.paragraphs[0]?.segments ?? [];
    expect(segments.map((s) => [s.text, s.unresolved ?? null])).toEqual([
      ['银行会先通过', null],
      ['', 'possible-gap'],
      ['、短信等方式提醒', null],
    ]);
  });
});
