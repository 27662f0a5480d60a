/**
 * How well the mojibake engine does on generated pages: shifted GBK runs of every shape of
 * FAULTS.md §9 (exact, listed, silent), the calibration of its confidences, whole documents read
 * with the wrong charset, and ftfy's negative cases. Used by `npm run eval:mojibake` (full size)
 * and by the tests (smaller).
 */
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { normalizeDocument } from '../../src/normalize/pipeline.js';
import type { CleanRecord } from '../../src/records/clean.js';
import { generateArticle } from './article-generator.js';
import { type FaultKind, injectFaults, type PageScript, toScript } from './fault-injector.js';

export interface RunEval {
  /** Paragraphs with a run the page can be read back from: exactly right, listed, or neither. */
  garbled: { total: number; exact: number; listed: number; silent: number };
  /** Paragraphs with a run that lost bytes: each must be listed, or come back exactly where the
   * bytes left allow it (a dropped pair put back). */
  unrecoverable: { total: number; listed: number; silent: number; exact: number };
  /** Paragraphs without a run: exactly right, and how many carry a needless `unresolved` entry. */
  clean: { total: number; exact: number; listed: number };
  /** Repairs of kind `mojibake` of runs that can be read back, by confidence bucket: how many,
   * how many right. */
  calibration: { from: number; to: number; repairs: number; right: number }[];
  /** Repairs made in a paragraph whose run lost bytes that did not bring it back exactly: each is
   * a garbled paragraph published as repaired. */
  repairsOfDamagedRuns: number;
  /** A few paragraphs that were neither right nor listed, for reading. */
  silentExamples: { got: string; want: string }[];
}

const BUCKETS = [0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001];

function listed(record: CleanRecord, paragraph: number): boolean {
  return record.unresolved.some((u) => u.paragraph === paragraph && u.kind === 'unrepaired-mojibake');
}

/**
 * `count` generated pages (half Taiwan Traditional, half Simplified) with shifted runs among
 * readings, ASCII punctuation and half-converted script, normalized one by one.
 */
export function evaluateRuns(count: number, seed = 5000): RunEval {
  const result: RunEval = {
    garbled: { total: 0, exact: 0, listed: 0, silent: 0 },
    unrecoverable: { total: 0, listed: 0, silent: 0, exact: 0 },
    clean: { total: 0, exact: 0, listed: 0 },
    calibration: BUCKETS.slice(0, -1).map((from, k) => ({
      from,
      to: BUCKETS[k + 1] as number,
      repairs: 0,
      right: 0,
    })),
    silentExamples: [],
    repairsOfDamagedRuns: 0,
  };
  for (let i = 0; i < count; i++) {
    const script: PageScript = i % 2 === 0 ? 'tw' : 'hans';
    // Half the pages with the other faults around the runs, half with runs alone: there the
    // page's characters are the truth's, so each repair can be checked on its own.
    const alone = i % 4 >= 2;
    const faults: FaultKind[] = alone
      ? ['gbk-tail']
      : ['gbk-tail', 'pinyin', 'ascii-punctuation', 'half-converted'];
    const doc = injectFaults(generateArticle(seed + i), { seed: seed + i, faults, script });
    const record = normalizeDocument(doc.raw, { to: script });
    const runs = doc.injected.filter((f) => f.kind === 'gbk-tail');
    doc.truth.paragraphs.forEach((want, k) => {
      const got = record.paragraphs[k] ?? '';
      const here = runs.filter((r) => r.paragraph === k);
      if (here.length === 0) {
        result.clean.total++;
        if (got === want) result.clean.exact++;
        if (listed(record, k)) result.clean.listed++;
      } else if (here.some((r) => r.unrecoverable)) {
        result.unrecoverable.total++;
        if (listed(record, k)) result.unrecoverable.listed++;
        else if (got === want) result.unrecoverable.exact++;
        else result.unrecoverable.silent++;
      } else {
        result.garbled.total++;
        if (got === want) result.garbled.exact++;
        else if (listed(record, k)) result.garbled.listed++;
        else {
          result.garbled.silent++;
          if (result.silentExamples.length < 12) result.silentExamples.push({ got, want });
        }
      }
    });
    if (!alone) continue;
    for (const repair of record.repairs) {
      if (repair.kind !== 'mojibake') continue;
      if (runs.some((r) => r.paragraph === repair.paragraph && r.unrecoverable)) {
        if (record.paragraphs[repair.paragraph] !== doc.truth.paragraphs[repair.paragraph])
          result.repairsOfDamagedRuns++;
        continue;
      }
      const bucket = result.calibration.find((b) => repair.confidence >= b.from && repair.confidence < b.to);
      if (!bucket) continue;
      bucket.repairs++;
      if (runs.some((r) => r.paragraph === repair.paragraph && r.before === repair.after)) bucket.right++;
    }
  }
  return result;
}

const pct = (n: number, d: number) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)} %`);

export function formatRunEval(r: RunEval): string {
  const lines = [
    `garbled paragraphs that can be read back: ${r.garbled.total}: exactly right ${pct(r.garbled.exact, r.garbled.total)}, ` +
      `listed in unresolved ${pct(r.garbled.listed, r.garbled.total)}, silent ${r.garbled.silent}`,
    `garbled paragraphs that lost bytes: ${r.unrecoverable.total}: listed ${pct(r.unrecoverable.listed, r.unrecoverable.total)}, exactly right all the same ${r.unrecoverable.exact}, silent ${r.unrecoverable.silent}`,
    `clean paragraphs: ${r.clean.total}: exactly right ${pct(r.clean.exact, r.clean.total)}, needlessly listed ${r.clean.listed}`,
    `wrong repairs made in paragraphs whose run lost bytes: ${r.repairsOfDamagedRuns}`,
    'calibration of mojibake repairs of readable runs (confidence → share right):',
    ...r.calibration
      .filter((b) => b.repairs > 0)
      .map(
        (b) =>
          `  ${b.from.toFixed(2)}–${Math.min(1, b.to).toFixed(2)}: ${b.repairs} repairs, ${pct(b.right, b.repairs)} right`,
      ),
  ];
  for (const e of r.silentExamples) lines.push(`  silent: ${e.got}\n     want ${e.want}`);
  return `${lines.join('\n')}\n`;
}

/** How a whole page reached us wrongly: its bytes in `charset`, read as `readAs`. */
export interface WholeMisdecoding {
  name: string;
  charset: 'gbk' | 'big5' | 'utf-8';
  readAs: 'windows-1252' | 'gbk';
  scripts: PageScript[];
  /** The text then went through a store or a sanitizer that strips what is not visible: the C1
   * controls the decoder made of the bytes it leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) and
   * soft hyphens (0xAD) gone without a trace, no-break spaces (0xA0) made spaces. */
  sanitized?: true;
}

export const WHOLE_MISDECODINGS: WholeMisdecoding[] = [
  { name: 'GBK read as Windows-1252', charset: 'gbk', readAs: 'windows-1252', scripts: ['hans', 'tw'] },
  { name: 'Big5 read as Windows-1252', charset: 'big5', readAs: 'windows-1252', scripts: ['tw'] },
  { name: 'UTF-8 read as Windows-1252', charset: 'utf-8', readAs: 'windows-1252', scripts: ['hans', 'tw'] },
  {
    name: 'UTF-8 read as Windows-1252, then sanitized',
    charset: 'utf-8',
    readAs: 'windows-1252',
    scripts: ['hans', 'tw'],
    sanitized: true,
  },
  { name: 'UTF-8 read as GBK', charset: 'utf-8', readAs: 'gbk', scripts: ['hans', 'tw'] },
];

export interface WholeEval {
  name: string;
  documents: number;
  exact: number;
  /** Documents that came back, but not exactly, and carry no flag. */
  silent: number;
  /** The documents' lines (title and paragraphs): exactly right (found among the page's lines),
   * listed in `unresolved`, or neither. */
  lines: { total: number; exact: number; listed: number; silent: number };
}

/** What a sanitizer does to text it stores: invisible characters stripped, no-break spaces made spaces. */
function sanitize(text: string): string {
  return text.replace(/[\u0080-\u009f\u00ad]/g, '').replace(/\u00a0/g, ' ');
}
const WINDOWS_1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/**
 * Bytes read as Windows-1252 the way the WHATWG Encoding Standard (so a browser) reads them: 0x80–0x9F
 * as `€‚ƒ„…`, the five bytes it leaves undefined as the C1 controls of the same number. Node's
 * `TextDecoder('windows-1252')` reads the label as Latin-1 (every byte of 0x80–0x9F a control).
 */
function readAsWindows1252(bytes: Uint8Array): string {
  const undefinedBytes = bytes.filter((b) => WINDOWS_1252_UNDEFINED.has(b));
  let k = 0;
  return iconv
    .decode(Buffer.from(bytes), 'windows-1252')
    .replace(/\uFFFD/g, () => String.fromCharCode(undefinedBytes[k++] as number));
}

/**
 * `count` clean generated pages per misdecoding, as a browser's decoder (WHATWG, as Node's
 * TextDecoder) reads their bytes in the wrong charset; the normalizer gets the resulting text.
 */
export function evaluateWholeDocuments(count: number, seed = 9000): WholeEval[] {
  return WHOLE_MISDECODINGS.map((m) => {
    const decoder = m.readAs === 'windows-1252' ? { decode: readAsWindows1252 } : new TextDecoder(m.readAs);
    const out: WholeEval = {
      name: m.name,
      documents: 0,
      exact: 0,
      silent: 0,
      lines: { total: 0, exact: 0, listed: 0, silent: 0 },
    };
    for (let i = 0; i < count; i++) {
      const script = m.scripts[i % m.scripts.length] as PageScript;
      const article = generateArticle(seed + i);
      const paragraphs = article.paragraphs.map((p) => toScript(p, script));
      const text = paragraphs.join('\n');
      const bytes = iconv.encode(text, m.charset === 'big5' ? 'big5hkscs' : m.charset);
      if (iconv.decode(bytes, m.charset === 'big5' ? 'big5hkscs' : m.charset) !== text) continue;
      out.documents++;
      const read = decoder.decode(bytes);
      const record = normalizeDocument(
        { url: `file:///whole/${i}.txt`, text: m.sanitized ? sanitize(read) : read },
        { to: script },
      );
      const got = [record.title, ...record.paragraphs].filter((p) => p !== null).join('\n');
      if (got === text) out.exact++;
      else if (record.flags.length === 0) out.silent++;
      const lines = [
        ...(record.title === null ? [] : [{ text: record.title, paragraph: -1 }]),
        ...record.paragraphs.map((p, k) => ({ text: p, paragraph: k })),
      ];
      for (const line of lines) {
        out.lines.total++;
        if (paragraphs.includes(line.text)) out.lines.exact++;
        else if (record.unresolved.some((u) => u.paragraph === line.paragraph)) out.lines.listed++;
        else out.lines.silent++;
      }
    }
    return out;
  });
}

export function formatWholeEval(results: WholeEval[]): string {
  return `${results
    .map(
      (r) =>
        `${r.name}: ${r.exact} of ${r.documents} documents exactly right (${pct(r.exact, r.documents)}), silent ${r.silent}; ` +
        `lines ${r.lines.total}: exactly right ${pct(r.lines.exact, r.lines.total)}, listed ${pct(r.lines.listed, r.lines.total)}, silent ${r.lines.silent}`,
    )
    .join('\n')}\n`;
}

export interface NegativeCase {
  original: string;
}

/** ftfy's negative cases that the normalizer changes (their text must come out as it went in). */
export function damagedNegatives(path: string): { original: string; got: string }[] {
  const cases = JSON.parse(readFileSync(path, 'utf8')) as NegativeCase[];
  const damaged: { original: string; got: string }[] = [];
  for (const c of cases) {
    const record = normalizeDocument({ url: 'file:///ftfy-negative.txt', text: c.original });
    const got = [record.title, ...record.paragraphs].filter((p) => p !== null).join('\n');
    if (got !== c.original) damaged.push({ original: c.original, got });
  }
  return damaged;
}
