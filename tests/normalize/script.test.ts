import { readFileSync } from 'node:fs';
import * as OpenCC from 'opencc-js';
import { describe, expect, it } from 'vitest';
import { convertScript, toHans } from '../../src/normalize/script/convert.js';
import { detectScript } from '../../src/normalize/script/detect.js';
import { fixHalfConverted } from '../../src/normalize/script/half-converted.js';
import { TO_HANS_OVERRIDES } from '../../src/normalize/script/overrides.js';
import type { Script } from '../../src/normalize/types.js';
import { SHARED } from '../support/seeds.js';

/** OpenCC's config names that map onto the project's conversions, and opencc-js's own locales. */
const CONFIGS: Record<string, { from: Script; to: Script; opencc: [string, string] }> = {
  s2t: { from: 'hans', to: 'hant', opencc: ['cn', 't'] },
  s2tw: { from: 'hans', to: 'tw', opencc: ['cn', 'tw'] },
  s2hk: { from: 'hans', to: 'hk', opencc: ['cn', 'hk'] },
  t2s: { from: 'hant', to: 'hans', opencc: ['t', 'cn'] },
  tw2s: { from: 'tw', to: 'hans', opencc: ['tw', 'cn'] },
  hk2s: { from: 'hk', to: 'hans', opencc: ['hk', 'cn'] },
  t2tw: { from: 'hant', to: 'tw', opencc: ['t', 'tw'] },
  t2hk: { from: 'hant', to: 'hk', opencc: ['t', 'hk'] },
  tw2t: { from: 'tw', to: 'hant', opencc: ['tw', 't'] },
  hk2t: { from: 'hk', to: 'hant', opencc: ['hk', 't'] },
};

interface TestCase {
  id: string;
  input: string;
  expected: Record<string, string>;
}

function openccCases(): TestCase[] {
  // OpenCC's file has trailing commas.
  const text = readFileSync(`${SHARED}external/opencc/testcases.json`, 'utf8').replace(/,(\s*[}\]])/g, '$1');
  return (JSON.parse(text) as { cases: TestCase[] }).cases;
}

describe("OpenCC's own test cases through the project's conversion", () => {
  const cases = openccCases();
  const checks = cases.flatMap((c) =>
    Object.entries(c.expected)
      .filter(([config]) => config in CONFIGS)
      .map(([config, expected]) => ({ id: c.id, config, input: c.input, expected })),
  );

  it('covers the configs the project converts with', () => {
    expect(checks.length).toBeGreaterThan(350);
  });

  it('passes every case opencc-js itself passes', () => {
    const regressions: string[] = [];
    const references = new Map<string, (text: string) => string>();
    let openccPasses = 0;
    for (const check of checks) {
      const { from, to, opencc } = CONFIGS[check.config] as (typeof CONFIGS)[string];
      const convert = references.get(check.config) ?? OpenCC.Converter({ from: opencc[0], to: opencc[1] });
      references.set(check.config, convert);
      const reference = convert(check.input);
      if (reference !== check.expected) continue;
      openccPasses++;
      const ours = convertScript(check.input, from, to);
      if (ours !== check.expected)
        regressions.push(`${check.id} ${check.config}: ${check.input} → ${ours}, want ${check.expected}`);
    }
    expect(regressions).toEqual([]);
    expect(openccPasses).toBeGreaterThan(300);
  });
});

describe('overrides', () => {
  it.each([...TO_HANS_OVERRIDES])('%s → %s from Taiwan and standard Traditional', (phrase, want) => {
    const traditional = convertScript(want, 'hans', 'tw');
    expect(toHans(traditional, 'tw')).toContain(want);
    expect(toHans(traditional.replace(/着/g, '著'), 'hant')).toContain(want);
    expect(phrase.endsWith('著')).toBe(true);
  });

  it('leaves 著 meaning "write, notable" alone', () => {
    expect(toHans('著作權與顯著的著名', 'hant')).toBe('著作权与显著的著名');
    expect(toHans('隨著', 'hant')).toBe('随着');
  });
});

describe('detectScript', () => {
  it.each<[string, Script]>([
    ['随着互联网金融的快速发展，各种贷款产品层出不穷。', 'hans'],
    ['隨著互聯網金融的快速發展，支付寶作為國內知名的支付平臺之一。', 'tw'],
    ['隨着互聯網金融的快速發展，支付寶作爲國內知名的支付平臺之一。', 'hant'],
    ['The loan APR is 3.5%', 'hans'],
  ])('%s → %s', (text, script) => {
    expect(detectScript(text)).toBe(script);
  });

  it('still calls half-converted Traditional text Traditional', () => {
    expect(detectScript('這背后究竟隱藏著怎樣的故事，但并沒有申請過該產品，對于騷擾電話')).not.toBe('hans');
  });
});

describe('fixHalfConverted', () => {
  it('converts Simplified leftovers in Traditional text, by context', () => {
    const result = fixHalfConverted('這背后并沒有對于雨后春筍', 'tw');
    expect(result.text).toBe('這背後並沒有對於雨後春筍');
    expect(result.repairs.map((r) => `${r.before}${r.after}`)).toEqual(['后後', '并並', '于於', '后後']);
    expect(result.repairs.every((r) => r.kind === 'script')).toBe(true);
  });

  it('leaves Traditional characters of the other standard alone', () => {
    expect(fixHalfConverted('隨著核實，作為群組', 'tw').repairs).toEqual([]);
  });

  it('folds over-converted characters back in Simplified text', () => {
    expect(fixHalfConverted('我瞭解这个', 'hans').text).toBe('我了解这个');
    expect(fixHalfConverted('壹个用户', 'hans').text).toBe('一个用户');
    expect(fixHalfConverted('人民币壹万元整', 'hans').text).toBe('人民币壹万元整');
  });

  it('changes nothing in clean text', () => {
    for (const [text, script] of [
      ['随着互联网金融的快速发展，这背后隐藏着故事。', 'hans'],
      ['隨著互聯網金融的快速發展，這背後隱藏著故事。', 'tw'],
    ] as const)
      expect(fixHalfConverted(text, script)).toEqual({ text, repairs: [], flags: [] });
  });
});
