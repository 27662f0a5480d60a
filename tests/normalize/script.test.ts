import { readdirSync, readFileSync } from 'node:fs';
import * as OpenCC from 'opencc-js';
import { describe, expect, it } from 'vitest';
import { restoreDeletedWords } from '../../src/normalize/deleted-words/restore.js';
import { dropParagraphs } from '../../src/normalize/layout/templates.js';
import { draftDocument, finalizeRecord } from '../../src/normalize/pipeline.js';
import { CompactTrie, chainConverter } from '../../src/normalize/script/compact-trie.js';
import { convertScript, fromHans, toHans } from '../../src/normalize/script/convert.js';
import { detectScript, hasSimplifiedOnly, isSimplifiedOnly } from '../../src/normalize/script/detect.js';
import { fixHalfConverted } from '../../src/normalize/script/half-converted.js';
import { PARTICLE_ZHE_WORDS, TO_TRADITIONAL_OVERRIDES } from '../../src/normalize/script/overrides.js';
import { keepPageForms } from '../../src/normalize/script/page-forms.js';
import { fixProseYi } from '../../src/normalize/script/prose-yi.js';
import { toTraditional } from '../../src/normalize/script/to-traditional.js';
import type { Script } from '../../src/records/scripts.js';
import { profileWord } from '../support/profile-word.js';
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

describe('著 and 着 by the word', () => {
  it.each([...PARTICLE_ZHE_WORDS])('%s from Taiwan and standard Traditional written with 著', (want) => {
    const traditional = convertScript(want, 'hans', 'tw');
    expect(traditional).toContain('著');
    expect(toHans(traditional, 'tw')).toBe(want);
    expect(toHans(traditional, 'hant')).toBe(want);
  });

  it.each<[string, string]>([
    ['雜著', '杂著'],
    ['著作', '著作'],
    ['顯著', '显著'],
    ['著名', '著名'],
    ['著稱', '著称'],
    ['土著', '土著'],
    ['卓著', '卓著'],
    ['名著', '名著'],
    ['原著', '原著'],
    ['論著', '论著'],
    ['合著', '合著'],
    ['臭名昭著', '臭名昭著'],
    ['著錄', '著录'],
  ])('%s keeps 著 (%s) from every Traditional standard', (traditional, want) => {
    for (const from of ['tw', 'hant', 'hk'] as const) expect(toHans(traditional, from)).toBe(want);
  });

  it.each<[string, string]>([
    ['看著', '看着'],
    ['隨著', '随着'],
    ['著急', '着急'],
    ['著手', '着手'],
    ['著陸', '着陆'],
    ['著重', '着重'],
    ['著想', '着想'],
    ['沉著', '沉着'],
    ['衣著', '衣着'],
    ['著眼於', '着眼于'],
    ['意味著', '意味着'],
    ['緊接著', '紧接着'],
  ])('%s is %s in Simplified, from Taiwan and standard Traditional', (traditional, want) => {
    expect(toHans(traditional, 'tw')).toBe(want);
    expect(toHans(traditional, 'hant')).toBe(want);
  });

  it('weighs the words on both sides of a 著 against each other', () => {
    // 著名 is a word, but 随着 and 名义 segment the clause better; 杂著 beats 杂 + 着.
    expect(toHans('隨著名義利率上升，這本雜著又顯得著名了', 'tw')).toBe(
      '随着名义利率上升，这本杂著又显得著名了',
    );
    expect(toHans('看著名單', 'tw')).toBe('看着名单');
  });

  it('keeps 著 of standard and Hong Kong Traditional where no word says otherwise, as OpenCC does', () => {
    expect(toHans('慰藉著受傷的心靈', 'hant')).toBe('慰藉著受伤的心灵');
    expect(toHans('慰藉著受傷的心靈', 'hk')).toBe('慰藉著受伤的心灵');
    expect(toHans('慰藉著受傷的心靈', 'tw')).toBe('慰藉着受伤的心灵');
  });

  it('repairs the particle written 著 in a Simplified page, and leaves 著作 alone', () => {
    const result = fixHalfConverted('随著市场变化，他的著作和杂著都很显著。', 'hans');
    expect(result.text).toBe('随着市场变化，他的著作和杂著都很显著。');
    expect(result.repairs.map((r) => `${r.kind} ${r.before}${r.after}`)).toEqual(['script 著着']);
  });

  it('gives a 著 that belongs to no word the reading of its standard', () => {
    expect(toHans('隨着時間推移，著', 'hant')).toBe('随着时间推移，著');
    expect(toHans('隨着時間推移，著', 'tw')).toBe('随着时间推移，着');
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

describe('hasSimplifiedOnly', () => {
  it('says what asking each character would, surrogates included', () => {
    for (const text of [
      '',
      '背後的問題',
      '背后的問題',
      '問題\uD83D后',
      '\uD83D\uDE00后',
      '𠮷野家',
      '\uDE00并',
      '這個',
    ])
      expect(hasSimplifiedOnly(text), text).toBe([...text].some(isSimplifiedOnly));
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

describe('壹 in prose and in amounts', () => {
  const yiRepairs = (text: string, script: Script = 'hans') =>
    fixProseYi(text, script).repairs.filter((r) => r.before === '壹' && r.after === '一').length;

  it.each<[string, string]>([
    ['壹般来说，逾期三天以内不会上报征信。', '一般来说，逾期三天以内不会上报征信。'],
    ['还款前壹定要核对账单金额。', '还款前一定要核对账单金额。'],
    ['根据《商业银行法》第壹百二十八条的规定处理。', '根据《商业银行法》第一百二十八条的规定处理。'],
    ['壹些平台会收取服务费。', '一些平台会收取服务费。'],
    ['欠款壹拖再拖，利息越滚越多。', '欠款一拖再拖，利息越滚越多。'],
    ['借款人统壹在每月壹日还款，壹万多人受影响。', '借款人统一在每月一日还款，一万多人受影响。'],
    ['等壹分钟再刷新，壹整天都没到账。', '等一分钟再刷新，一整天都没到账。'],
  ])('%s → 一 in prose', (text, want) => {
    const result = fixProseYi(text, 'hans');
    expect(result.text).toBe(want);
    expect(result.repairs.length).toBe([...text].filter((ch) => ch === '壹').length);
    expect(result.repairs.every((r) => r.kind === 'script' && r.before === '壹' && r.after === '一')).toBe(
      true,
    );
  });

  it.each([
    '借款金额为壹万贰仟元。',
    '合同写明人民币壹佰元整。',
    '利息共计贰拾壹元。',
    '大写：壹万元整',
    '￥壹仟伍佰元',
    '本金壹拾壹万元，月息贰角壹分。',
    '平安壹钱包和金融壹账通都提供这项服务。',
    '据零壹财经报道，该平台已经停止放款。',
  ])('%s keeps its 壹', (text) => {
    expect(fixProseYi(text, 'hans')).toEqual({ text, repairs: [], flags: [] });
  });

  it('decides each run of a line on its own', () => {
    const text = '壹般情况下，借款人需偿还人民币壹万贰仟元，壹次还清。';
    expect(fixProseYi(text, 'hans').text).toBe('一般情况下，借款人需偿还人民币壹万贰仟元，一次还清。');
    expect(yiRepairs(text)).toBe(2);
  });

  it('repairs Traditional prose too, where 萬 is no capital', () => {
    expect(fixProseYi('壹般來說，壹萬多人申請過，貸款金額為壹萬貳仟元。', 'tw').text).toBe(
      '一般來說，一萬多人申請過，貸款金額為壹萬貳仟元。',
    );
    expect(fixProseYi('金額壹萬元', 'hans').text).toBe('金額壹萬元');
    expect(fixProseYi('共壹萬', 'hans').text).toBe('共壹萬');
  });

  it('reports its repairs through fixHalfConverted', () => {
    const result = fixHalfConverted('壹般我瞭解，第壹百二十八条', 'hans');
    expect(result.text).toBe('一般我了解，第一百二十八条');
    expect(result.repairs.map((r) => `${r.before}${r.after}`)).toEqual(['瞭了', '壹一', '壹一']);
  });
});

describe('finance vocabulary to Traditional', () => {
  const traditional = ['hant', 'tw', 'hk'] as const;
  const reference = Object.fromEntries(
    traditional.map((to) => [
      to,
      OpenCC.Converter({ from: 'cn', to: { hant: 't', tw: 'tw', hk: 'hk' }[to] }),
    ]),
  );

  it.each<[string, string]>([
    ['发卡银行会在七个工作日内寄出新卡。', '發卡銀行會在七個工作日內寄出新卡。'],
    ['押金发放时间以银行通知为准。', '押金發放時間以銀行通知爲準。'],
    ['资金发放到账后再还款。', '資金發放到賬後再還款。'],
    ['这只基金发行时认购的人很多。', '這隻基金發行時認購的人很多。'],
    ['房贷需要本人到网点面签，也可以网上签约。', '房貸需要本人到網點面簽，也可以網上簽約。'],
    ['其中签订的借款合同须由本人签字。', '其中簽訂的借款合同須由本人簽字。'],
    ['交易失败时系统会自动冲正，冲账后余额恢复。', '交易失敗時系統會自動沖正，沖賬後餘額恢復。'],
    ['资金链断裂的平台往往逾期严重。', '資金鏈斷裂的平臺往往逾期嚴重。'],
    ['补办需要缴纳制卡费。', '補辦需要繳納製卡費。'],
  ])('%s', (text, want) => {
    expect(toTraditional(text, 'hant')).toBe(want);
    for (const to of traditional) {
      const ours = toTraditional(text, to);
      // Elsewhere the regional standards differ from OpenCC's only as opencc-js makes them.
      expect(ours).toBe(convertScript(want, 'hant', to));
      expect(fromHans(text, to)).toBe(ours);
    }
    expect(reference.hant?.(text)).not.toBe(want);
  });

  it.each([
    ['她的头发卡住了拉链。', '她的頭髮卡住了拉鏈。'],
    ['商品标签上写着价格。', '商品標籤上寫着價格。'],
    ['新股中签率很低，摇号中签要看运气。', '新股中籤率很低，搖號中籤要看運氣。'],
    ['对冲基金和冲销分录。', '對沖基金和沖銷分錄。'],
    ['理发店不收信用卡。', '理髮店不收信用卡。'],
  ])('%s keeps what opencc-js gets right', (text, want) => {
    expect(toTraditional(text, 'hant')).toBe(want);
    expect(reference.hant?.(text)).toBe(want);
  });

  it('writes every override as it says, from every standard', () => {
    for (const [simplified, standard] of TO_TRADITIONAL_OVERRIDES) {
      expect(toTraditional(simplified, 'hant')).toBe(standard);
      for (const to of traditional) expect(toHans(toTraditional(simplified, to), to)).toBe(simplified);
    }
  });
});

describe('script fixes through the normalizer', () => {
  const page = (title: string, ...paragraphs: string[]) => ({
    url: 'https://faq.example/loan/7.html',
    body: Buffer.from(
      `<!DOCTYPE html><html><body><article><h1>${title}</h1>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</article></body></html>`,
    ),
  });

  it('repairs 壹 in prose as a script repair and keeps the amount', () => {
    const draft = draftDocument(
      page(
        '借款合同的金额怎么写',
        '壹般来说，合同金额要用大写书写，比如人民币壹万贰仟元整。',
        '根据第壹百二十八条，借款人壹定要按期还款。',
      ),
    );
    expect(draft.paragraphs).toEqual([
      '一般来说，合同金额要用大写书写，比如人民币壹万贰仟元整。',
      '根据第一百二十八条，借款人一定要按期还款。',
    ]);
    const yi = draft.repairs.filter((r) => r.before === '壹');
    expect(yi.map((r) => [r.kind, r.paragraph, r.after])).toEqual([
      ['script', 0, '一'],
      ['script', 1, '一'],
      ['script', 1, '一'],
    ]);
  });

  it('keeps 著 of 雜著 and 著作 from a Taiwan page, in Simplified and back in Taiwan script', () => {
    const draft = draftDocument(
      page('理財書籍推薦', '這本雜著收錄了他的著作，隨著市場變化，書中的觀點顯得很有遠見。'),
    );
    expect(draft.script).toBe('tw');
    expect(draft.paragraphs).toEqual(['这本杂著收录了他的著作，随着市场变化，书中的观点显得很有远见。']);
    expect(finalizeRecord(draft, 'tw').paragraphs).toEqual([
      '這本雜著收錄了他的著作，隨著市場變化，書中的觀點顯得很有遠見。',
    ]);
  });

  it('writes 發卡 and 發放 when a Simplified page is published in Traditional', () => {
    const draft = draftDocument(
      page('信用卡额度怎么提', '发卡银行会根据用卡情况调整额度，资金发放到账后即可使用。'),
    );
    for (const to of ['hant', 'tw', 'hk'] as const) {
      const [paragraph] = finalizeRecord(draft, to).paragraphs;
      expect(paragraph).toContain('發卡銀行');
      expect(paragraph).toContain('資金發放');
      expect(paragraph).not.toContain('髮');
    }
  });
});

describe('CompactTrie', () => {
  const configs = OpenCC.Locale.configs as unknown as Record<
    string,
    { segmentation?: string[]; conversionChain: string[][] }
  >;
  const seeds = readdirSync(`${SHARED}seeds/`)
    .filter((name) => name.endsWith('.txt'))
    .map((name) => readFileSync(`${SHARED}seeds/${name}`, 'utf8'));
  const texts = [
    '',
    '基金发行前，发卡银行要先面签；头发卡住了。',
    '网上签约⿰氵青和⿱⿰木木土以及⿰氵',
    '𠮷野家的发票\uD83D并且\uDE00后来',
    ...seeds,
    ...seeds.map((text) => toHans(text, 'tw')),
  ];

  it('segments and converts as the Trie of opencc-js does, for every group of its conversions', () => {
    for (const name of ['s2t', 's2tw', 's2hk', 'tw2s']) {
      const config = configs[name];
      if (!config) throw new Error(name);
      const groups = [...(config.segmentation ? [config.segmentation] : []), ...config.conversionChain];
      for (const group of groups) {
        const theirs = new OpenCC.Trie();
        theirs.loadDictGroup(group);
        const ours = new CompactTrie();
        ours.loadDictGroup(group);
        for (const text of texts) {
          expect(ours.segment(text)).toEqual(theirs.segment(text));
          expect(ours.convert(text)).toBe(theirs.convert(text));
        }
      }
      const factory = OpenCC.ConverterFactory(...config.conversionChain);
      const chained = chainConverter(config.conversionChain);
      for (const text of texts) expect(chained(text)).toBe(factory(text));
    }
  });

  it('converts to Simplified as opencc-js’s Converter does, from each Traditional standard', () => {
    // 著 aside: toHans decides it by the word afterwards (`zhu-zhe.ts`).
    const traditional = texts.map((text) => text.replaceAll('著', '書'));
    const locales: [Script, string][] = [
      ['tw', 'tw'],
      ['hk', 'hk'],
      ['hant', 't'],
    ];
    for (const [from, locale] of locales) {
      const theirs = OpenCC.Converter({ from: locale, to: 'cn' });
      for (const text of [...traditional, traditional.join('\n')])
        expect(toHans(text, from)).toBe(theirs(text));
    }
  });

  it('lets the first dictionary of a group win, as opencc-js does', () => {
    const trie = new CompactTrie();
    trie.loadDictGroup([
      '发 發|发卡 發卡',
      [
        ['发', '髮'],
        ['发卡', '髮卡'],
      ],
    ]);
    expect(trie.convert('发卡发')).toBe('發卡發');
  });
});

describe("a Traditional page's own characters through Simplified and back", () => {
  const taiwanPage = (...paragraphs: string[]) => ({
    url: 'https://bank.example.tw/faq/3.html',
    text: ['為什麼辦信用卡之前要看這裡', ...paragraphs].join('\n'),
  });

  it('keeps 瞭 of a Taiwan page that the way back would write 了 (先瞭解), with no repair', () => {
    const paragraph = '申請信用卡之前，最好先瞭解銀行的審核標準與還款規則。';
    // The way back alone loses the page's character: OpenCC's scan takes 先了 before 了解.
    expect(fromHans(toHans(paragraph, 'tw'), 'tw')).toContain('先了解');
    const draft = draftDocument(taiwanPage(paragraph));
    expect(draft.script).toBe('tw');
    expect(draft.forms).toEqual([{ paragraph: 0, offset: 11, page: '瞭', hans: '了' }]);
    const record = finalizeRecord(draft, 'tw');
    expect(record.paragraphs).toEqual([paragraph]);
    expect(record.repairs.filter((r) => r.kind === 'script')).toEqual([]);
    // In another script the conversion is what was asked for.
    expect(finalizeRecord(draft, 'hans').paragraphs[0]).toContain('先了解');
  });

  it("records the way back's change where the page wrote the Simplified character (伙 → 夥)", () => {
    const draft = draftDocument(taiwanPage('銀行應加強對合作伙伴的管理，保障用戶的資料安全。'));
    const record = finalizeRecord(draft, 'tw');
    expect(record.paragraphs).toEqual(['銀行應加強對合作夥伴的管理，保障用戶的資料安全。']);
    expect(record.repairs.filter((r) => r.kind === 'script')).toEqual([
      { kind: 'script', paragraph: 0, before: '伙', after: '夥', confidence: 0.95 },
    ]);
  });

  it('leaves a Simplified page without forms, and passes over a form whose place moved', () => {
    expect(
      draftDocument({ url: 'https://a.example/1', text: '标题\n我们先了解一下银行的规则。' }).forms,
    ).toBe(undefined);
    const form = { offset: 3, page: '瞭', hans: '了' };
    expect(keepPageForms('我們先了解', '我们先了解', [form], 'tw')).toEqual({
      text: '我們先瞭解',
      repairs: [],
    });
    expect(keepPageForms('我們先了解', '我们先了解', [{ ...form, offset: 2 }], 'tw')).toEqual({
      text: '我們先了解',
      repairs: [],
    });
  });

  it('moves the forms past the words restored before them, and with the paragraphs dropped', () => {
    const draft = draftDocument(taiwanPage('很多人接到騷擾 後，都想先瞭解銀行的規則。'));
    expect(draft.forms).toEqual([{ paragraph: 0, offset: 12, page: '瞭', hans: '了' }]);
    const restored = restoreDeletedWords(draft, {
      source: 'bank.example.tw',
      documents: 1,
      words: [profileWord('电话', 1)],
    });
    expect(restored.forms).toEqual([{ paragraph: 0, offset: 14, page: '瞭', hans: '了' }]);
    expect(finalizeRecord(restored, 'tw').paragraphs).toEqual([
      '很多人接到騷擾電話後，都想先瞭解銀行的規則。',
    ]);
    const two = draftDocument(taiwanPage('第一段沒有什麼。', '要先瞭解規則。'));
    const [form] = two.forms ?? [];
    expect(form?.page).toBe('瞭');
    const at = form?.paragraph as number;
    expect(dropParagraphs(two, new Set([at - 1])).forms).toEqual([{ ...form, paragraph: at - 1 }]);
  });
});
