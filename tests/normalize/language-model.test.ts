import { describe, expect, it } from 'vitest';
import { languageModel } from '../../src/normalize/language-model.js';

describe('languageModel', () => {
  const lm = languageModel();

  it('prefers real text to its GBK-shifted garbling', () => {
    expect(lm.scorePerChar('應當得到充分保障。')).toBeGreaterThan(lm.scorePerChar('應當數玫匠浞直Ｕ稀') + 3);
  });

  it('prefers the decoding of UTF-8 to its GBK mojibake', () => {
    expect(lm.scorePerChar('取得')).toBeGreaterThan(lm.scorePerChar('鍙栧緱') + 3);
  });

  it('scores Traditional and Simplified alike', () => {
    expect(lm.score('騷擾電話')).toBeCloseTo(lm.score('骚扰电话'), 6);
  });

  it('knows dictionary compounds and unknown characters', () => {
    expect(lm.wordLogP('电话')).toBeLessThan(0);
    expect(lm.wordLogP('電話')).toBe(lm.wordLogP('电话'));
    expect(lm.wordLogP('不是一个词语吧')).toBeUndefined();
    expect(lm.charLogP('\u{E000}')).toBeLessThan(lm.charLogP('的'));
  });

  it('scores the empty string as certain', () => {
    expect(lm.score('')).toBe(0);
    expect(lm.scorePerChar('')).toBe(0);
  });
});
