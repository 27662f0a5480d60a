/**
 * UTF-8 read as Windows-1252 whose undefined bytes were then dropped without a trace. Windows-1252
 * leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined; a browser reads them as C1 controls, and a
 * store or a sanitizer strips those (and soft hyphens, and no-break spaces: `STRIPPED_BYTES`), so a
 * Chinese character that held one shows one byte short:
 * `åŽ` is E5 8E, and 后 is E5 90 8E. UTF-8 says where (a lead byte with too few continuation bytes
 * after it) but not which of its continuation bytes went, nor which of the seven it was: each place
 * has fourteen candidates or fewer (Han or CJK punctuation), and the language model picks in
 * context.
 *
 *   refillDroppedBytes(encodeLatin1('åŽï¼Œå¦‚æžœ'), lm) // → { text: '后，如果', confidence: 0.96… }
 */
import { decodeStrictUtf8 } from '../encoding/codecs.js';
import type { LanguageModel } from '../language-model.js';
import { softmax } from '../probability.js';
import { scoreInContext } from './context-score.js';

/** The bytes Windows-1252 leaves undefined: the ones its readers' C1 controls stood for. */
export const WINDOWS_1252_UNDEFINED: readonly number[] = [0x81, 0x8d, 0x8f, 0x90, 0x9d];

/**
 * The bytes a store or a sanitizer loses from Windows-1252 text: the C1 controls, the soft hyphen
 * (0xAD, invisible) and the no-break space (0xA0, stripped or made a space: `ä¼ 至` is 传至, where
 * 传 is E4 BC A0). A real page's UTF-8 read so lost all three kinds (`ç‰çº§` for 等级, 等 = E7 AD 89).
 */
export const STRIPPED_BYTES: readonly number[] = [...WINDOWS_1252_UNDEFINED, 0xa0, 0xad];
const NO_BREAK_SPACE = 0xa0;

/**
 * The least confidence a refilled text is used at (a lost byte marked by U+FFFD is at 0.8): here
 * the model also picks which of a character's bytes went. On 120 generated pages (two seeds) 13
 * of 67 lines repaired at 0.8–0.9 were wrong (`全面还款` for 全额: 额 is E9 A2 9D, 面 E9 9D A2),
 * none of the 2,947 above.
 */
export const SURE_DROPPED_BYTE = 0.9;

/** Bytes one character may have lost: two of its three leave ten times more candidates. */
const MAX_LOST_PER_CHAR = 2;
/** Places one per this many characters at most: more is not this loss (or not text). */
const CHARS_PER_PLACE = 2;
/** Characters of context either side of a place when its candidates are scored. */
const CONTEXT_CHARS = 6;

const HAN_OR_CJK_PUNCTUATION = /^[\p{Script=Han}\u3000-\u303f\uff01-\uff5e“”‘’…—]$/u;

/** Bytes of the UTF-8 character a byte starts: 1 for ASCII, 2 to 4, or 0 for a byte that starts
 * none (a continuation byte, C0, C1, F5–FF). */
function utf8Length(lead: number): number {
  return lead < 0x80 ? 1 : lead >= 0xf5 ? 0 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
}

/** A UTF-8 continuation byte (10xxxxxx): never the first of a character. */
export const isContinuation = (byte: number | undefined) => byte !== undefined && byte >= 0x80 && byte < 0xc0;

/** A character cut short: its bytes `[start, end)` as they came, and what it may have been. */
interface Place {
  start: number;
  end: number;
  candidates: string[];
}

/** Every way to put `missing` of `lost` among a character's continuation bytes `visible`. */
function refilled(
  lead: number,
  visible: readonly number[],
  missing: number,
  lost: readonly number[],
): string[] {
  let sequences: number[][] = [[...visible]];
  for (let k = 0; k < missing; k++) {
    const next: number[][] = [];
    for (const sequence of sequences)
      for (let at = 0; at <= sequence.length; at++)
        for (const byte of lost) next.push([...sequence.slice(0, at), byte, ...sequence.slice(at)]);
    sequences = next;
  }
  const chars = new Set<string>();
  for (const sequence of sequences) {
    const char = decodeStrictUtf8(Uint8Array.from([lead, ...sequence]));
    if (char !== undefined && HAN_OR_CJK_PUNCTUATION.test(char)) chars.add(char);
  }
  return [...chars];
}

/**
 * The characters of `bytes` cut short, with their candidates; undefined when the bytes are not
 * UTF-8 short of some continuation bytes (a stray continuation byte, a byte no UTF-8 has, a place
 * with no candidate, too many places).
 */
function placesOf(
  bytes: Uint8Array,
  lost: readonly number[],
): { places: Place[]; chars: number } | undefined {
  const places: Place[] = [];
  let chars = 0;
  for (let at = 0; at < bytes.length; ) {
    const lead = bytes[at] as number;
    chars++;
    if (lead < 0x80) {
      at++;
      continue;
    }
    const length = utf8Length(lead);
    if (length === 0) return undefined;
    let end = at + 1;
    while (end < at + length && isContinuation(bytes[end])) end++;
    const missing = at + length - end;
    if (missing > 0) {
      if (missing > MAX_LOST_PER_CHAR) return undefined;
      const candidates = refilled(lead, [...bytes.subarray(at + 1, end)], missing, lost);
      if (candidates.length === 0) return undefined;
      places.push({ start: at, end, candidates });
    }
    at = end;
  }
  if (places.length > Math.max(1, chars / CHARS_PER_PLACE)) return undefined;
  return { places, chars };
}

/** How `bytes` read as UTF-8 that may have lost continuation bytes: whether every byte is a
 * character's, whole or cut short (no stray continuation byte, none UTF-8 never has), and whether
 * one of the characters is of three bytes (Chinese). */
function readAsCutUtf8(bytes: Uint8Array): { whole: boolean; threeByte: boolean } {
  let threeByte = false;
  for (let at = 0; at < bytes.length; ) {
    const lead = bytes[at] as number;
    if (lead < 0x80) {
      at++;
      continue;
    }
    const length = utf8Length(lead);
    if (length === 0) return { whole: false, threeByte };
    if (length === 3) threeByte = true;
    let end = at + 1;
    while (end < at + length && isContinuation(bytes[end])) end++;
    at = end;
  }
  return { whole: true, threeByte };
}

/** Whether `bytes` are Chinese UTF-8 that may have lost bytes (`readAsCutUtf8`). */
export function utf8Shaped(bytes: Uint8Array): boolean {
  const read = readAsCutUtf8(bytes);
  return read.whole && read.threeByte;
}

/** Whether every byte of `bytes` belongs to a character, whole or cut short. */
export function noStrayBytes(bytes: Uint8Array): boolean {
  return readAsCutUtf8(bytes).whole;
}

/** Whether the last character of `bytes` is cut short (its lead byte wants more than follow it). */
export function endsCutShort(bytes: Uint8Array): boolean {
  let at = bytes.length - 1;
  while (at >= 0 && isContinuation(bytes[at])) at--;
  if (at < 0) return false;
  return bytes.length - at < utf8Length(bytes[at] as number);
}

/** `bytes` with each space that stands where a character's continuation byte must be taken for
 * the no-break space it was (a space is never inside a UTF-8 character). */
function withNoBreakSpaces(bytes: Uint8Array): Uint8Array {
  let out: Uint8Array | undefined;
  let expected = 0;
  for (let at = 0; at < bytes.length; at++) {
    const byte = bytes[at] as number;
    if (expected > 0 && byte === 0x20) {
      out ??= Uint8Array.from(bytes);
      out[at] = NO_BREAK_SPACE;
      expected--;
    } else if (expected > 0 && isContinuation(byte)) expected--;
    else expected = Math.max(0, utf8Length(byte) - 1);
  }
  return out ?? bytes;
}

/**
 * `bytes` (UTF-8 that lost some of `lost` without a trace) decoded with each character cut short
 * put back, and the confidence of the least sure choice (its share of the probability among its
 * place's candidates, the other places as chosen); undefined when the bytes are not such UTF-8.
 * `before` and `after` are the text around the bytes, read with them.
 */
export function refillDroppedBytes(
  bytes: Uint8Array,
  lm: LanguageModel,
  {
    before = '',
    after = '',
    lost = STRIPPED_BYTES,
  }: { before?: string; after?: string; lost?: readonly number[] } = {},
): { text: string; confidence: number } | undefined {
  if (lost.includes(NO_BREAK_SPACE)) bytes = withNoBreakSpaces(bytes);
  const found = placesOf(bytes, lost);
  if (!found) return undefined;
  const { places } = found;
  // Nothing cut short: whole UTF-8 once its no-break spaces are back (`ä¼ ` is 传), or not this.
  if (places.length === 0) {
    const text = decodeStrictUtf8(bytes);
    return text === undefined ? undefined : { text, confidence: 1 };
  }
  // The text between the places is valid UTF-8 (placesOf read every character of it).
  const pieces: string[] = [];
  let from = 0;
  for (const place of places) {
    pieces.push(decodeStrictUtf8(bytes.subarray(from, place.start)) ?? '');
    from = place.end;
  }
  pieces.push(decodeStrictUtf8(bytes.subarray(from)) ?? '');
  const chosen = places.map((place) => place.candidates[0] as string);
  const piece = (i: number) => pieces[i] as string;
  // Place k's candidate between the text before it and after it, the other places as chosen.
  const textWith = (k: number, char: string, reach: number) => {
    let left = piece(k);
    for (let i = k - 1; i >= 0 && left.length < reach; i--) left = piece(i) + chosen[i] + left;
    let right = piece(k + 1);
    for (let i = k + 2; i <= places.length && right.length < reach; i++) right += chosen[i - 1] + piece(i);
    if (left.length < reach) left = before + left;
    if (right.length < reach) right += after;
    return left.slice(-reach) + char + right.slice(0, reach);
  };
  let confidence = 1;
  // Twice, so that a choice made early is made again once the places to its right are filled in.
  for (const pass of [1, 2]) {
    places.forEach((place, k) => {
      const scores = place.candidates.map((c) => scoreInContext(lm, textWith(k, c, CONTEXT_CHARS)));
      let best = 0;
      for (let i = 1; i < scores.length; i++) if ((scores[i] as number) > (scores[best] as number)) best = i;
      chosen[k] = place.candidates[best] as string;
      if (pass === 2) confidence = Math.min(confidence, softmax(scores)[best] as number);
    });
  }
  let text = pieces[0] as string;
  chosen.forEach((char, k) => {
    text += char + pieces[k + 1];
  });
  return { text, confidence };
}
