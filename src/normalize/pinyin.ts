/**
 * Fault 1, leaked pinyin: `導(dǎo)語` → `導語`.
 *
 * Some sites print a character's reading after it (or in `<ruby>` markup that text extraction
 * flattened). A bracketed run of pinyin is removed only when it is a reading of the character
 * right before it, polyphones included, so genuine brackets such as `(A股)`, `APP(应用)` or
 * `年利率(APR)` survive.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { toSimplifiedChars } from './script/char-fold.js';
import type { StageOutput, TextRepair } from './types.js';

const require = createRequire(import.meta.url);

/** A Han character, then a reading in ASCII or full-width brackets, spaces allowed inside. */
const LEAK = /(\p{Script=Han})[(（]\s*([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7})\s*[)）]/gu;

const readingsCache = new Map<string, Set<string>>();

/**
 * Every character's readings as pinyin-pro gives them, written by the build
 * (`writeReadingsTable`): importing pinyin-pro and its first call (it builds its phrase trie) cost
 * ~0.3 s of a process's start-up, and a page needs the readings of a few characters. pinyin-pro is
 * loaded only for a character the table does not cover, or when the table is missing or stale.
 */
export const READINGS_FILE = fileURLToPath(new URL('../../dist/pinyin-readings.json', import.meta.url));

interface ReadingsTable {
  /** pinyin-pro's version the table was made with. */
  pinyinPro: string;
  /** The readings of each covered character that has any (`readingsOfForm`'s). */
  readings: Record<string, string[]>;
}

const HAN_CHAR = /^\p{Script=Han}$/u;

/** Characters the table answers for: the BMP but lone surrogates, and Han beyond it. */
function coveredByTable(char: string): boolean {
  const code = char.codePointAt(0) as number;
  if (char.length === 1) return code < 0xd800 || code > 0xdfff;
  return char.length === 2 && code >= 0x20000 && code < 0x32000 && HAN_CHAR.test(char);
}

function pinyinProVersion(): string {
  return (require('pinyin-pro/package.json') as { version: string }).version;
}

/** One character's readings from pinyin-pro itself: Latin readings only, NFC, lower case. */
function liveReadings(char: string): string[] {
  const { pinyin } = require('pinyin-pro') as typeof import('pinyin-pro');
  return (
    (pinyin(char, { multiple: true, type: 'array' }) as string[])
      // pinyin-pro returns a character it has no reading for as itself: keep only Latin readings.
      .filter((r) => /^[a-z]+$/i.test(r.normalize('NFD').replace(/\p{M}/gu, '')))
      .map((r) => r.normalize('NFC').toLowerCase())
  );
}

/** Writes the readings of every character `coveredByTable` (the build's step); its size in bytes. */
export function writeReadingsTable(file = READINGS_FILE): number {
  const readings: Record<string, string[]> = {};
  const note = (char: string) => {
    if (!coveredByTable(char)) return;
    const found = liveReadings(char);
    if (found.length > 0) readings[char] = found;
  };
  for (let code = 0; code < 0x10000; code++) note(String.fromCharCode(code));
  for (let code = 0x20000; code < 0x32000; code++) note(String.fromCodePoint(code));
  const text = JSON.stringify({ pinyinPro: pinyinProVersion(), readings } satisfies ReadingsTable);
  writeFileSync(file, text);
  return Buffer.byteLength(text);
}

let table: Record<string, string[]> | null | undefined;

/** The build's table, or null when it is missing or made with another pinyin-pro. */
function readingsTable(): Record<string, string[]> | null {
  if (table !== undefined) return table;
  try {
    const stored = JSON.parse(readFileSync(READINGS_FILE, 'utf8')) as ReadingsTable;
    table = stored.pinyinPro === pinyinProVersion() ? stored.readings : null;
  } catch {
    table = null;
  }
  return table;
}

/** `liveReadings` of one character, from the table where it covers it. */
function readingsOfForm(char: string): string[] {
  const known = coveredByTable(char) ? readingsTable() : null;
  if (!known) return liveReadings(char);
  return Object.hasOwn(known, char) ? (known[char] as string[]) : [];
}

/**
 * Every reading pinyin-pro knows for `char`, tone-marked, lower case. pinyin-pro lacks many
 * Traditional forms (間, 許, 處), so the readings of the Simplified form count too.
 */
export function readingsOf(char: string): Set<string> {
  let readings = readingsCache.get(char);
  if (!readings) {
    const forms = new Set([char, toSimplifiedChars(char)]);
    readings = new Set([...forms].flatMap(readingsOfForm));
    readingsCache.set(char, readings);
  }
  return readings;
}

export function isReadingOf(char: string, reading: string): boolean {
  return readingsOf(char).has(reading.normalize('NFC').toLowerCase());
}

/** `小編導(dǎo)語` → `小編導語`, one `pinyin` repair per annotation removed. */
export function stripPinyinLeaks(text: string): StageOutput {
  if (!text.includes('(') && !text.includes('（')) return { text, repairs: [], flags: [] };
  const repairs: TextRepair[] = [];
  const out = text.replace(LEAK, (match: string, char: string, reading: string) => {
    if (!isReadingOf(char, reading)) return match;
    repairs.push({ kind: 'pinyin', before: match, after: char, confidence: 1 });
    return char;
  });
  return { text: out, repairs, flags: [] };
}
