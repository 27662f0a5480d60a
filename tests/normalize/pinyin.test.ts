import { describe, expect, it } from 'vitest';
import { isReadingOf, stripPinyinLeaks } from '../../src/normalize/pinyin.js';

describe('stripPinyinLeaks', () => {
  it('removes a reading that belongs to the character before it', () => {
    const result = stripPinyinLeaks('小編導(dǎo)語');
    expect(result.text).toBe('小編導語');
    expect(result.repairs).toEqual([{ kind: 'pinyin', before: '導(dǎo)', after: '導', confidence: 1 }]);
  });

  it('knows every reading of a polyphone', () => {
    expect(stripPinyinLeaks('銀行(háng)行(xíng)走').text).toBe('銀行行走');
    expect(stripPinyinLeaks('會(huì)計(jì)會(kuài)').text).toBe('會計會');
  });

  it('accepts a space inside the brackets and full-width brackets', () => {
    expect(stripPinyinLeaks('會(huì )員').text).toBe('會員');
    expect(stripPinyinLeaks('導（dǎo）語').text).toBe('導語');
  });

  it('keeps brackets that are not the reading of the character before them', () => {
    for (const text of [
      '（注）',
      '(A股)',
      'APP(应用)',
      '年利率(APR)',
      '行(hǎo)',
      '利率(lì lǜ)',
      '方式(fang)',
    ])
      expect(stripPinyinLeaks(text)).toEqual({ text, repairs: [], flags: [] });
  });

  it('isReadingOf ignores case and Unicode composition', () => {
    expect(isReadingOf('導', 'DǍO')).toBe(true);
    expect(isReadingOf('導', 'da\u030Co')).toBe(true);
  });
});
