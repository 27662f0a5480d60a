/**
 * Fault 1, leaked pinyin: `導(dǎo)語` → `導語`.
 *
 * Some sites print a character's reading after it (or in `<ruby>` markup that text extraction
 * flattened). A bracketed run of pinyin is removed only when it is a reading of the character
 * right before it, polyphones included, so genuine brackets such as `(A股)`, `APP(应用)` or
 * `年利率(APR)` survive.
 */
import { pinyin } from 'pinyin-pro';
import { toSimplifiedChars } from './script/char-fold.js';
import type { StageOutput, TextRepair } from './types.js';

/** A Han character, then a reading in ASCII or full-width brackets, spaces allowed inside. */
const LEAK = /(\p{Script=Han})[(（]\s*([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7})\s*[)）]/gu;

const readingsCache = new Map<string, Set<string>>();

/**
 * Every reading pinyin-pro knows for `char`, tone-marked, lower case. pinyin-pro lacks many
 * Traditional forms (間, 許, 處), so the readings of the Simplified form count too.
 */
export function readingsOf(char: string): Set<string> {
  let readings = readingsCache.get(char);
  if (!readings) {
    const forms = new Set([char, toSimplifiedChars(char)]);
    const found = [...forms].flatMap((form) => pinyin(form, { multiple: true, type: 'array' }) as string[]);
    readings = new Set(
      found
        // pinyin-pro returns a character it has no reading for as itself: keep only Latin readings.
        .filter((r) => /^[a-z]+$/i.test(r.normalize('NFD').replace(/\p{M}/gu, '')))
        .map((r) => r.normalize('NFC').toLowerCase()),
    );
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
