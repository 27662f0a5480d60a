/**
 * Fault 7, wrong or missing charset (FAULTS.md §7): a fetched body to text.
 *
 * These sites serve GBK, GB18030, Big5 or UTF-8 and often declare the wrong one, or none.
 * Declarations are only candidates: each one is decoded on a sample and the language model says
 * which reads as Chinese. A declaration that loses is recorded as a `charset` repair (the page
 * lied). Text that was decoded wrongly before it reached us is `mojibake/`'s business.
 */
import { languageModel } from '../language-model.js';
import { scoreText } from '../mojibake/badness.js';
import { confidenceFromMargin } from '../probability.js';
import type { TextRepair } from '../types.js';
import { decodeSafely, decodeStrictUtf8, view } from './codecs.js';
import { type Charset, decoderName, normalizeCharsetLabel } from './labels.js';

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
/** Candidates whose scores differ by less than this (nats per character) tie; ties go to the declaration. */
const TIE_MARGIN = 0.05;
/** Share of U+FFFD and control characters above which a body is flagged `undecodable`. */
const UNDECODABLE_RATIO = 0.03;

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
