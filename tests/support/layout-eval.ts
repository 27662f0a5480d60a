/**
 * Scores what an extractor gave for a layout page (`layouts.ts`) against the page's truth:
 * chrome left among the paragraphs, body lines lost, and the title, time and category. Used by
 * tests/normalize/layouts.test.ts and `npm run eval:layout` (which also scores Mozilla's
 * Readability on the same HTML as the baseline).
 */
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { toSimplifiedChars } from '../../src/normalize/script/char-fold.js';
import { parsePublishedAt } from '../../src/normalize/time.js';
import type { LayoutPage } from './layouts.js';

export interface Extracted {
  title: string | null;
  published_at: string | null;
  category: string | null;
  paragraphs: string[];
}

export interface LayoutScore {
  pages: number;
  chromeLines: number;
  /** Paragraphs given that are no body line: chrome left. */
  chromeLeft: number;
  bodyLines: number;
  bodyLost: number;
  titleRight: number;
  timeRight: number;
  categoryRight: number;
  /** What went wrong, a line each (for reading). */
  misses: string[];
}

export function emptyScore(): LayoutScore {
  return {
    pages: 0,
    chromeLines: 0,
    chromeLeft: 0,
    bodyLines: 0,
    bodyLost: 0,
    titleRight: 0,
    timeRight: 0,
    categoryRight: 0,
    misses: [],
  };
}

/** Letters and digits of the Simplified fold: script, spaces and punctuation aside. */
export function foldText(text: string): string {
  return toSimplifiedChars(text)
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

export function scorePage(score: LayoutScore, page: LayoutPage, got: Extracted): void {
  const { truth } = page;
  const body = truth.paragraphs.map(foldText);
  const given = got.paragraphs.map(foldText).filter((p) => p.length > 0);
  score.pages++;
  score.chromeLines += truth.boilerplate.length;
  score.bodyLines += body.length;
  const bodySet = new Set(body);
  for (const p of given)
    if (!bodySet.has(p) && !body.some((b) => p.includes(b))) {
      score.chromeLeft++;
      score.misses.push(`${page.url} chrome left: ${p.slice(0, 40)}`);
    }
  for (const b of body)
    if (!given.some((p) => p.includes(b))) {
      score.bodyLost++;
      score.misses.push(`${page.url} body lost: ${b.slice(0, 40)}`);
    }
  if (got.title !== null && foldText(got.title) === foldText(truth.title)) score.titleRight++;
  else score.misses.push(`${page.url} title: ${got.title}`);
  if (got.published_at === truth.publishedAt) score.timeRight++;
  else score.misses.push(`${page.url} time: ${got.published_at} (want ${truth.publishedAt})`);
  const category = got.category === null ? null : foldText(got.category);
  if (category === (truth.category === null ? null : foldText(truth.category))) score.categoryRight++;
  else score.misses.push(`${page.url} category: ${got.category} (want ${truth.category})`);
}

/** Blocks of Readability's article HTML as paragraphs. */
function paragraphsOfHtml(html: string): string[] {
  const { document } = parseHTML(`<html><body>${html}</body></html>`);
  const out: string[] = [];
  const blocks = new Set(
    'p h1 h2 h3 h4 h5 h6 li td th div section article blockquote pre dd dt tr'.split(' '),
  );
  let buffer = '';
  const flush = () => {
    const text = buffer.replace(/\s+/g, ' ').trim();
    if (text) out.push(text);
    buffer = '';
  };
  const walk = (node: Node) => {
    if (node.nodeType === 3) {
      buffer += node.textContent ?? '';
      return;
    }
    const name = (node as Element).tagName?.toLowerCase() ?? '';
    if (name === 'br') return flush();
    const block = blocks.has(name);
    if (block) flush();
    for (const child of Array.from(node.childNodes)) walk(child);
    if (block) flush();
  };
  walk(document.body);
  flush();
  return out;
}

/** Mozilla's Readability on the page, through linkedom: the general extractor's answer. */
export function readabilityExtract(page: LayoutPage): Extracted {
  const { document } = parseHTML(page.html);
  const article = new Readability(document as unknown as Document).parse();
  if (!article) return { title: null, published_at: null, category: null, paragraphs: [] };
  return {
    title: article.title ?? null,
    published_at: parsePublishedAt(article.publishedTime ?? null),
    category: null,
    paragraphs: paragraphsOfHtml(article.content ?? ''),
  };
}

export function formatScore(name: string, s: LayoutScore): string {
  const pct = (a: number, b: number) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)} %`);
  return [
    name.padEnd(28),
    `chrome left ${pct(s.chromeLeft, s.chromeLines).padStart(7)}`,
    `body lost ${String(s.bodyLost).padStart(4)}/${s.bodyLines}`,
    `title ${pct(s.titleRight, s.pages).padStart(7)}`,
    `time ${pct(s.timeRight, s.pages).padStart(7)}`,
    `category ${pct(s.categoryRight, s.pages).padStart(7)}`,
  ].join('  ');
}
