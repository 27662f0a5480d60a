/**
 * Fault 7, wrong or missing charset (FAULTS.md §7).
 *
 * These sites serve GBK, GB18030, Big5 or UTF-8 and often declare the wrong one, or none. Two
 * entry points:
 *
 * - `decodeBytes` turns a fetched body into text. Declarations are only candidates: each one is
 *   decoded on a sample and the language model says which reads as Chinese. A declaration that
 *   loses is recorded as a `charset` repair (the page lied).
 * - `repairMisdecodedText` undoes a wrong decoding that happened before the text reached us
 *   (`鍙栧緱` → `取得`): re-encode with the charset that was wrongly used, decode with the right one,
 *   and keep the result only when it round-trips exactly and reads clearly better.
 */
import iconv from 'iconv-lite';
import { type LanguageModel, languageModel } from './language-model.js';
import { isTraditionalOnly } from './script/char-fold.js';
import type { StageOutput, TextRepair } from './types.js';

export type KnownCharset = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030' | 'gbk' | 'big5' | 'windows-1252';
/** A known charset, or another label iconv-lite can decode (`shift_jis`, `euc-kr`…), lower-cased. */
export type Charset = KnownCharset | (string & Record<never, never>);

export interface DecodeHints {
  /** The HTTP `Content-Type` header, e.g. `text/html; charset=gb2312`. */
  contentType?: string;
  /** A charset the caller believes in, e.g. `charset:` from the sources file. */
  declared?: string;
}

export interface DecodedBody {
  text: string;
  charset: Charset;
  repairs: TextRepair[];
  flags: string[];
}

/** Detection decodes this much of the body; the winner then decodes all of it once. */
const SAMPLE_BYTES = 64 * 1024;
/** Meta tags count only in the first 4 KB, as in browsers' prescan. */
const META_SCAN_BYTES = 4096;
/** Non-ASCII characters scored per candidate: plenty to tell Chinese from mojibake, and bounded. */
const MAX_SCORED_CHARS = 4000;
/** Cost of U+FFFD, a private-use or a control character: worse than any character the model knows. */
const BAD_CHAR_LOGP = -25;
/** Candidates whose scores differ by less than this (nats per character) tie; ties go to the declaration. */
const TIE_MARGIN = 0.05;
/** Margin → confidence slope: a margin of 1 nat per character gives 0.88, 2 nats give 0.98. */
const CONFIDENCE_SLOPE = 2;
/** Share of U+FFFD and control characters above which a body is flagged `undecodable`. */
const UNDECODABLE_RATIO = 0.03;

/** WHATWG-style label aliases. GB2312 pages are GBK in practice, and Latin-1 means Windows-1252. */
const ALIASES: Record<string, Charset> = {
  utf8: 'utf-8',
  'utf-8': 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  'utf-16': 'utf-16le',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  unicode: 'utf-16le',
  gbk: 'gbk',
  'x-gbk': 'gbk',
  gb2312: 'gbk',
  gb_2312: 'gbk',
  'gb_2312-80': 'gbk',
  csgb2312: 'gbk',
  chinese: 'gbk',
  'euc-cn': 'gbk',
  cp936: 'gbk',
  ms936: 'gbk',
  'windows-936': 'gbk',
  'iso-ir-58': 'gbk',
  gb18030: 'gb18030',
  big5: 'big5',
  'big5-hkscs': 'big5',
  big5hkscs: 'big5',
  'cn-big5': 'big5',
  csbig5: 'big5',
  'x-x-big5': 'big5',
  cp950: 'big5',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
};

/** The iconv-lite codec that decodes a charset. GB18030 is a superset of GBK, HKSCS of Big5. */
function decoderName(charset: Charset): string {
  switch (charset) {
    case 'gbk':
    case 'gb18030':
      return 'gb18030';
    case 'big5':
      return 'big5hkscs';
    case 'utf-8':
      return 'utf8';
    default:
      return charset;
  }
}

/** iconv-lite "encodings" that are not text charsets: a page that names one is wrong. */
const NOT_CHARSETS = new Set(['base64', 'hex', 'binary']);

/**
 * The canonical name of a charset label, or undefined when nothing here can decode it.
 *
 * @example
 * normalizeCharsetLabel(' GB2312 ') // → 'gbk'
 * normalizeCharsetLabel('x-klingon') // → undefined
 */
export function normalizeCharsetLabel(label: string | undefined): Charset | undefined {
  if (!label) return undefined;
  const key = label
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '');
  const alias = ALIASES[key];
  if (alias) return alias;
  return !NOT_CHARSETS.has(key) && iconv.encodingExists(key) ? key : undefined;
}

/** A view of `bytes[start, end)` as a Buffer, without copying. */
function view(bytes: Uint8Array, start = 0, end = bytes.length): Buffer {
  return Buffer.from(
    bytes.buffer,
    bytes.byteOffset + start,
    Math.max(0, Math.min(end, bytes.length) - start),
  );
}

/** iconv-lite decoding that cannot throw, whatever the bytes and the codec. */
function decodeSafely(bytes: Buffer, charset: Charset): string {
  try {
    return iconv.decode(bytes, decoderName(charset), { stripBOM: false });
  } catch {
    return iconv.decode(bytes, 'latin1');
  }
}

/**
 * What detection looks at: 64 KB from just before the first non-ASCII byte, since a page's head
 * can be all ASCII scripts and styles, which every candidate reads alike.
 */
function sampleOf(bytes: Uint8Array): Buffer {
  let first = 0;
  while (first < bytes.length && (bytes[first] as number) < 0x80) first++;
  if (first === bytes.length) first = 0;
  const start = Math.max(0, first - 1024) & ~1; // even, to keep UTF-16 units aligned
  return view(bytes, start, start + SAMPLE_BYTES);
}

function contentTypeCharset(contentType: string | undefined): string | undefined {
  return contentType ? /charset\s*=\s*["']?([^;"'\s]+)/i.exec(contentType)?.[1] : undefined;
}

/** `<meta charset=…>` or `<meta http-equiv=content-type content="…; charset=…">` near the top. */
function metaCharset(bytes: Uint8Array): string | undefined {
  // Latin-1 maps bytes 1:1, so the ASCII markup is found whatever the page's charset; NULs are
  // dropped so that a UTF-16 page's meta is found too.
  const head = view(bytes, 0, META_SCAN_BYTES).toString('latin1').replace(/\0/g, '');
  return /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1];
}

function bom(bytes: Uint8Array): { charset: Charset; length: number } | undefined {
  const [a, b, c] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return { charset: 'utf-8', length: 3 };
  if (a === 0xff && b === 0xfe) return { charset: 'utf-16le', length: 2 };
  if (a === 0xfe && b === 0xff) return { charset: 'utf-16be', length: 2 };
  return undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeStrictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * UTF-16 without a BOM is only worth trying when the high byte of (nearly) every unit is one that
 * Chinese or ASCII text has: 0x00 (ASCII), 0x20 (“”…), 0x30 (。、「」), 0x4E–0x9F (Han), 0xFF (，？).
 * GBK and Big5 lead bytes (0xA1 and up) and UTF-8 lead bytes (0xE4 and up) fail this at once.
 */
function utf16Candidates(sample: Uint8Array): Charset[] {
  const plausible = (byte: number) =>
    byte === 0 || byte === 0x20 || byte === 0x30 || byte === 0xff || (byte >= 0x4e && byte <= 0x9f);
  const units = Math.min(sample.length >> 1, 8192);
  if (units < 2) return [];
  const found: Charset[] = [];
  for (const [charset, high] of [
    ['utf-16le', 1],
    ['utf-16be', 0],
  ] as const) {
    let ok = 0;
    for (let i = 0; i < units; i++) if (plausible(sample[2 * i + high] as number)) ok++;
    if (ok >= units * 0.9) found.push(charset);
  }
  return found;
}

function isBadCode(code: number): boolean {
  return (
    code === 0xfffd ||
    (code >= 0xe000 && code <= 0xf8ff) ||
    (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x0c) ||
    (code >= 0x7f && code <= 0x9f)
  );
}

interface TextScore {
  /** Mean log-probability per scored (non-ASCII or bad) character; 0 when there is none. */
  mean: number;
  /** U+FFFD and control characters (not private use), over all characters seen. */
  undecodableRatio: number;
}

/**
 * How much `text` reads like Chinese. Printable ASCII is skipped: it decodes the same under every
 * ASCII-compatible charset and would only dilute the difference. Runs of other characters go to
 * the language model; U+FFFD, private-use and control characters cost `BAD_CHAR_LOGP` each.
 */
function scoreText(text: string, lm: LanguageModel, maxChars = Number.POSITIVE_INFINITY): TextScore {
  let total = 0;
  let scored = 0;
  let seen = 0;
  let undecodable = 0;
  let run = '';
  let runLength = 0;
  const flush = () => {
    if (runLength === 0) return;
    total += lm.score(run);
    scored += runLength;
    run = '';
    runLength = 0;
  };
  for (const ch of text) {
    if (scored + runLength >= maxChars) break;
    seen++;
    const code = ch.codePointAt(0) as number;
    if (isBadCode(code)) {
      flush();
      total += BAD_CHAR_LOGP;
      scored++;
      if (code < 0xe000 || code > 0xf8ff) undecodable++;
    } else if (code < 0x80) {
      flush();
    } else {
      run += ch;
      runLength++;
    }
  }
  flush();
  return { mean: scored === 0 ? 0 : total / scored, undecodableRatio: seen === 0 ? 0 : undecodable / seen };
}

function confidenceFromMargin(margin: number): number {
  return Math.round((1 / (1 + Math.exp(-CONFIDENCE_SLOPE * margin))) * 100) / 100;
}

function charsetRepair(declared: Charset | undefined, chosen: Charset, confidence: number): TextRepair[] {
  if (!declared || decoderName(declared) === decoderName(chosen)) return [];
  return [{ kind: 'charset', before: declared, after: chosen, confidence }];
}

/**
 * Decode a fetched body, trusting the bytes over the declarations.
 *
 * A BOM wins; then bytes that are valid UTF-8 with some non-ASCII are UTF-8; otherwise the
 * Content-Type charset, the `<meta>` charset, `hints.declared`, GB18030, Big5 and UTF-8 (and
 * UTF-16 when the bytes look like it) are each decoded on the first 64 KB and the language model
 * picks; ties go to the declaration. Only the winner decodes the whole body. Never throws.
 *
 * @example
 * decodeBytes(iconv.encode('<meta charset="gb2312"><p>臺灣銀行</p>', 'big5'))
 * // → { text: '<meta charset="gb2312"><p>臺灣銀行</p>', charset: 'big5',
 * //     repairs: [{ kind: 'charset', before: 'gbk', after: 'big5', confidence: 1 }], flags: [] }
 */
export function decodeBytes(bytes: Uint8Array, hints: DecodeHints = {}): DecodedBody {
  const flags: string[] = [];
  const labels = [contentTypeCharset(hints.contentType), metaCharset(bytes), hints.declared];
  const declarations: Charset[] = [];
  for (const label of labels) {
    if (!label) continue;
    const charset = normalizeCharsetLabel(label);
    if (charset) declarations.push(charset);
    else flags.push(`unknown-charset:${label.toLowerCase()}`);
  }
  const declared = declarations[0];

  const marked = bom(bytes);
  if (marked) {
    const text = decodeSafely(view(bytes, marked.length), marked.charset);
    return { text, charset: marked.charset, repairs: charsetRepair(declared, marked.charset, 1), flags };
  }

  // Valid UTF-8 is UTF-8 whatever the page says: other charsets' non-ASCII almost never validates.
  // The decoded text is shorter than the bytes exactly when some character took several bytes.
  const utf8 = decodeStrictUtf8(bytes);
  if (utf8 !== undefined && utf8.length < bytes.length) {
    return { text: utf8, charset: 'utf-8', repairs: charsetRepair(declared, 'utf-8', 1), flags };
  }

  const sample = sampleOf(bytes);
  // One candidate per decoder, in priority order: declarations first so that they win ties.
  const candidates: Charset[] = [];
  for (const charset of [...declarations, 'utf-8', 'gb18030', 'big5', ...utf16Candidates(sample)]) {
    if (!candidates.some((c) => decoderName(c) === decoderName(charset))) candidates.push(charset);
  }
  const lm = languageModel();
  const scored = candidates.map((charset) => {
    const text = decodeSafely(sample, charset);
    return { charset, text, score: scoreText(text, lm, MAX_SCORED_CHARS) };
  });
  const bestMean = Math.max(...scored.map((c) => c.score.mean));
  const winner = scored.find((c) => c.score.mean >= bestMean - TIE_MARGIN) as (typeof scored)[number];
  // The margin is to the best candidate that reads differently: charsets that agree on these
  // bytes (pure ASCII, say) are not rivals.
  const rivals = scored.filter((c) => c.text !== winner.text).map((c) => c.score.mean);
  const confidence =
    rivals.length === 0 ? 1 : confidenceFromMargin(Math.max(0, winner.score.mean - Math.max(...rivals)));
  if (winner.score.undecodableRatio > UNDECODABLE_RATIO) flags.push('undecodable');

  // Pure ASCII reads the same in every ASCII-compatible charset: reuse the UTF-8 decoding.
  const asciiCompatible = !winner.charset.startsWith('utf-16');
  const text = utf8 !== undefined && asciiCompatible ? utf8 : decodeSafely(view(bytes), winner.charset);
  return {
    text,
    charset: winner.charset,
    repairs: charsetRepair(declared, winner.charset, confidence),
    flags,
  };
}

/** A Han character rarer than this is suspicious: 0.1% of clean characters, about half of mojibake. */
const RARE_HAN_LOGP = -12;
/** Text is tried as mojibake when this share of its non-ASCII characters is suspicious. */
const SUSPICIOUS_RATIO = 0.15;
/** A re-decoding must beat the text by this many nats per character. Clean text never gained more
 * than 1.3 under any hypothesis (the seed pages and OpenCC's test cases, cut into clauses too). */
const MIN_GAIN_PER_CHAR = 2;
/** …and read like Chinese in its own right: the worst clean text in that corpus scores -13.7. */
const MIN_REPAIRED_LOGP = -14;

const HAN = /\p{Script=Han}/u;
/** Tone letters outside Latin-1: leaked pinyin readings (`导(dǎo)`, another stage's fault) are full
 * of them, and no Latin-1 or Windows-1252 misreading makes them. */
const PINYIN_TONE_LETTERS = new Set('āǎēěīǐōǒūǔǖǘǚǜńňḿ');

/** What the gate asks of a character: its log-probability when it is Han, and whether it is suspicious. */
interface CharTraits {
  hanLogP: number | undefined;
  suspicious: boolean;
}

const traitsCache = new Map<string, CharTraits>();

/**
 * Could this character come from a wrong decoding? Rare Han, kana, Greek, Cyrillic, box drawing,
 * accented Latin, private use and U+FFFD are what GBK, Big5 and Latin-1 make of foreign bytes;
 * common Han and CJK / full-width / general punctuation are what Chinese text is made of.
 * Computed once a character: the gate runs on every character of every line.
 */
function traitsOf(char: string, lm: LanguageModel): CharTraits {
  let traits = traitsCache.get(char);
  if (traits === undefined) {
    const code = char.codePointAt(0) as number;
    const hanLogP = HAN.test(char) ? lm.charLogP(char) : undefined;
    const suspicious =
      hanLogP !== undefined
        ? hanLogP < RARE_HAN_LOGP
        : !(
            (code >= 0x2000 && code <= 0x206f) ||
            (code >= 0x3000 && code <= 0x303f) ||
            (code >= 0xff00 && code <= 0xffef) ||
            PINYIN_TONE_LETTERS.has(char)
          );
    traits = { hanLogP, suspicious };
    traitsCache.set(char, traits);
  }
  return traits;
}

/** The cheap gate: clean Chinese has almost no suspicious characters, mojibake is full of them. */
function looksMisdecoded(text: string, lm: LanguageModel): boolean {
  let nonAscii = 0;
  let suspicious = 0;
  let han = 0;
  let hanLogP = 0;
  for (const ch of text) {
    if ((ch.codePointAt(0) as number) < 0x80) continue;
    nonAscii++;
    const traits = traitsOf(ch, lm);
    if (traits.suspicious) suspicious++;
    if (traits.hanLogP !== undefined) {
      han++;
      hanLogP += traits.hanLogP;
    }
  }
  if (suspicious > 0 && suspicious >= nonAscii * SUSPICIOUS_RATIO) return true;
  // Mojibake of common words is made of merely uncommon characters (杩樻鏂瑰紡 for 还款方式): a run
  // whose average character is that uncommon is worth the full test, which protects clean text.
  return han >= MIN_HAN_FOR_MEAN && hanLogP / han < UNCOMMON_MEAN_LOGP;
}

/** Clean Chinese averages about -7 nats a character; mojibake about -10.5. */
const UNCOMMON_MEAN_LOGP = -9.5;
const MIN_HAN_FOR_MEAN = 4;

/** Character → byte for text read as ISO-8859-1 or Windows-1252: every byte reads as the same
 * code point in ISO-8859-1, and 0x80–0x9F read as € ‚ ƒ … in Windows-1252. */
const LATIN1_BYTES = new Map<string, number>();
for (let byte = 0; byte < 256; byte++) LATIN1_BYTES.set(String.fromCharCode(byte), byte);
for (let byte = 0x80; byte < 0xa0; byte++) {
  const char = iconv.decode(Buffer.of(byte), 'windows-1252');
  if (char !== '\uFFFD') LATIN1_BYTES.set(char, byte);
}

/** The bytes a Latin-1 / Windows-1252 decoder read as `text`, or undefined if it cannot have. */
function encodeLatin1(text: string): Buffer | undefined {
  const bytes = Buffer.alloc(text.length);
  for (let i = 0; i < text.length; i++) {
    const byte = LATIN1_BYTES.get(text[i] as string);
    if (byte === undefined) return undefined;
    bytes[i] = byte;
  }
  return bytes;
}

/** The bytes an iconv-lite decoder read as `text`, or undefined when it could not have produced it. */
function encodeExactly(text: string, codec: string): Buffer | undefined {
  const bytes = iconv.encode(text, codec);
  return iconv.decode(bytes, codec) === text ? bytes : undefined;
}

function decodeClean(codec: string): (bytes: Buffer) => string | undefined {
  return (bytes) => {
    const text = iconv.decode(bytes, codec);
    for (const ch of text) if (isBadCode(ch.codePointAt(0) as number)) return undefined;
    return text;
  };
}

interface Misdecoding {
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

/** Every wrong reading FAULTS.md §7 names, with its undoing. */
const MISDECODINGS: readonly Misdecoding[] = [
  { wrong: (text) => encodeExactly(text, 'gbk'), right: decodeStrictUtf8, lost: range(0x81, 0xbf) }, // 取得 → 鍙栧緱
  { wrong: (text) => encodeExactly(text, 'big5hkscs'), right: decodeStrictUtf8 },
  { wrong: encodeLatin1, right: decodeStrictUtf8, lost: [0x81, 0x8d, 0x8f, 0x90, 0x9d] }, // 美 → ç¾Ž
  { wrong: (text) => encodeExactly(text, 'big5hkscs'), right: decodeClean('gb18030') },
  { wrong: (text) => encodeExactly(text, 'gbk'), right: decodeClean('big5hkscs') },
];

/** One lost byte, plus one per this many characters: more means the text is not a clean mis-reading. */
const CHARS_PER_LOST_BYTE = 8;
/** Below this a put-back byte is flagged: 9 in 10 right guesses score above, 3 in 4 wrong ones below. */
const SURE_LOST_BYTE = 0.8;
/** Below this a put-back byte is not used at all. */
const MIN_LOST_BYTE_CONFIDENCE = 0.5;
/** A character has at most three continuation bytes; longer runs of losses are not one character. */
const MAX_LOST_RUN = 3;
/** Characters of context either side when the model picks a lost byte. */
const LOST_BYTE_CONTEXT = 6;

/** Closing punctuation → its opening partner. */
const CLOSERS: Record<string, string> = {
  '”': '“',
  '’': '‘',
  '）': '（',
  '》': '《',
  '」': '「',
  '』': '『',
  '】': '【',
};
/** Log-odds bonuses for punctuation, which the model prices all alike: a paragraph usually ends in
 * 。, an FAQ heading in ？ or ：, and ， 。 、 are the most frequent inside one. */
const END_PUNCTUATION: Record<string, number> = { '。': 2, '？': 1.5, '：': 1, '！': 0.5 };
const MID_PUNCTUATION: Record<string, number> = { '，': 1, '。': 0.5, '、': 0.5 };
/** The model folds Traditional to Simplified, so 斷 and 断 score alike: the context's script decides.
 * A Traditional-only character costs this much among Simplified text… */
const SCRIPT_MISMATCH = 3;
/** …and earns this much among Traditional text (enough to break the tie, not to outvote a word). */
const SCRIPT_MATCH = 0.5;

/** Prior for a candidate character that is not about words: punctuation and script consistency. */
function charPrior(char: string, textBefore: string, context: string, atEnd: boolean): number {
  const opener = CLOSERS[char];
  if (opener) return textBefore.lastIndexOf(opener) > textBefore.lastIndexOf(char) ? 2 : 0;
  const punctuation = (atEnd ? END_PUNCTUATION : MID_PUNCTUATION)[char];
  if (punctuation !== undefined) return punctuation;
  if (!isTraditionalOnly(char)) return 0;
  return [...context].some(isTraditionalOnly) ? SCRIPT_MATCH : -SCRIPT_MISMATCH;
}

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
  const prior = charPrior(around.char, before, left + right, around.end === bytes.length);
  return lm.score(left + around.char + right) + prior;
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
function undo(
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

/**
 * Undo a wrong decoding of a whole paragraph: UTF-8 read as GBK, Big5 or Latin-1, GBK read as
 * Big5, Big5 read as GBK. A re-decoding is kept only when the text is exactly what the wrong
 * decoder makes of some bytes, those bytes are valid in the right charset, and the result reads
 * better by `MIN_GAIN_PER_CHAR` nats per character. A U+FFFD where the wrong decoder dropped a
 * byte of UTF-8 is filled in by the model (and lowers the confidence). Clean text is never
 * changed and costs one table look-up per non-ASCII character.
 *
 * @example
 * repairMisdecodedText('鍩洪噾瀹氭姇') // UTF-8 read as GBK
 * // → { text: '基金定投',
 * //     repairs: [{ kind: 'charset', before: '鍩洪噾瀹氭姇', after: '基金定投', confidence: 1 }], flags: [] }
 * repairMisdecodedText('骞村埄鐜囦负3.5%銆\uFFFD') // the last byte of 。 was lost: put back, less sure
 * // → text '年利率为3.5%。', confidence 0.88
 * repairMisdecodedText('å¹´åˆ©çŽ‡') // UTF-8 read as Windows-1252 → text '年利率'
 * repairMisdecodedText('年利率') // → { text: '年利率', repairs: [], flags: [] }
 */
export function repairMisdecodedText(text: string): StageOutput {
  const lm = languageModel();
  if (!looksMisdecoded(text, lm)) return { text, repairs: [], flags: [] };
  const before = scoreText(text, lm).mean;
  let best: { text: string; gain: number; confidence: number } | undefined;
  for (const m of MISDECODINGS) {
    const fixed = undo(text, m, lm);
    if (!fixed || fixed.text === text) continue;
    const after = scoreText(fixed.text, lm).mean;
    const gain = after - before;
    if (after >= MIN_REPAIRED_LOGP && gain >= MIN_GAIN_PER_CHAR && (!best || gain > best.gain))
      best = { ...fixed, gain };
  }
  if (!best) return { text, repairs: [], flags: [] };
  // The rest of the paragraph is certain; a lost byte the model cannot place with even odds is a
  // guess, and the paragraph stays as it came (flagged) rather than carry one.
  if (best.confidence < MIN_LOST_BYTE_CONFIDENCE)
    return { text, repairs: [], flags: ['unrepaired-mojibake'] };
  const confidence = Math.min(
    Math.round(best.confidence * 100) / 100,
    confidenceFromMargin(best.gain - MIN_GAIN_PER_CHAR / 2),
  );
  const flags = best.confidence < SURE_LOST_BYTE ? ['uncertain-lost-byte'] : [];
  return {
    text: best.text,
    repairs: [{ kind: 'charset', before: text, after: best.text, confidence }],
    flags,
  };
}
