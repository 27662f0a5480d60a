import { describe, expect, it } from 'vitest';
import { buildLanguageModel, languageModel } from '../../src/normalize/language-model.js';

describe('languageModel', () => {
  const lm = languageModel();

  it('prefers real text to its GBK-shifted garbling', () => {
    expect(lm.scorePerChar('應當得到充分保障。')).toBeGreaterThan(lm.scorePerChar('應當數玫匠浞直Ｕ稀') + 3);
  });

  it('prefers the decoding of UTF-8 to its GBK mojibake', () => {
    expect(lm.scorePerChar('取得')).toBeGreaterThan(lm.scorePerChar('鍙栧緱') + 3);
  });

  it('segments a text asked again as the first time, into tokens the caller owns', () => {
    const fresh = buildLanguageModel();
    const text = '銀行貸款逾期了怎麼辦？逾期以後，征信會受到影響。😀好的';
    const first = fresh.segment(text);
    expect(first.join('')).toBe(text);
    first.push('changed by the caller');
    expect(fresh.segment(text)).toEqual(lm.segment(text));
    expect(fresh.segment(text).join('')).toBe(text);
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

  it('folds 著 by the word: 著作 and 杂著 keep it, the particle becomes 着', () => {
    expect(lm.wordLogP('著作')).toBeDefined();
    expect(lm.wordLogP('顯著')).toBe(lm.wordLogP('显著'));
    expect(lm.score('隨著')).toBeCloseTo(lm.score('随着'), 6);
    expect(lm.score('他的雜著與著作')).toBeCloseTo(lm.score('他的杂著与著作'), 6);
    expect(lm.segment('雜著與著作隨著時間')).toEqual(['雜著', '與', '著作', '隨著', '時間']);
  });

  it('segments Simplified text as it stands, with its score', () => {
    const { words, logP } = lm.segmentSimplified('随着名义利率');
    expect(words).toEqual(['随着', '名义', '利率']);
    expect(logP).toBeCloseTo(lm.score('随着名义利率'), 6);
    expect(lm.segmentSimplified('着作').logP).toBeLessThan(lm.segmentSimplified('著作').logP);
    expect(lm.simplifiedWordFrequency('杂著')).toBeGreaterThan(3);
    expect(lm.simplifiedWordFrequency('雜著')).toBe(0);
  });

  it('scores the empty string as certain', () => {
    expect(lm.score('')).toBe(0);
    expect(lm.scorePerChar('')).toBe(0);
  });
});
