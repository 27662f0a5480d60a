/**
 * Every gap keeps its place (issue 13): a marked gap no word fills is listed in the record's
 * `unresolved` as a zero-width `possible-gap` at the place, in code points of the published
 * paragraph, in whatever script the record or the feed shows.
 */
import { describe, expect, it } from 'vitest';
import { restoreDeletedWords } from '../../src/normalize/deleted-words/restore.js';
import { draftDocument, finalizeRecord, normalizeDocument } from '../../src/normalize/pipeline.js';
import { convertKeepingUnresolved, PLACEHOLDER } from '../../src/normalize/protected-runs.js';
import { convertLines, convertScript } from '../../src/normalize/script/convert.js';
import type { DraftDocument } from '../../src/records/draft.js';
import type { Unresolved } from '../../src/records/repairs.js';
import { profileWord } from '../support/profile-word.js';

const gap = (paragraph: number, start: number): Unresolved => ({
  kind: 'possible-gap',
  paragraph,
  start,
  end: start,
});

/** The text around each listed place, with `⁁` at the place. */
function around(record: { paragraphs: string[]; unresolved: Unresolved[] }): string[] {
  return record.unresolved.map((u) => {
    const chars = [...(record.paragraphs[u.paragraph] as string)];
    return `${chars.slice(Math.max(0, u.start - 4), u.start).join('')}⁁${chars.slice(u.end, u.end + 4).join('')}`;
  });
}

describe('a marked gap nothing fills', () => {
  const text = '銀行會先通過 、短信等方式提醒。\n催收包括 催收、短信催收。';

  it('is listed at its place, the space closed', () => {
    for (const to of ['tw', 'hans', 'hant'] as const) {
      const record = normalizeDocument({ url: 'https://farm.example/1', text }, { to });
      expect(record.paragraphs[0]).not.toContain(' ');
      expect(record.unresolved).toEqual([gap(0, 6), gap(1, 4)]);
      expect(record.flags).toContain('possible-gap');
    }
    const hans = normalizeDocument({ url: 'https://farm.example/1', text }, { to: 'hans' });
    expect(around(hans)).toEqual(['会先通过⁁、短信等', '催收包括⁁催收、短']);
  });

  it('counts code points, not UTF-16 units', () => {
    const record = normalizeDocument({
      url: 'https://farm.example/2',
      text: '𠀀銀行會先通過 、短信等方式提醒。',
    });
    expect(record.unresolved).toEqual([gap(0, 7)]);
  });

  it('moves past the words restored before it, and goes when it is filled', () => {
    // A marked gap 电话 fills, then a 在 frame left open (`在…的_保护`), which only a closer fills.
    const draft = draftDocument({
      url: 'https://farm.example/3',
      text: '很多人接到骚扰 后，在提供便捷服务的保护用户的隐私。',
    });
    expect(draft.gaps.map((g) => [g.offset, g.evidence])).toEqual([
      [7, 'marked'],
      [17, 'frame'],
    ]);
    const restored = restoreDeletedWords(draft, {
      source: 'farm.example',
      documents: 1,
      words: [profileWord('电话', 1)],
    });
    const record = finalizeRecord(restored, 'hans');
    expect(record.paragraphs).toEqual(['很多人接到骚扰电话后，在提供便捷服务的保护用户的隐私。']);
    expect(around(record)).toEqual(['捷服务的⁁保护用户']);
    expect(record.unresolved).toEqual([gap(0, 19)]);
  });

  it('is placed after the garbled runs held out before it, at their full length', () => {
    const run = '?zzz)玫匠';
    const draft: DraftDocument = {
      ...draftDocument({ url: 'https://farm.example/4', text: 'x' }),
      paragraphs: [`理财${PLACEHOLDER}，通过、短信`],
      gaps: [{ paragraph: 0, offset: 6, evidence: 'marked' }],
      runs: [{ paragraph: 0, kind: 'unrepaired-mojibake', text: run }],
      flags: ['possible-gap', 'unrepaired-mojibake'],
    };
    const record = finalizeRecord(draft, 'tw');
    expect(record.paragraphs).toEqual([`理財${run}，通過、短信`]);
    expect(record.unresolved).toEqual([
      { kind: 'unrepaired-mojibake', paragraph: 0, start: 2, end: 2 + [...run].length },
      gap(0, 5 + [...run].length),
    ]);
  });
});

describe('places through the feed and the dashboard conversion', () => {
  const convert = (from: 'tw' | 'hans', to: 'tw' | 'hans') => (lines: string[]) =>
    convertLines(lines, (t) => convertScript(t, from, to));

  it('a zero-width place moves with the text and does not cut the conversion', () => {
    const record = { title: null, paragraphs: ['银行会先通过、短信等方式提醒'], unresolved: [gap(0, 6)] };
    // A converter that changes only a phrase spanning the place shows whether it was cut there.
    const joined = (lines: string[]) => lines.map((l) => l.replace('通过、', '通過、'));
    expect(convertKeepingUnresolved(record, joined)).toEqual({
      title: null,
      paragraphs: ['银行会先通過、短信等方式提醒'],
      unresolved: [gap(0, 6)],
    });
    expect(convertKeepingUnresolved(record, convert('hans', 'tw')).unresolved).toEqual([gap(0, 6)]);
  });

  it('when the conversion changes the length, each place lands where its text does', () => {
    const record = {
      title: '提醒',
      paragraphs: ['甲乙丙丁戊', '甲乙'],
      unresolved: [gap(0, 2), gap(0, 4), gap(-1, 2)],
    };
    const longer = (lines: string[]) => lines.map((l) => l.replaceAll('乙', '乙乙'));
    expect(convertKeepingUnresolved(record, longer)).toEqual({
      title: '提醒',
      paragraphs: ['甲乙乙丙丁戊', '甲乙乙'],
      unresolved: [gap(-1, 2), gap(0, 3), gap(0, 5)],
    });
  });

  it('a place beside a garbled run keeps both where they are', () => {
    const run = '?zzz)玫匠';
    const record = {
      title: null,
      paragraphs: [`銀行${run}通過、簡訊`],
      unresolved: [
        { kind: 'unrepaired-mojibake' as const, paragraph: 0, start: 2, end: 2 + [...run].length },
        gap(0, 2 + [...run].length + 2),
      ],
    };
    const converted = convertKeepingUnresolved(record, convert('tw', 'hans'));
    expect(converted.paragraphs).toEqual([`银行${run}通过、简讯`]);
    expect(converted.unresolved).toEqual(record.unresolved);
  });
});
