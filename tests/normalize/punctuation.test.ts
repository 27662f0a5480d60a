import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixAsciiPunctuation } from '../../src/normalize/punctuation.js';

describe('fixAsciiPunctuation', () => {
  it.each([
    ['發展,各種', '發展，各種'],
    ['包括:', '包括：'],
    ['故事?本站', '故事？本站'],
    ['利率高;期限短!', '利率高；期限短！'],
    ['下載支付寶APP,註冊', '下載支付寶APP，註冊'],
    ['成立於2015年,是', '成立於2015年，是'],
  ])('%s → %s', (input, output) => {
    const result = fixAsciiPunctuation(input);
    expect(result.text).toBe(output);
    expect(result.repairs.length).toBe([...input].filter((c) => ',:;?!'.includes(c)).length);
  });

  it.each([
    '2024-10-02 23:26:37',
    '金額為1,000,000元',
    'APP, SDK: v1.1',
    'http://example.cn/a?b=1',
    '1.1 產品概述',
  ])('leaves %s alone', (text) => {
    expect(fixAsciiPunctuation(text)).toEqual({ text, repairs: [], flags: [] });
  });
});

describe('fixAsciiPunctuation on runs of marks', () => {
  /** What a mark decides on: the nearest character either side that is not a space or a mark. */
  function reference(text: string): string {
    const skipped = (ch: string) => ch === ' ' || ',:;?!'.includes(ch);
    const wide: Record<string, string> = { ',': '，', ':': '：', ';': '；', '?': '？', '!': '！' };
    const chinese = (ch: string | undefined) => ch !== undefined && /[\p{Script=Han}，。]/u.test(ch);
    return text.replace(/[,:;?!]/g, (mark, index: number) => {
      let before: string | undefined;
      for (let i = index - 1; i >= 0 && before === undefined; i--)
        if (!skipped(text[i] as string)) before = text[i];
      let after: string | undefined;
      for (let i = index + 1; i < text.length && after === undefined; i++)
        if (!skipped(text[i] as string)) after = text[i];
      if (!chinese(before) && !chinese(after)) return mark;
      if (before && after && /[0-9]/.test(before) && /[0-9]/.test(after)) return mark;
      return wide[mark] as string;
    });
  }

  it('decides each mark of a run by the characters around the run', () => {
    const pieces = fc.constantFrom(...'贷 款 ， 。 a 1 , : ; ? ! ?? ?!?'.split(' '), ' ');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 60 }), (parts) => {
        const text = parts.join('');
        expect(fixAsciiPunctuation(text).text).toBe(reference(text));
      }),
      { numRuns: 300 },
    );
  });

  it('repairs a run of 200,000 question marks between Chinese, one repair each', () => {
    const text = `贷款${'?'.repeat(200_000)}逾期`;
    const result = fixAsciiPunctuation(text);
    expect(result.text).toBe(`贷款${'？'.repeat(200_000)}逾期`);
    expect(result.repairs.length).toBe(200_000);
  });
});
