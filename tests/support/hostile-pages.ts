/**
 * Pathological pages of issue 16, made by code: deep nesting, repetition, a huge single line,
 * random bytes, many paragraphs on one line, runs of `?`. Used by `tests/normalize/hostile.test.ts`
 * and `bench/hostile.ts` (through `hostile-run.ts`, in a child process with a heap limit).
 */
import type { RawDocument } from '../../src/records/raw.js';
import { generateArticle, Rng } from './article-generator.js';
import { FAULT_KINDS, injectFaults } from './fault-injector.js';

export const HTML_URL = 'https://www.example-farm.cn/article/hostile.html';
export const TEXT_URL = 'file:///dumps/hostile.txt';

/** Paragraphs of a generated faulty article (Taiwan Traditional), for text inside the shapes. */
export function faultyParagraphs(seed: number): string[] {
  const faults = FAULT_KINDS.filter((k) => k !== 'charset' && k !== 'boilerplate');
  return injectFaults(generateArticle(seed), { seed, faults, script: 'tw' }).text.split('\n');
}

/** `n` nested `<div>`s around a generated article: the nesting the issue measured. */
export function nestedDivs(n: number, seed = 1): string {
  const body = faultyParagraphs(seed)
    .map((p) => `<p>${p}</p>`)
    .join('');
  return `<html><body>${'<div>'.repeat(n)}${body}${'</div>'.repeat(n)}</body></html>`;
}

/** The same bytes as `nestedDivs(n)`, the `<div>`s side by side instead of nested. */
export function unnestedDivs(n: number, seed = 1): string {
  const body = faultyParagraphs(seed)
    .map((p) => `<p>${p}</p>`)
    .join('');
  return `<html><body>${'<div></div>'.repeat(n)}${body}</body></html>`;
}

/** About `bytes` bytes of generated faulty text with no line break at all. */
export function singleLine(bytes: number): Buffer {
  const parts: string[] = [];
  let length = 0;
  for (let seed = 1; length < 300_000; seed++) {
    const text = faultyParagraphs(seed).join('');
    parts.push(text);
    length += text.length;
  }
  const unit = Buffer.from(parts.join(''));
  const out = Buffer.alloc(bytes);
  for (let at = 0; at < bytes; at += unit.length) unit.copy(out, at);
  return out;
}

/** `bytes` random bytes, the same for the same seed. */
export function randomBytes(bytes: number, seed = 16): Buffer {
  const rng = new Rng(seed);
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) out[i] = rng.int(0, 255);
  return out;
}

/** About `bytes` bytes of short `<p>`s on one line. */
export function oneLineParagraphs(bytes: number): Buffer {
  const p = '<p>贷款逾期怎么办?</p>';
  const unit = Buffer.byteLength(p);
  return Buffer.from(`<html><body>${p.repeat(Math.ceil(bytes / unit))}</body></html>`);
}

/** A shape by name and size, as a raw document. */
export const SHAPES: Record<string, (size: number) => RawDocument> = {
  'nested-divs': (n) => ({ url: HTML_URL, html: nestedDivs(n) }),
  'unnested-divs': (n) => ({ url: HTML_URL, html: unnestedDivs(n) }),
  'dai-comma': (n) => ({ url: TEXT_URL, text: '贷,'.repeat(n) }),
  'dai-spaces': (n) => ({ url: TEXT_URL, text: '贷  '.repeat(n) }),
  'question-marks': (n) => ({ url: TEXT_URL, text: `贷款${'?'.repeat(n)}逾期` }),
  'random-bytes': (bytes) => ({ url: TEXT_URL, body: randomBytes(bytes) }),
  'single-line': (bytes) => ({ url: TEXT_URL, body: singleLine(bytes) }),
  'single-line-html': (bytes) => ({
    url: HTML_URL,
    body: Buffer.concat([
      Buffer.from('<html><body><p>'),
      singleLine(bytes),
      Buffer.from('</p></body></html>'),
    ]),
  }),
  'one-line-paragraphs': (bytes) => ({ url: HTML_URL, body: oneLineParagraphs(bytes) }),
  'formatting-bomb': (n) => ({
    url: HTML_URL,
    html: `${Array.from({ length: n }, (_, i) => `<p><b id=b${i}>${i}</p>`).join('')}${'<p>贷款逾期怎么办？</p>'.repeat(n)}`,
  }),
};
