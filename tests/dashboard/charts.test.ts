import { describe, expect, it } from 'vitest';
import { jsonForScript, publishedOverTime, repairsBySource } from '../../src/dashboard/charts.js';
import type { SourceTotals } from '../../src/publish/types.js';

const totals = (source: string, repairs: Record<string, number>): SourceTotals => ({
  source,
  records: 1,
  duplicates: 0,
  versions: 1,
  last_stored_at: null,
  repairs,
  flags: {},
});

describe('chart data', () => {
  it('stacks repairs by kind per source, only the kinds that occur, in the contract order', () => {
    const data = repairsBySource([totals('a', { punctuation: 3, pinyin: 1 }), totals('b', { pinyin: 2 })]);
    expect(data.labels).toEqual(['a', 'b']);
    expect(data.datasets).toEqual([
      { label: 'pinyin', data: [1, 2] },
      { label: 'punctuation', data: [3, 0] },
    ]);
  });

  it('fills the hours or days a source published nothing with zero', () => {
    const data = publishedOverTime(
      [
        { bucket: '2026-11-23T18:00:00.000Z', source: 'b', versions: 4 },
        { bucket: '2026-11-23T17:00:00.000Z', source: 'a', versions: 2 },
      ],
      'hour',
    );
    expect(data.labels).toEqual(['2026-11-23 17:00', '2026-11-23 18:00']);
    expect(data.datasets).toEqual([
      { label: 'a', data: [2, 0] },
      { label: 'b', data: [0, 4] },
    ]);
    expect(
      publishedOverTime([{ bucket: '2026-11-23T00:00:00.000Z', source: 'a', versions: 1 }], 'day').labels,
    ).toEqual(['2026-11-23']);
  });

  it('writes JSON that crawled text cannot break out of a script element with', () => {
    const json = jsonForScript({ source: '</script><script>alert(1)</script>&\u2028' });
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({ source: '</script><script>alert(1)</script>&\u2028' });
  });
});
