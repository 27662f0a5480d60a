/**
 * Properties of the normalizer, checked with fast-check on generated input:
 * - it never throws, whatever the bytes or characters, as text, HTML or a raw body;
 * - it is idempotent: its output paragraphs, fed back as a text dump, come out unchanged;
 * - clean prose passes through untouched, in Simplified and in Traditional.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeDocument } from '../src/normalize/pipeline.js';
import { fromHans } from '../src/normalize/script/convert.js';
import type { RawDocument } from '../src/records/raw.js';
import type { Unresolved } from '../src/records/repairs.js';
import { SCRIPTS } from '../src/records/scripts.js';
import { generateArticle, KNOWN_HARD_SENTENCES } from './support/article-generator.js';
import { FAULT_KINDS, injectFaults, type PageScript } from './support/fault-injector.js';

const TEXT_URL = 'file:///dumps/property.txt';
const HTML_URL = 'https://www.example-farm.cn/article/property.html';

/**
 * Pieces of the pages this project reads, so that random strings hit the normalizer's actual
 * paths (readings, garbled runs, residue, markup, mojibake) and not only noise.
 */
// biome-ignore format: a list of pieces reads best packed
const PAGE_PIECES = [
  '的', '银', '行', '還', '款', '后', '後', '并', '於', '电话', '問題', '逾期', '征信', '小編導', '语',
  '，', '。', '？', '！', '：', '“', '”', '、', ',', ':', '?', '!', ';', ' ', '\n', '\n\n', '\t',
  '(', ')', '（', '）', '(dǎo)', '(huì )', '(shù)', '(APR)', '?shù)', '?/p>', '</p>', '<p>', '<h1>', '<ruby>', '<rt>',
  '<br>', '&amp;', '&#', '_x0008_', '\u0000', '\u0008', '\uFFFD', '\uFEFF', '\u200B', '鍙栧緱', 'ç¾Ž', '玫匠浞直U稀',
  '2024-10-02 23:26:37', '逾期法務 2024-10-02 23:26:37', '1.1 ', '一、', '投訴', '相關推薦', '声明:资讯来源于网络',
  '15070879527', '3590931873@qq.com', 'APP', '3.6%', '𠀀', '😀', 'a', '1',
];
const pageLikeText = fc
  .array(fc.constantFrom(...PAGE_PIECES), { maxLength: 120 })
  .map((pieces) => pieces.join(''));
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), pageLikeText);

/** The record is well formed, whatever went in. */
function expectRecord(raw: RawDocument): void {
  const record = normalizeDocument(raw);
  expect(Array.isArray(record.paragraphs)).toBe(true);
  for (const p of record.paragraphs) expect(typeof p).toBe('string');
  expect(SCRIPTS).toContain(record.script);
}

describe('normalizeDocument never throws', () => {
  it('on arbitrary bytes as a raw body (text dump and HTML)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.boolean(), (bytes, html) => {
        expectRecord({ url: html ? HTML_URL : TEXT_URL, body: bytes });
      }),
      { numRuns: 150 },
    );
  });

  it('on arbitrary strings as text, as HTML, and as UTF-8 bytes', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expectRecord({ url: TEXT_URL, text });
        expectRecord({ url: HTML_URL, html: text });
        expectRecord({ url: HTML_URL, body: new TextEncoder().encode(text) });
      }),
      { numRuns: 200 },
    );
  });

  it('on faulty generated pages', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.subarray([...FAULT_KINDS]),
        fc.constantFrom<PageScript>('hans', 'tw', 'hant'),
        (seed, faults, script) => {
          expectRecord(injectFaults(generateArticle(seed), { seed, faults, script }).raw);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('normalizeDocument is idempotent', () => {
  /**
   * Whether `twice` is `once` with only its listed runs changed: the text between and around the
   * runs is there, in order, and nothing else.
   */
  function changedOnlyInRuns(once: string, twice: string, runs: readonly Unresolved[]): boolean {
    const chars = [...once];
    const kept: string[] = [];
    let at = 0;
    for (const run of [...runs].sort((a, b) => a.start - b.start)) {
      kept.push(chars.slice(at, run.start).join(''));
      at = run.end;
    }
    kept.push(chars.slice(at).join(''));
    const head = kept[0] as string;
    const tail = kept.at(-1) as string;
    if (!twice.startsWith(head) || !twice.endsWith(tail) || twice.length < head.length + tail.length)
      return false;
    let from = head.length;
    for (const part of kept.slice(1, -1)) {
      const found = twice.indexOf(part, from);
      if (found === -1) return false;
      from = found + part.length;
    }
    return from <= twice.length - tail.length;
  }

  /**
   * Normalize, feed the paragraphs back as a text dump, normalize again: nothing may change, except
   * that a run left open the first time (listed in `unresolved`) may be repaired the second, when
   * the cleaner page around it gives the mojibake engine more evidence.
   */
  function expectIdempotent(raw: RawDocument, to: PageScript): void {
    const first = normalizeDocument(raw, { to });
    const once = first.paragraphs;
    const twice = normalizeDocument({ url: TEXT_URL, text: once.join('\n') }, { to }).paragraphs;
    expect(twice.length).toBe(once.length);
    for (const [k, paragraph] of once.entries()) {
      if (twice[k] === paragraph) continue;
      const runs = first.unresolved.filter((u) => u.paragraph === k && u.kind === 'unrepaired-mojibake');
      expect(runs.length > 0 && changedOnlyInRuns(paragraph, twice[k] as string, runs), paragraph).toBe(true);
    }
  }

  it.each(['hans', 'tw'] as const)('on faulty generated pages, in %s', (to) => {
    fc.assert(
      fc.property(fc.nat(), fc.subarray([...FAULT_KINDS]), (seed, faults) => {
        expectIdempotent(injectFaults(generateArticle(seed), { seed, faults, script: to }).raw, to);
      }),
      { numRuns: 60 },
    );
  });

  it.each(['hans', 'tw'] as const)('on arbitrary page-like text, in %s', (to) => {
    fc.assert(
      fc.property(pageLikeText, (text) => expectIdempotent({ url: TEXT_URL, text }, to)),
      // Counterexamples random seeds found, kept: a NUL beside mojibake changed the page-level
      // re-decoding (seed 941841342); a line no UTF-8-else-Windows-1252 reader shows was re-decoded
      // as its output (seed 311919413); a line of mojibake among ASCII was re-decoded only once the
      // page's other line was dropped (seed 328354054 of a longer run).
      {
        numRuns: 200,
        examples: [['鍙栧緱\u00002024-10-02 23:26:37'], ['的\n\n银ç¾Ž'], ['。\n鍙栧緱3590931873@qq.com']],
      },
    );
  });
});

describe('clean prose goes through unchanged', () => {
  /** Clean text in, the same text out, and no repair claimed. */
  function expectUntouched(text: string, to: PageScript): void {
    const record = normalizeDocument({ url: TEXT_URL, text }, { to });
    expect(record.paragraphs).toEqual(text.split('\n'));
    expect(record.repairs).toEqual([]);
  }

  it('generated Simplified articles', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => expectUntouched(generateArticle(seed).paragraphs.join('\n'), 'hans')),
      { numRuns: 50 },
    );
  });

  it.each(['tw', 'hant'] as const)('generated articles converted to %s', (script) => {
    fc.assert(
      fc.property(fc.nat(), (seed) =>
        expectUntouched(fromHans(generateArticle(seed).paragraphs.join('\n'), script), script),
      ),
      { numRuns: 50 },
    );
  });

  // Clean sentences the normalizer mangles today; kept out of the generator (see its notes).
  it.each(KNOWN_HARD_SENTENCES)('%s', (sentence) => {
    expectUntouched(`${generateArticle(1).paragraphs.join('\n')}\n${sentence}`, 'hans');
  });
});
