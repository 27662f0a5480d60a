/**
 * Fault 4, ASCII punctuation inside Chinese: `發展,各種` → `發展，各種`, `包括:` → `包括：`.
 *
 * A comma, colon, semicolon, question or exclamation mark becomes full width when it touches
 * Chinese on either side. Between digits (`23:26:37`, `1,000`) and inside Latin text (`http://`)
 * it stays ASCII. Never NFKC-fold Chinese text: that folding is how this fault arises.
 */
import type { StageOutput, TextRepair } from './types.js';

const FULL_WIDTH: Record<string, string> = { ',': '，', ':': '：', ';': '；', '?': '？', '!': '！' };
const ASCII_PUNCTUATION = /[,:;?!]/g;
/** Han characters and the CJK punctuation that sits in Chinese prose. */
const CHINESE = /[\p{Script=Han}\u3000-\u303f\uff01-\uff0f\uff1a-\uff20“”‘’…—]/u;
const DIGIT = /[0-9]/;

function isChinese(ch: string | undefined): boolean {
  return ch !== undefined && CHINESE.test(ch);
}

/** A space or an ASCII mark (`FULL_WIDTH`'s keys), by code unit: what `neighbours` looks past (`??`, `?!`, `, `). */
function isSkipped(code: number): boolean {
  return code === 0x20 || code === 0x2c || code === 0x3a || code === 0x3b || code === 0x3f || code === 0x21;
}

/**
 * The nearest character on either side of each mark, skipping spaces and other marks of a run.
 * Asked in increasing order of `index`, each answer reuses the last: a run of a hundred thousand
 * `?` is read once, not once per mark.
 */
function neighbours(text: string) {
  let scanned = 0;
  let leftAt = -1;
  let rightAt = -1;
  return (index: number): { before: string | undefined; after: string | undefined } => {
    for (; scanned < index; scanned++) if (!isSkipped(text.charCodeAt(scanned))) leftAt = scanned;
    if (rightAt <= index) {
      rightAt = index + 1;
      while (rightAt < text.length && isSkipped(text.charCodeAt(rightAt))) rightAt++;
    }
    return { before: leftAt >= 0 ? text[leftAt] : undefined, after: text[rightAt] };
  };
}

export function fixAsciiPunctuation(text: string): StageOutput {
  const repairs: TextRepair[] = [];
  const around = neighbours(text);
  const out = text.replace(ASCII_PUNCTUATION, (mark: string, index: number) => {
    const { before, after } = around(index);
    if (!isChinese(before) && !isChinese(after)) return mark;
    if (before && after && DIGIT.test(before) && DIGIT.test(after)) return mark;
    const wide = FULL_WIDTH[mark] as string;
    repairs.push({ kind: 'punctuation', before: mark, after: wide, confidence: 1 });
    return wide;
  });
  return { text: out, repairs, flags: [] };
}
