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
