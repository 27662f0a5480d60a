/**
 * Whole-text wrong decodings (FAULTS.md §7, §9): bytes read with the wrong charset before the text
 * reached us, `鍙栧緱` (UTF-8 read as GBK), `å¯¼è¯­` (UTF-8 read as Windows-1252), `ÊµÆÚ¼ä` (GBK read
 * as Latin-1). Each hypothesis is undone exactly: re-encode with the charset that was wrongly used,
 * decode with the right one. Bytes the wrong decoder dropped (a U+FFFD in its output) are put back
 * by the language model, one candidate byte at a time, and lower the confidence.
 */
import iconv from 'iconv-lite';
import {
  decodeClean,
  decodeStrictUtf8,
  encodeExactly,
  encodeLatin1,
  encodeUtf8ElseLatin1,
} from '../encoding/codecs.js';
import { encodeAsWhatwgGbk } from '../encoding/gbk-table.js';
import type { LanguageModel } from '../language-model.js';
import { scoreInContext } from './context-score.js';
import { charPrior } from './priors.js';

export interface Misdecoding {
  /** What was read as what, for the repair's record: `utf-8→gbk` is UTF-8 bytes read as GBK. */
  name: string;
  /** What the wrong decoder makes of Chinese bytes: Han characters (GBK, Big5) or Latin-1 letters. */
  makes: 'han' | 'latin';
  /** The inverse of the wrong reading: the bytes it saw, or undefined when it cannot have made `text`. */
  wrong: (text: string) => Buffer | undefined;
  /** The right reading; undefined when the bytes are not valid in it. */
  right: (bytes: Buffer) => string | undefined;
  /**
   * UTF-8 bytes the wrong decoder turned into U+FFFD one for one, and that the model may put back.
   * A GBK decoder loses a character's last byte (0x81–0xBF; 0x80 reads as €) when ASCII or the end
   * follows instead of a trail byte; iconv-lite's Windows-1252 loses the five bytes it leaves undefined.
   */
  lost?: readonly number[];
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Every wrong reading FAULTS.md §7 and §9 name, with its undoing. */
export const MISDECODINGS: readonly Misdecoding[] = [
  // 取得 → 鍙栧緱
  {
    name: 'utf-8→gbk',
    makes: 'han',
    // A browser's decoder first (the page reached the web through one), then iconv-lite's cp936.
    wrong: (text) => encodeAsWhatwgGbk(text) ?? encodeExactly(text, 'gbk'),
    right: decodeStrictUtf8,
    lost: range(0x81, 0xbf),
  },
  {
    name: 'utf-8→big5',
    makes: 'han',
    wrong: (text) => encodeExactly(text, 'big5hkscs'),
    right: decodeStrictUtf8,
  },
  // 美 → ç¾Ž
  {
    name: 'utf-8→windows-1252',
    makes: 'latin',
    wrong: encodeLatin1,
    right: decodeStrictUtf8,
    lost: [0x81, 0x8d, 0x8f, 0x90, 0x9d],
  },
  // 实期间，我主要是 → ÊµÆÚ¼ä£¬ÎÒÖ÷ÒªÊÇ
  { name: 'gbk→windows-1252', makes: 'latin', wrong: encodeLatin1, right: decodeClean('gb18030') },
  { name: 'big5→windows-1252', makes: 'latin', wrong: encodeLatin1, right: decodeClean('big5hkscs') },
  // 实 (CA B5) → ʵ: a reader that tried UTF-8 first, Windows-1252 where UTF-8 failed
  {
    name: 'gbk→utf-8/windows-1252',
    makes: 'latin',
    wrong: encodeUtf8ElseLatin1,
    right: decodeClean('gb18030'),
  },
  {
    name: 'gbk→big5',
    makes: 'han',
    wrong: (text) => encodeExactly(text, 'big5hkscs'),
    right: decodeClean('gb18030'),
  },
  {
    name: 'big5→gbk',
    makes: 'han',
    wrong: (text) => encodeExactly(text, 'gbk'),
    right: decodeClean('big5hkscs'),
  },
];

/** One lost byte, plus one per this many characters: more means the text is not a clean mis-reading. */
const CHARS_PER_LOST_BYTE = 8;
/** A character has at most three continuation bytes; longer runs of losses are not one character. */
const MAX_LOST_RUN = 3;
/** Characters of context either side when the model picks a lost byte. */
const LOST_BYTE_CONTEXT = 6;

const isContinuation = (byte: number | undefined) => byte !== undefined && byte >= 0x80 && byte < 0xc0;

/** The UTF-8 character that covers `bytes[at]`, or undefined when those bytes are not one. */
function charAround(bytes: Buffer, at: number): { char: string; start: number; end: number } | undefined {
  let start = at;
  while (start > 0 && at - start < 3 && isContinuation(bytes[start])) start--;
  const lead = bytes[start] as number;
  const end = start + (lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1);
  const char = end > at ? decodeStrictUtf8(bytes.subarray(start, end)) : undefined;
  return char === undefined ? undefined : { char, start, end };
}

/** Model score of the text around `bytes[at]`, plus the prior of the character that covers it. */
function scoreLostByte(bytes: Buffer, at: number, lm: LanguageModel): number {
  const around = charAround(bytes, at);
  if (!around) return Number.NEGATIVE_INFINITY;
  const span = 3 * LOST_BYTE_CONTEXT;
  let from = Math.max(0, around.start - span);
  while (isContinuation(bytes[from])) from++;
  let to = Math.min(bytes.length, around.end + span);
  while (isContinuation(bytes[to])) to--;
  const left = iconv.decode(bytes.subarray(from, around.start), 'utf8');
  const right = iconv.decode(bytes.subarray(around.end, to), 'utf8');
  const before = iconv.decode(bytes.subarray(Math.max(0, around.start - 40 * span), around.start), 'utf8');
  const prior = charPrior(around.char, { before, context: left + right, atEnd: around.end === bytes.length });
  return scoreInContext(lm, left + around.char + right) + prior;
}

/** Every way to fill `count` lost bytes from `lost`. */
function fillings(lost: readonly number[], count: number): number[][] {
  let all: number[][] = [[]];
  for (let i = 0; i < count; i++) all = all.flatMap((prefix) => lost.map((byte) => [...prefix, byte]));
  return all;
}

/**
 * Decode as UTF-8 the byte pieces found between the U+FFFDs, putting back one lost byte at each.
 * Adjacent lost bytes belong to one character and are chosen together. Each choice is scored by
 * the model over the text around it; two passes, so that a choice made early is made again once
 * the lost bytes to its right are filled in too.
 */
function refillUtf8(
  pieces: Buffer[],
  lost: readonly number[],
  lm: LanguageModel,
): { text: string; confidence: number } | undefined {
  const runs: number[][] = [];
  const parts: Buffer[] = [];
  let length = 0;
  for (const piece of pieces) {
    if (parts.length > 0) {
      const run = runs.at(-1);
      if (run && run.at(-1) === length - 1) run.push(length);
      else runs.push([length]);
      parts.push(Buffer.of(lost[0] as number));
      length++;
    }
    parts.push(piece);
    length += piece.length;
  }
  const bytes = Buffer.concat(parts);
  // Cheap rejection before the model runs: apart from the gaps (each of which spoils at most the
  // character around it) the bytes must already be UTF-8.
  let invalid = 0;
  for (const ch of iconv.decode(bytes, 'utf8')) if (ch === '\uFFFD') invalid++;
  if (invalid > 3 * runs.length) return undefined;
  let confidence = 1;
  for (const pass of [1, 2]) {
    for (const run of runs) {
      if (run.length > MAX_LOST_RUN) return undefined;
      const [best, second] = fillings(lost, run.length)
        .map((filling) => {
          for (const [i, at] of run.entries()) bytes[at] = filling[i] as number;
          return { filling, score: scoreLostByte(bytes, run[0] as number, lm) };
        })
        .sort((a, b) => b.score - a.score);
      if (!best || best.score === Number.NEGATIVE_INFINITY) return undefined;
      for (const [i, at] of run.entries()) bytes[at] = best.filling[i] as number;
      if (pass === 2 && second)
        confidence = Math.min(confidence, 1 / (1 + Math.exp(second.score - best.score)));
    }
  }
  const text = decodeStrictUtf8(bytes);
  return text === undefined ? undefined : { text, confidence };
}

/** `text` read the right way under one hypothesis, or undefined when the hypothesis does not fit. */
export function undo(
  text: string,
  m: Misdecoding,
  lm: LanguageModel,
): { text: string; confidence: number } | undefined {
  if (!text.includes('\uFFFD')) {
    const bytes = m.wrong(text);
    const fixed = bytes && m.right(bytes);
    return fixed ? { text: fixed, confidence: 1 } : undefined;
  }
  const pieces = text.split('\uFFFD');
  if (!m.lost || pieces.length - 2 > text.length / CHARS_PER_LOST_BYTE) return undefined;
  const bytes: Buffer[] = [];
  for (const piece of pieces) {
    const encoded = m.wrong(piece);
    if (!encoded) return undefined;
    bytes.push(encoded);
  }
  return refillUtf8(bytes, m.lost, lm);
}

/** Non-ASCII characters a text must have before any re-decoding is tried: fewer is no evidence
 * (ftfy's `NESTLÉ®`, `5×£35` are two characters that GBK would read as one Han character). Han
 * read from UTF-8 bytes is denser (`鍙栧緱` is 取得): three characters, all Han, are enough, since
 * clean Chinese in GBK almost never makes valid UTF-8. */
const MIN_NON_ASCII = 4;
const MIN_NON_ASCII_HAN = 3;
/** …and their share of its visible characters: mojibake of Chinese is dense, a Latin text with a
 * few accented letters or symbols is not. */
const MIN_NON_ASCII_SHARE = 0.25;
/** Share of Han among the non-ASCII characters of what a CJK decoder made of Chinese bytes, and of
 * a repair's result: box drawing, Cyrillic or Greek read as GBK is not Chinese read wrongly. */
const MIN_HAN_SHARE = 0.6;

const HAN = /\p{Script=Han}/u;
const HAN_OR_CJK_PUNCTUATION = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]/u;
/** What a CJK decoder makes of bytes that are not its own: Han, kana (GBK's A4/A5 rows, where
 * UTF-8's continuation bytes land), private use (GBK's user-defined rows). */
const CJK_DECODER_OUTPUT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u{E000}-\u{F8FF}]/u;

function shares(text: string, counted: RegExp = HAN): { nonAscii: number; visible: number; han: number } {
  let nonAscii = 0;
  let visible = 0;
  let han = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code <= 0x20) continue;
    visible++;
    if (code < 0x80) continue;
    nonAscii++;
    if (counted.test(ch)) han++;
  }
  return { nonAscii, visible, han };
}

/**
 * Whether `text` can be a wrong reading of the kind `m` undoes, and `fixed` reads as Chinese: the
 * guard that keeps Latin, Cyrillic, symbols and box drawing (ftfy's negative cases) as they are.
 */
export function plausibleMisreading(
  text: string,
  fixed: string,
  m: Misdecoding,
  minNonAsciiShare = MIN_NON_ASCII_SHARE,
): boolean {
  const before = shares(text, m.makes === 'han' ? CJK_DECODER_OUTPUT : HAN);
  const enough = m.makes === 'han' && before.han === before.nonAscii ? MIN_NON_ASCII_HAN : MIN_NON_ASCII;
  if (before.nonAscii < enough || before.nonAscii < before.visible * minNonAsciiShare) return false;
  if (m.makes === 'han' && before.han < before.nonAscii * MIN_HAN_SHARE) return false;
  // Full-width and CJK punctuation count with Han in the result: `（1）道氏理论。` is Chinese.
  const after = shares(fixed, HAN_OR_CJK_PUNCTUATION);
  return after.han >= 2 && after.han >= after.nonAscii * MIN_HAN_SHARE;
}
