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

/** The nearest character on one side, skipping spaces and other marks of a run (`??`, `?!`). */
function neighbour(text: string, index: number, step: 1 | -1): string | undefined {
  for (let i = index + step; i >= 0 && i < text.length; i += step) {
    const ch = text[i] as string;
    if (ch !== ' ' && !(ch in FULL_WIDTH)) return ch;
  }
  return undefined;
}

export function fixAsciiPunctuation(text: string): StageOutput {
  const repairs: TextRepair[] = [];
  const out = text.replace(ASCII_PUNCTUATION, (mark: string, index: number) => {
    const before = neighbour(text, index, -1);
    const after = neighbour(text, index, 1);
    if (!isChinese(before) && !isChinese(after)) return mark;
    if (before && after && DIGIT.test(before) && DIGIT.test(after)) return mark;
    const wide = FULL_WIDTH[mark] as string;
    repairs.push({ kind: 'punctuation', before: mark, after: wide, confidence: 1 });
    return wide;
  });
  return { text: out, repairs, flags: [] };
}
