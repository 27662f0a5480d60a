import iconv from 'iconv-lite';
import { pinyin } from 'pinyin-pro';
import { describe, expect, it } from 'vitest';
import { repairGbkTails } from '../../src/normalize/gbk-tail.js';
import { expectedSeed, SEED_NAMES } from '../support/seeds.js';

/**
 * Garbles everything after `anchor` as FAULTS.md §2 describes: decode from the anchor's trail byte,
 * lose the first straddling character (optionally after its reading), fold full width to ASCII,
 * and let the last lone byte swallow the `<` of `</p>`. Undefined when a pair is not a character.
 */
function garbleAfter(text: string, anchor: number, withReading: boolean): string | undefined {
  const bytes = iconv.encode(text.slice(anchor), 'gbk');
  if (bytes.length % 2 !== 0) return undefined;
  const chars: string[] = [];
  for (let i = 1; i + 1 < bytes.length; i += 2) {
    const ch = iconv.decode(bytes.subarray(i, i + 2), 'gbk');
    if (ch.length !== 1 || ch === '\uFFFD' || /[\ue000-\uf8ff]/.test(ch)) return undefined;
    chars.push(ch);
  }
  const [lost, ...run] = chars;
  if (!lost || run.length === 0 || (withReading && !/\p{Script=Han}/u.test(lost))) return undefined;
  const reading = withReading ? `${pinyin(lost, { multiple: true, type: 'array' })[0]})` : '';
  if (withReading && !/^[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)$/u.test(reading)) return undefined;
  const folded = run
    .join('')
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  return `${text.slice(0, anchor + 1)}?${reading}${folded}?/p>`;
}

describe('repairGbkTails', () => {
  it('repairs the seed tails exactly', () => {
    expect(repairGbkTails('用戶的信息安全應當?shù)玫匠浞直U稀?/p>').text).toBe(
      '用戶的信息安全應當得到充分保障。',
    );
    expect(repairGbkTails('包括但不限于信貸、支付、理財?shù)取?/p>').text).toBe(
      '包括但不限于信貸、支付、理財等。',
    );
  });

  it('records the repair with the character before the run as context', () => {
    const { repairs, flags } = repairGbkTails('理財?shù)取?/p>');
    expect(repairs).toHaveLength(1);
    expect(repairs[0]).toMatchObject({ kind: 'mojibake', before: '財?shù)取?/p>', after: '財等。' });
    expect(repairs[0]?.confidence).toBeGreaterThanOrEqual(0.5);
    expect(flags).toEqual([]);
  });

  it('repairs tails it garbles itself, with and without a reading', () => {
    // Tails arise only where every straddling pair is a GBK character: try the ends of the seeds' paragraphs.
    const sentences = SEED_NAMES.flatMap((name) => expectedSeed(name).paragraphs_tw).filter((p) =>
      p.endsWith('。'),
    );
    let tested = 0;
    for (const sentence of sentences)
      for (let anchor = Math.max(1, sentence.length - 10); anchor < sentence.length - 2; anchor++)
        for (const withReading of [true, false]) {
          const garbled = garbleAfter(sentence, anchor, withReading);
          if (!garbled) continue;
          tested++;
          const result = repairGbkTails(garbled);
          // Without a reading the first character is the model's pick: right, or flagged and kept.
          if (withReading) expect(result.text).toBe(sentence);
          else expect([sentence, garbled]).toContain(result.text);
        }
    expect(tested).toBeGreaterThanOrEqual(20);
  });

  it('leaves an ASCII question mark before ordinary text alone', () => {
    for (const text of ['這背後究竟隱藏著怎樣的故事?本站將對此進行深入探討。', '真的嗎?', '?', '什麼?!'])
      expect(repairGbkTails(text)).toEqual({ text, repairs: [], flags: [] });
  });

  it('flags a run it cannot read with confidence instead of guessing', () => {
    // A reading that no GBK character with that lead byte has: the run is not repairable.
    const result = repairGbkTails('應當?zzz)玫匠浞直U稀?/p>');
    expect(result.text).toBe('應當?zzz)玫匠浞直U稀?/p>');
  });
});
