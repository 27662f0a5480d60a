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
import { isContinuation, refillDroppedBytes, WINDOWS_1252_UNDEFINED } from './dropped-bytes.js';
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
  /** Its bytes may also be gone without a trace from anywhere in a character: Windows-1252's C1
   * controls, soft hyphens and no-break spaces, stripped after the reading (`dropped-bytes.ts`). */
  droppedAnywhere?: true;
  /**
   * Set on a page's hypothesis when the page fits it but its re-decoding does not read as Chinese
   * either (bytes lost on the way): the page's lines it could have made are listed, not undone.
   */
  unreadable?: boolean;
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
    lost: WINDOWS_1252_UNDEFINED,
    droppedAnywhere: true,
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

/**
 * UTF-8 cut short where a wrong decoder dropped continuation bytes without a trace: a GBK decoder
 * reads a lead and one continuation byte as a character (`銆` is E3 80 of `。`) and drops the next
 * byte when ASCII or the line's end follows. The bytes split at each place, one empty piece more for
 * each further byte lost there, as `refillUtf8` takes them; undefined when nothing is cut short
 * or the bytes are not UTF-8 otherwise.
 */
function splitAtTruncations(bytes: Buffer): Buffer[] | undefined {
  const pieces: Buffer[] = [];
  let from = 0;
  let at = 0;
  while (at < bytes.length) {
    const lead = bytes[at] as number;
    const length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
    if (length === 0) return undefined;
    let end = at + 1;
    while (end < at + length && isContinuation(bytes[end])) end++;
    const missing = at + length - end;
    // Cut short only before ASCII or the end; anything else is not this loss.
    if (missing > 0 && end < bytes.length && (bytes[end] as number) >= 0x80) return undefined;
    if (missing > 0) {
      pieces.push(bytes.subarray(from, end));
      for (let i = 1; i < missing; i++) pieces.push(Buffer.alloc(0));
      from = end;
    }
    at = end;
  }
  if (pieces.length === 0) return undefined;
  pieces.push(bytes.subarray(from));
  return pieces;
}

/** `text` read the right way under one hypothesis, or undefined when the hypothesis does not fit. */
export function undo(
  text: string,
  m: Misdecoding,
  lm: LanguageModel,
): { text: string; confidence: number; dropped?: true } | undefined {
  if (!text.includes('\uFFFD')) {
    const bytes = m.wrong(text);
    const fixed = bytes && m.right(bytes);
    if (fixed) return { text: fixed, confidence: 1 };
    if (bytes && m.lost && m.droppedAnywhere) {
      const refilled = refillDroppedBytes(bytes, lm);
      return refilled && { ...refilled, dropped: true };
    }
    // UTF-8 whose lost bytes left no U+FFFD behind: put back where the bytes are cut short.
    const pieces = bytes && m.lost ? splitAtTruncations(bytes) : undefined;
    if (!pieces || !m.lost || pieces.length - 2 > text.length / CHARS_PER_LOST_BYTE) return undefined;
    return refillUtf8(pieces, m.lost, lm);
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

/** UTF-8 characters a text's bytes must hold, and their least share of its non-ASCII bytes. */
const MIN_UTF8_CHARS = 6;
const MIN_UTF8_SHARE = 0.8;

/**
 * Whether `text`, encoded back as GBK, is mostly UTF-8: a page's UTF-8 read as GBK that lost bytes
 * on the way (pairs of GBK's user-defined rows dropped by a store, a byte before ASCII), which no
 * hypothesis undoes exactly. Chinese written in GBK almost never makes valid UTF-8 (`鍙栧緱` does).
 */
export function mostlyUtf8ReadAsGbk(text: string): boolean {
  const bytes = encodeAsWhatwgGbk(text) ?? encodeExactly(text, 'gbk');
  if (!bytes) return false;
  const { nonAscii, inUtf8, chars } = utf8In(bytes);
  return chars >= MIN_UTF8_CHARS && inUtf8 >= nonAscii * MIN_UTF8_SHARE;
}

export interface Utf8Share {
  /** Non-ASCII bytes, those of them in whole UTF-8 characters, and those characters. */
  nonAscii: number;
  inUtf8: number;
  chars: number;
}

/** How much of `bytes` is whole UTF-8 characters. */
function utf8In(bytes: Uint8Array): Utf8Share {
  let nonAscii = 0;
  let inUtf8 = 0;
  let chars = 0;
  for (let at = 0; at < bytes.length; ) {
    const lead = bytes[at] as number;
    if (lead < 0x80) {
      at++;
      continue;
    }
    const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 1;
    let end = at + 1;
    while (end < at + length && isContinuation(bytes[end])) end++;
    nonAscii += end - at;
    if (length > 1 && end === at + length) {
      inUtf8 += length;
      chars++;
    }
    at = end;
  }
  return { nonAscii, inUtf8, chars };
}

/**
 * `utf8In` of `text` encoded back as GBK, its characters GBK lacks left out (a page's garbage
 * "converted" afterwards holds some: 𬭼): for a page's lines together (`lossyUtf8ReadAsGbk`).
 */
export function utf8ShareReadAsGbk(text: string): Utf8Share {
  const bytes: number[] = [];
  for (const ch of text) {
    const encoded = (ch.codePointAt(0) as number) < 0x80 ? [ch.charCodeAt(0)] : encodeAsWhatwgGbk(ch);
    if (encoded) bytes.push(...encoded);
  }
  return utf8In(Uint8Array.from(bytes));
}

/** GBK's rows of punctuation and full-width forms (A1–A3, `¡¡` is the ideographic space A1 A1). */
const GBK_PUNCTUATION_LEADS = /[\u00a1-\u00a3][\u00a1-\u00fe]/g;
const CJK_PUNCTUATION = /^[\u3000-\u303f\uff00-\uffef\u2010-\u203f]$/u;
const readGb18030 = decodeClean('gb18030');
const ALNUM_AROUND = /[A-Za-z0-9][\u00a1-\u00a3][\u00a1-\u00fe][A-Za-z0-9]/;

/**
 * Latin text whose only non-ASCII characters are GBK punctuation read as Latin-1 (`near¡¡home¡¡as
 * he¡¡can£»`: an English book on a Chinese site): the text with that punctuation read back
 * (`near　home　as he　can；`), or undefined. Every non-ASCII character must be such a pair, at least
 * two of them, and either two kinds or one between letters: Spanish `¡¡Atención!!` is not one.
 */
export function gbkPunctuationReadAsLatin1(text: string): string | undefined {
  const pairs = text.match(GBK_PUNCTUATION_LEADS);
  if (!pairs || pairs.length < 2) return undefined;
  if (/\P{ASCII}/u.test(text.replace(GBK_PUNCTUATION_LEADS, ''))) return undefined;
  if (new Set(pairs).size < 2 && !ALNUM_AROUND.test(text)) return undefined;
  let fixed = '';
  let at = 0;
  for (const match of text.matchAll(GBK_PUNCTUATION_LEADS)) {
    const index = match.index as number;
    const char = readGb18030(encodeLatin1(match[0]) ?? Buffer.alloc(0));
    if (!char || !CJK_PUNCTUATION.test(char)) return undefined;
    fixed += text.slice(at, index) + char;
    at = index + 2;
  }
  return fixed + text.slice(at);
}

/** Share of Hangul syllables among what Korean bytes decode to, and the least count of them. */
const MIN_HANGUL_SHARE = 0.9;
const MIN_KOREAN_CHARS = 4;
/** A line this long is Korean without spaces to show it; a shorter one must space its words. */
const SURE_KOREAN_CHARS = 10;
const HANGUL = /[\uac00-\ud7a3]/;

/**
 * Whether `bytes` are Korean in EUC-KR or its Windows extension (CP949): read so, nearly all their
 * non-ASCII characters are Hangul syllables, and many or spaced. EUC-KR shares GB2312's byte
 * layout, so Korean read as Windows-1252 re-decodes as GBK or Big5 into fluent-looking rare Han
 * (`努扼捞攫飘`); Chinese in GBK read as CP949 is Hanja and Hangul mixed (GB2312's rows B0–C8 are
 * Hangul's, its others are not).
 */
export function readsAsKorean(bytes: Uint8Array): boolean {
  const text = iconv.decode(Buffer.from(bytes), 'cp949');
  let nonAscii = 0;
  let hangul = 0;
  for (const ch of text) {
    if ((ch.codePointAt(0) as number) < 0x80) continue;
    if (ch === '\uFFFD') return false;
    nonAscii++;
    if (HANGUL.test(ch)) hangul++;
  }
  if (hangul < MIN_KOREAN_CHARS || hangul < nonAscii * MIN_HANGUL_SHARE) return false;
  return hangul >= SURE_KOREAN_CHARS || /[\uac00-\ud7a3]\s+[\uac00-\ud7a3]/.test(text);
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

/** Dot leaders and rules (`........`, `-----`, `|||`): one mark of layout, however long. */
const LEADERS = /([.·…_\-=|*~])\1{2,}/g;

/** `text` with each run of leaders cut to one mark, for counting what the text is made of. */
export function withoutLeaders(text: string): string {
  return text.replace(LEADERS, '$1');
}

/**
 * What `text` is made of, leaders cut to one mark: its visible characters, those of them beyond
 * ASCII, and those of these `counted` matches (Han by default, as `han`).
 */
export function shares(
  text: string,
  counted: RegExp = HAN,
): { nonAscii: number; visible: number; han: number } {
  let nonAscii = 0;
  let visible = 0;
  let han = 0;
  for (const ch of withoutLeaders(text)) {
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
  const allHan = m.makes === 'han' && before.han === before.nonAscii;
  const enough = allHan ? MIN_NON_ASCII_HAN : MIN_NON_ASCII;
  if (before.nonAscii < enough) return false;
  // The share keeps Latin text with a few accents or symbols out; Han a CJK decoder made of UTF-8
  // needs none (`鍙栧緱3590931873@qq.com`, 取得 before an address, was published as it stood).
  if (!allHan && before.nonAscii < before.visible * minNonAsciiShare) return false;
  if (m.makes === 'han' && before.han < before.nonAscii * MIN_HAN_SHARE) return false;
  // Full-width and CJK punctuation count with Han in the result: `（1）道氏理论。` is Chinese.
  const after = shares(fixed, HAN_OR_CJK_PUNCTUATION);
  if (after.han < 2 || after.han < after.nonAscii * MIN_HAN_SHARE) return false;
  // Korean in EUC-KR shown as Latin-1 is not Chinese in GBK or Big5, however it re-decodes.
  if (m.makes === 'latin' && !m.name.startsWith('utf-8')) {
    const bytes = m.wrong(text);
    if (bytes && readsAsKorean(bytes)) return false;
  }
  return true;
}
