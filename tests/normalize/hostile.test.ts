/**
 * Hostile and pathological pages (issue 16), all made by code (`tests/support/hostile-pages.ts`):
 * - fuzzing with generators of pathological shapes (repetition, deep nesting, huge paragraphs,
 *   random bytes, mixed scripts, runs of `?`): the normalizer never throws and returns a well
 *   formed record within the limits, flagged when it met one;
 * - linear time: 30,000 nested `<div>`s cost no more than 3× the same bytes unnested, and each
 *   shape grown fourfold costs well under the sixteenfold a quadratic step would (CPU time, best
 *   of a few runs: ratios, not absolute timings);
 * - memory in proportion to the page: a 50 MB single line, 4 MB of random bytes as `.txt` and
 *   10 MB of one-line `<p>`s, each normalized in a child process with a 1 GB heap, whose peak
 *   resident memory stays under 1 GB.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMIT_FLAGS, LIMITS } from '../../src/normalize/limits.js';
import { normalizeDocument } from '../../src/normalize/pipeline.js';
import type { RawDocument } from '../../src/records/raw.js';
import { REPAIR_KINDS } from '../../src/records/repairs.js';
import { SCRIPTS } from '../../src/records/scripts.js';
import { fastCheckSeed } from '../support/fast-check-seed.js';
import { HTML_URL, SHAPES, TEXT_URL } from '../support/hostile-pages.js';

const seed = fastCheckSeed(20261207);
if (seed !== undefined) fc.configureGlobal({ seed });

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LIMIT_FLAG_SET = new Set<string>(Object.values(LIMIT_FLAGS));

/** The record is well formed and within the limits, whatever went in. */
function expectBoundedRecord(raw: RawDocument): void {
  const record = normalizeDocument(raw);
  expect(SCRIPTS).toContain(record.script);
  expect(Array.isArray(record.paragraphs)).toBe(true);
  for (const p of record.paragraphs) {
    expect(typeof p).toBe('string');
    expect(p.length).toBeLessThanOrEqual(LIMITS.paragraphChars);
  }
  expect(record.repairs.length).toBeLessThanOrEqual(LIMITS.repairs);
  for (const r of record.repairs) {
    expect(REPAIR_KINDS).toContain(r.kind);
    expect(r.paragraph).toBeGreaterThanOrEqual(-1);
    expect(r.paragraph).toBeLessThanOrEqual(record.paragraphs.length);
  }
  expect([...record.flags].sort()).toEqual(record.flags);
  for (const u of record.unresolved) expect(u.paragraph).toBeLessThan(record.paragraphs.length);
  expect(typeof JSON.stringify(record)).toBe('string');
}

// biome-ignore format: a list of pieces reads best packed
const PIECES = [
  '贷', '款', '逾期', '還', '後', '，', '。', ',', '?', '!', ':', ' ', '  ', '\t', '\n', '(dài)', '（dǎo）',
  '_x0008_', '\u0000', '\uFFFD', '\uFFFC', '\uFEFF', '鍙栧緱', 'ç¾Ž', '玫匠浞直U稀', 'a', '1', '2024-10-02 23:26:37',
  '<p>', '</p>', '<div>', '</div>', '<b>', '<br>', '<!--', '-->', '<script>', '&amp;', '&#', '𠀀', '😀',
];
/** Characters of many scripts, combining marks, lone surrogates and right-to-left text. */
// biome-ignore format: a list of characters reads best packed
const MIXED = [
  '贷', '貸', '后', '後', '한', '글', 'ж', 'я', 'ع', 'ب', 'क', 'ि', 'ก', 'ア', 'ｶ', 'é', '\u0301', '\u200F',
  '\u202E', '\uD800', '\uDC00', '𠀀', '😀', 'ß', 'İ', '?', ',', ' ', '\n', '0', 'Z',
];

const piece = fc.constantFrom(...PIECES);
const tagPair = fc.constantFrom(
  ['<div>', '</div>'],
  ['<span>', '</span>'],
  ['<b id=x>', ''],
  ['<p>', ''],
  ['<table><tr><td>', ''],
  ['<li>', ''],
  ['<div/>', ''],
  ['<svg>', '</svg>'],
  ['<font color=red>', '</font>'],
  ['<a href=/x>', '</a>'],
);

/** Pages of pathological shapes, as text, HTML or raw bytes. */
const hostilePage: fc.Arbitrary<RawDocument> = fc.oneof(
  // Repetition: one piece, thousands of times.
  fc
    .tuple(
      fc.array(piece, { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 300, max: 4_000 }),
      fc.boolean(),
    )
    .map(([pieces, n, html]) => {
      const text = pieces.join('').repeat(n);
      return html ? { url: HTML_URL, html: `<p>${text}</p>` } : { url: TEXT_URL, text };
    }),
  // Deep nesting, closed or not, with text at some levels.
  fc
    .tuple(tagPair, fc.integer({ min: 100, max: 8_000 }), fc.array(piece, { maxLength: 6 }), fc.boolean())
    .map(([[open, close], n, inner, closed]) => ({
      url: HTML_URL,
      html: `<html><body>${`${open}${inner.join('')}`.repeat(n)}贷款逾期${closed ? close.repeat(n) : ''}</body></html>`,
    })),
  // Huge paragraphs: page-like text with no line break, tens of thousands of characters.
  fc
    .tuple(
      fc.array(
        piece.filter((p) => p !== '\n'),
        { minLength: 20, maxLength: 100 },
      ),
      fc.integer({ min: 10, max: 120 }),
    )
    .map(([pieces, n]) => ({ url: TEXT_URL, text: pieces.join('').repeat(n) })),
  // Random bytes, as a text dump or a page.
  fc
    .tuple(fc.uint8Array({ minLength: 1_000, maxLength: 12_000 }), fc.boolean())
    .map(([bytes, html]) => ({ url: html ? HTML_URL : TEXT_URL, body: bytes })),
  // Mixed scripts.
  fc
    .array(fc.constantFrom(...MIXED), { minLength: 100, maxLength: 8_000 })
    .map((chars) => ({ url: TEXT_URL, text: chars.join('') })),
  // Many question marks, between Chinese or alone.
  fc
    .tuple(fc.integer({ min: 1_000, max: 30_000 }), fc.boolean())
    .map(([n, between]) => ({ url: TEXT_URL, text: between ? `贷款${'?'.repeat(n)}逾期` : '?'.repeat(n) })),
);

describe('fuzzing the normalizer with pathological shapes', () => {
  it('never throws and returns a well-formed record within the limits', () => {
    fc.assert(
      fc.property(hostilePage, (raw) => {
        expectBoundedRecord(raw);
      }),
      { numRuns: 60 },
    );
  }, 240_000);

  it('flags a page that met a limit, and only then lists fewer repairs than it made', () => {
    const record = normalizeDocument(SHAPES['dai-comma']?.(130_000) as RawDocument);
    expect(record.repairs.length).toBeLessThanOrEqual(LIMITS.repairs);
    expect(record.flags.filter((f) => LIMIT_FLAG_SET.has(f)).sort()).toEqual(
      [LIMIT_FLAGS.notRepaired, LIMIT_FLAGS.paragraphSplit, LIMIT_FLAGS.repairsSummarised].sort(),
    );
  });
});

/** CPU milliseconds of one normalization, the best of `runs`. */
function cpuMs(raw: RawDocument, runs = 3): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = process.cpuUsage();
    normalizeDocument(raw);
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

/** Named shapes as raw documents (`hostile-pages.ts`). */
function shape(name: string, size: number): RawDocument {
  const make = SHAPES[name];
  if (!make) throw new Error(`no shape ${name}`);
  return make(size);
}

describe('time linear in the page, whatever its shape', () => {
  it('30,000 nested <div>s cost at most 3× the same bytes unnested', () => {
    const nested = shape('nested-divs', 30_000);
    const unnested = shape('unnested-divs', 30_000);
    expect((nested.html as string).length).toBe((unnested.html as string).length);
    const flat = normalizeDocument(unnested); // and a warm-up: models and tables
    const deep = normalizeDocument(nested);
    expect(deep.paragraphs).toEqual(flat.paragraphs);
    expect(deep.repairs).toEqual(flat.repairs);
    expect(deep.flags).toEqual([...new Set([...flat.flags, LIMIT_FLAGS.htmlFlattened])].sort());
    const ratio = cpuMs(nested) / cpuMs(unnested);
    expect(ratio).toBeLessThan(3);
  }, 120_000);

  it.each([
    ['nested-divs', 5_000],
    ['formatting-bomb', 2_000],
    ['dai-comma', 20_000],
    ['dai-spaces', 20_000],
  ])(
    '%s grown fourfold costs less than 8× (a quadratic step would cost 16×)',
    (name, size) => {
      normalizeDocument(shape(name, size)); // warm-up
      const small = cpuMs(shape(name, size));
      const large = cpuMs(shape(name, 4 * size));
      // Below a few milliseconds the clock is noise: the large one only has to stay small.
      expect(large).toBeLessThan(Math.max(8 * small, 50));
    },
    120_000,
  );
});

interface ChildCost {
  ms: number;
  maxRssMb: number;
  paragraphs: number;
  repairs: number;
  flags: string[];
}

/** Normalizes a shape in a child process with a 1 GB heap; its cost as `hostile-run.ts` prints it. */
function inChild(name: string, size: number): Promise<ChildCost> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=1024', '--import', 'tsx', 'tests/support/hostile-run.ts', name, String(size)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) reject(new Error(`${name} exited ${code ?? signal}: ${stderr.slice(-2000)}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string) as ChildCost);
    });
  });
}

describe('memory in proportion to the page (a child process with a 1 GB heap)', () => {
  it('a 50 MB single line: completes under 1 GB of resident memory, split, repaired to the budget', async () => {
    const cost = await inChild('single-line', 50_000_000);
    expect(cost.maxRssMb).toBeLessThan(1024);
    expect(cost.flags).toEqual(expect.arrayContaining([LIMIT_FLAGS.paragraphSplit, LIMIT_FLAGS.notRepaired]));
    expect(cost.paragraphs).toBeGreaterThan(1_000);
    expect(cost.repairs).toBeLessThanOrEqual(LIMITS.repairs);
  }, 300_000);

  it('4 MB of random bytes as .txt: completes under 1 GB', async () => {
    const cost = await inChild('random-bytes', 4_000_000);
    expect(cost.maxRssMb).toBeLessThan(1024);
    expect(cost.flags).toContain(LIMIT_FLAGS.notRepaired);
    expect(cost.repairs).toBeLessThanOrEqual(LIMITS.repairs);
  }, 300_000);

  it('10 MB of one-line <p>s: completes under 1 GB, read as text', async () => {
    const cost = await inChild('one-line-paragraphs', 10_000_000);
    expect(cost.maxRssMb).toBeLessThan(1024);
    expect(cost.flags).toContain(LIMIT_FLAGS.htmlTextOnly);
    expect(cost.paragraphs).toBeGreaterThan(300_000);
  }, 300_000);
});
