/**
 * The extractor's limits (`html-tokens.ts`, `LIMITS.html*`): elements nested past the depth limit
 * are lifted before parsing and their text kept in order; formatting elements a tree builder would
 * reopen in every block are bounded; a page of more elements than the limit is read as text; pages
 * within the limits come through the pre-pass byte for byte. Pages are generated here.
 */
import { load } from 'cheerio';
import type { AnyNode } from 'domhandler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractArticle } from '../../src/normalize/html.js';
import { flattenDeepHtml, readHtmlText } from '../../src/normalize/html-tokens.js';
import { LIMIT_FLAGS, LIMITS } from '../../src/normalize/limits.js';
import { generateArticle } from '../support/article-generator.js';
import { renderArticlePage, TEMPLATE_NAMES } from '../support/html-templates.js';

const SENTENCE = '银行的贷款逾期了怎么办，征信会受影响吗？';

/** Depth of the tree a browser-grade parser (parse5, through cheerio) builds of `html`. */
function treeDepth(html: string): { depth: number; elements: number } {
  let depth = 0;
  let elements = 0;
  const stack: [AnyNode, number][] = [[load(html).root()[0] as AnyNode, 0]];
  while (stack.length > 0) {
    const [node, d] = stack.pop() as [AnyNode, number];
    if (d > depth) depth = d;
    if (node.type === 'tag') elements++;
    if ('children' in node) for (const child of node.children) stack.push([child, d + 1]);
  }
  return { depth, elements };
}

/** Every text character of the tree, in document order, without whitespace. */
function treeText(html: string): string {
  const out: string[] = [];
  const stack: AnyNode[] = [load(html).root()[0] as AnyNode];
  while (stack.length > 0) {
    const node = stack.pop() as AnyNode;
    if (node.type === 'text') out.push(node.data);
    else if ('children' in node)
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as AnyNode);
  }
  return out.join('').replace(/\s+/g, '');
}

describe('flattenDeepHtml', () => {
  it('leaves pages within the limits as they are', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const article = generateArticle(seed);
      for (const template of TEMPLATE_NAMES) {
        const page = renderArticlePage(
          { ...article, category: article.category, publishedAt: '2024-10-02 23:26:37' },
          template,
        );
        const flattened = flattenDeepHtml(page);
        expect(flattened.lifted).toBe(0);
        expect(flattened.html).toBe(page);
      }
    }
  });

  it('leaves sloppy but shallow markup alone: unclosed <p>, <li>, <td>, <option> and a few <font>', () => {
    const page =
      `<body>${`<p>${SENTENCE}`.repeat(3000)}<ul>${'<li>项'.repeat(3000)}</ul>` +
      `<table>${'<tr><td>格<td>格'.repeat(1500)}</table><select>${'<option>选'.repeat(1000)}</select>` +
      `${'<font color=red>红'.repeat(10)}<div>${'<b>粗</b>'.repeat(1000)}</div></body>`;
    const flattened = flattenDeepHtml(page);
    expect(flattened.lifted).toBe(0);
    expect(flattened.html).toBe(page);
  });

  it.each([
    ['<div>', (n: number) => `${'<div>'.repeat(n)}${SENTENCE}${'</div>'.repeat(n)}`],
    ['<div> with text at each level', (n: number) => `${`<div>${SENTENCE}`.repeat(n)}${'</div>'.repeat(n)}`],
    ['<span>', (n: number) => `${'<span>'.repeat(n)}${SENTENCE}${'</span>'.repeat(n)}`],
    ['<div/>', (n: number) => `${'<div/>'.repeat(n)}${SENTENCE}`],
    ['tables', (n: number) => `${'<table><tr><td>'.repeat(n)}${SENTENCE}`],
    ['mixed inline and blocks', (n: number) => `${'<div><p><span><b><i>'.repeat(n)}${SENTENCE}`],
  ])('bounds the depth of 3,000 nested %s and keeps every character of text', (_, make) => {
    const page = `<html><body>${make(3000)}</body></html>`;
    const flattened = flattenDeepHtml(page);
    expect(flattened.lifted).toBeGreaterThan(0);
    // What the tree builder makes of it stays within the limit (plus html/body and the few
    // formatting elements it may reopen).
    expect(treeDepth(flattened.html).depth).toBeLessThanOrEqual(LIMITS.htmlDepth + LIMITS.htmlFormatting + 8);
    expect(treeText(flattened.html)).toBe(treeText(page));
  });

  it('bounds the formatting elements a tree builder reopens in every paragraph', () => {
    // Each <b> is unclosed and distinct: a tree builder reopens all of them in every later <p>.
    const n = 2000;
    const page = `${Array.from({ length: n }, (_, i) => `<p><b id=b${i}>${i}</p>`).join('')}${`<p>${SENTENCE}</p>`.repeat(200)}`;
    const flattened = flattenDeepHtml(page);
    expect(flattened.lifted).toBeGreaterThan(n - LIMITS.htmlFormatting - 10);
    const built = treeDepth(flattened.html);
    expect(built.depth).toBeLessThanOrEqual(LIMITS.htmlFormatting + 8);
    // At most the limit of formatting elements reopened per paragraph, however many were opened.
    expect(built.elements).toBeLessThanOrEqual((n + 200) * (LIMITS.htmlFormatting + 2));
    expect(flattened.elements).toBeGreaterThanOrEqual(built.elements - 10);
    expect(treeText(flattened.html)).toBe(treeText(page.replace(/<\/?b[^>]*>/g, '')));
  });

  it('never loses text, whatever the tags (property)', () => {
    const tag = fc.constantFrom(
      '<div>',
      '</div>',
      '<p>',
      '</p>',
      '<span>',
      '</span>',
      '<b>',
      '</b>',
      '<b id=x>',
      '<a href=/>',
      '</a>',
      '<li>',
      '<ul>',
      '</ul>',
      '<table>',
      '<tr>',
      '<td>',
      '</table>',
      '<br>',
      '<svg>',
      '<path/>',
      '</svg>',
      '<div/>',
      '<font>',
    );
    const piece = fc.oneof(tag, fc.constantFrom('贷', '款', 'a', ' ', '1'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 400 }), fc.integer({ min: 2, max: 12 }), (pieces, depth) => {
        const page = pieces.join('');
        const flattened = flattenDeepHtml(page, depth, 4);
        expect(treeText(flattened.html)).toBe(treeText(page));
        if (flattened.lifted === 0) expect(flattened.html).toBe(page);
      }),
      { numRuns: 200 },
    );
  });
});

describe('extractArticle past the limits', () => {
  it('reads 30,000 nested <div>s like the same text unnested, flagged, paragraphs kept apart', () => {
    const paragraphs = Array.from({ length: 300 }, (_, i) => `第${i}段：${SENTENCE}`);
    const n = 30_000;
    const blocks = paragraphs.map((p) => `<div>${p}</div>`).join('');
    const nested = `<html><body>${'<div>'.repeat(n)}${blocks}${'</div>'.repeat(n)}</body></html>`;
    const flat = `<html><body>${blocks}</body></html>`;
    const deep = extractArticle(nested);
    expect(deep.flags).toEqual([LIMIT_FLAGS.htmlFlattened]);
    expect(extractArticle(flat).paragraphs).toEqual(paragraphs);
    expect(deep.paragraphs).toEqual(paragraphs);
  });

  it('reads a page of more elements than the limit as text, every paragraph kept', () => {
    const n = LIMITS.htmlElements + 10;
    const page = `<html><head><title>逾期怎么办_理财问答_某某网</title><style>p{}</style></head><body>${Array.from(
      { length: n },
      (_, i) => `<p>第${i}段</p>`,
    ).join('')}<script>alert(1)</script></body></html>`;
    const got = extractArticle(page);
    expect(got.flags).toEqual([LIMIT_FLAGS.htmlTextOnly]);
    expect(got.title).toBe('逾期怎么办');
    expect(got.paragraphs.length).toBe(n);
    expect(got.paragraphs[0]).toBe('第0段');
    expect(got.paragraphs.at(-1)).toBe(`第${n - 1}段`);
    expect(got.removed.map((r) => r.what)).toEqual(['style', 'script']);
  });

  it('reads as text a page whose tree would outgrow the limit while it is built', () => {
    // Few tags, but a tree builder would reopen every unclosed formatting element in each <p>.
    const page = `${Array.from({ length: 30 }, (_, i) => `<p><b id=b${i}>${i}</p>`).join('')}${`<p>${SENTENCE}</p>`.repeat(LIMITS.htmlElements / 20)}`;
    const got = extractArticle(page);
    expect(got.flags).toEqual([LIMIT_FLAGS.htmlTextOnly]);
    expect(got.paragraphs.length).toBe(30 + LIMITS.htmlElements / 20);
  });
});

describe('readHtmlText', () => {
  it('splits at blocks and <br>, skips what is never text, decodes entities', () => {
    const got = readHtmlText(
      '<title>题&amp;目</title><div>甲<br>乙<span>丙</span></div><script>x<p>y</script><svg><text>z</text></svg><p>丁&#20013;</p>',
    );
    expect(got.title).toBe('题&目');
    expect(got.blocks.filter((b) => b.trim())).toEqual(['甲', '乙丙', '丁中']);
    expect(got.skipped.map((s) => s.what)).toEqual(['script', 'svg']);
  });
});
