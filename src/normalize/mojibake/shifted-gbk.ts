/**
 * The byte arithmetic of a GBK decoder that slipped by one byte (FAULTS.md §2, §8, §9): where such
 * a run can start and end in a paragraph, and what each reading of it decodes to. No language
 * model here: this module says what is possible, `shifted-runs.ts` chooses.
 *
 * Right after a character P the decoder restarted on P's trail byte, so each pair it read
 * straddles two real characters: (trail of one, lead of the next). The first straddling character
 * was lost to `?` (sometimes after the annotator gave it a reading: `?shù)`), and full-width
 * characters in the run were folded to ASCII (`Ｕ` → `U`). The decoder falls back into step by
 * itself in three ways, each of which pins the run's end:
 *
 * - `resync`: a real trail byte in 0x40–0x7E is not a lead byte, so the decoder printed it as an
 *   ASCII character (`X` of `錢` = E5 58) and read on in step. The last real character is then
 *   fully known, and its reading often follows the letter (`缅X(qián)` = `錢`).
 * - `swallowed`: the text had an ASCII letter after a real character; the decoder paired it with
 *   that character's trail byte, so the run's last character has an ASCII trail byte.
 * - `lost` / `open`: an ASCII byte below 0x40 (or the paragraph's end) cannot pair: the decoder
 *   printed `?` (swallowing the next byte, `?/p>`, or not) or dropped the lone byte. The last real
 *   character's trail byte is then unknown, and the model picks it.
 *
 *   咱們?cè)诩毙栌缅X的時候 → 咱們在急需用錢的時候     (們 = 82 C7; C7 D4 = 冊 cè, lost;
 *                                                  D4 | DA BC | B1 D0 | …; E5 58 = 錢)
 */
import {
  type BytePair,
  charactersEndingIn,
  charactersWithUserDefinedTrail,
  decodeGbkPair,
  encodeAsWhatwgGbk,
  encodeGbkChar,
  trailsAfter,
} from '../encoding/gbk-table.js';
import { readingsOf } from '../pinyin.js';

/** How the decoder fell back into step; see the module comment. */
export type RunEndKind = 'resync' | 'swallowed' | 'lost' | 'open';

export interface RunEnd {
  kind: RunEndKind;
  /** Run characters are `chars[runStart, runEnd)`. */
  runEnd: number;
  /** Index just past what a repair replaces (a terminating `?`, tag residue, a reading). */
  end: number;
  /** `resync`: the trail byte the decoder printed as ASCII (`€` for 0x80). */
  trail?: number;
  /**
   * A reading after the end that names the run's last character: after a resync letter
   * (`缅X(qián)`), or after the `?` that lost it (`珳?zhǔn)`, whose `(` the lone byte swallowed).
   */
  lastReading?: string;
  /** The run reaches the end of the paragraph (possibly through a swallowed closing tag). */
  atParagraphEnd: boolean;
}

/** A place where a shifted run may start: a `?` right after a character GBK encodes in two bytes. */
export interface RunStart {
  /** Index of the `?` (or U+FFFD) that replaced the first straddling character. */
  start: number;
  previous: string;
  /** The reading the annotator gave the lost character, when it shows (`?shù)`). */
  reading?: string;
  /** Index of the first run character (after the reading). */
  runStart: number;
}

/** A run's characters as the GBK byte pairs the shifted decoder read, and its possible ends. */
export interface RunShape extends RunStart {
  pairs: BytePair[];
  ends: RunEnd[];
  /**
   * The middle of the run stopped decoding at this run character (a pair that is no GBK
   * character): bytes were lost in capture or the run ended earlier. Runs past it cannot be read.
   */
  brokenAt?: number;
}

/** Longest run looked at: real runs end within a sentence or two. */
export const MAX_RUN_CHARS = 160;
/** Ends considered per run: every ASCII character inside a run is one, so bound them. */
const MAX_ENDS = 24;

const LOST = new Set(['?', '\uFFFD']);
/** A reading after the lost `?`: `shù)`, `(shù)`, `shù )`. */
const READING = /^\(?\s?([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7})\s?\)/u;
/** A reading after a resync letter: `(qián)`. */
const TRAIL_READING = /^[(（]\s?([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7})\s?[)）]/u;
/** cp936 decoders print a lone 0x80 as `€`: the trail byte of 還 (DF 80) resynchronises that way. */
const EURO_TRAIL = 0x80;
/** The rest of an HTML tag whose `<` the last lone byte swallowed. */
const TAG_RESIDUE = /^\/?[a-zA-Z][a-zA-Z0-9]*>/;

/** The GBK bytes a character of a garbled run stood for; printable ASCII was folded from full
 * width (`！` A3 A1 → `!`), a space from the ideographic space (A1 A1). */
export function runCharBytes(char: string): BytePair | undefined {
  const code = char.codePointAt(0) ?? 0;
  if (code > 0x20 && code < 0x7f) return [0xa3, code + 0x80];
  if (code === 0x20) return [0xa1, 0xa1];
  // A private-use character is a pair from GBK's user-defined rows, as a browser prints it.
  if (code >= 0xe000 && code <= 0xf8ff) {
    const bytes = encodeAsWhatwgGbk(char);
    return bytes?.length === 2 ? [bytes[0] as number, bytes[1] as number] : undefined;
  }
  return encodeGbkChar(char);
}

const isLead = (byte: number) => byte >= 0x81 && byte <= 0xfe;

/** The run start at `chars[at]`, or undefined when no shifted run can start there. */
export function runStartAt(chars: readonly string[], at: number): RunStart | undefined {
  if (!LOST.has(chars[at] as string)) return undefined;
  const previous = chars[at - 1];
  if (previous === undefined || !encodeGbkChar(previous)) return undefined;
  let runStart = at + 1;
  let reading: string | undefined;
  const match = READING.exec(chars.slice(runStart, runStart + 12).join(''));
  if (match) {
    reading = match[1];
    runStart += [...match[0]].length;
  }
  return { start: at, previous, reading, runStart };
}

/**
 * Every way the run starting at `start` can end, as far as bytes allow. The run's characters are
 * read as byte pairs until one cannot belong to a shifted run; each ASCII character on the way is
 * both a possible end and, folded from full width, a possible run character.
 */
export function runShape(chars: readonly string[], start: RunStart): RunShape {
  const pairs: BytePair[] = [];
  const ends: RunEnd[] = [];
  let brokenAt: number | undefined;
  const limit = Math.min(chars.length, start.runStart + MAX_RUN_CHARS);
  const addEnd = (end: Omit<RunEnd, 'atParagraphEnd'>) => {
    ends.push({ ...end, atParagraphEnd: end.end >= chars.length });
  };
  let k = start.runStart;
  for (; k < limit && ends.length < MAX_ENDS; k++) {
    const ch = chars[k] as string;
    const code = ch.codePointAt(0) as number;
    if (LOST.has(ch)) {
      // The lone last byte became `?`, swallowing the `<` of a closing tag or the `(` of the last
      // character's reading (`珳?zhǔn)`), or printed before the ASCII that follows.
      let end = k + 1;
      let lastReading: string | undefined;
      const residue = TAG_RESIDUE.exec(chars.slice(end, end + 12).join(''));
      const reading = READING.exec(chars.slice(end, end + 12).join(''));
      if (residue) end += residue[0].length;
      else if (reading) {
        lastReading = reading[1];
        end += [...reading[0]].length;
      }
      addEnd({ kind: 'lost', runEnd: k, end, lastReading });
      if (ch !== '?') break;
    } else if (ch === '€') {
      let end = k + 1;
      let lastReading: string | undefined;
      const match = TRAIL_READING.exec(chars.slice(end, end + 12).join(''));
      if (match) {
        lastReading = match[1];
        end += [...match[0]].length;
      }
      addEnd({ kind: 'resync', runEnd: k, end, trail: EURO_TRAIL, lastReading });
      break;
    } else if (code >= 0x40 && code <= 0x7e) {
      // A trail byte printed as itself: the decoder is in step again after it.
      let end = k + 1;
      let lastReading: string | undefined;
      const match = TRAIL_READING.exec(chars.slice(end, end + 12).join(''));
      if (match) {
        lastReading = match[1];
        end += [...match[0]].length;
      }
      addEnd({ kind: 'resync', runEnd: k, end, trail: code, lastReading });
    } else if (code >= 0x20 && code < 0x40) {
      addEnd({ kind: 'open', runEnd: k, end: k });
    }
    const bytes = runCharBytes(ch);
    if (!bytes || !isLead(bytes[0])) {
      if (!(code >= 0x20 && code < 0x7f)) addEnd({ kind: 'open', runEnd: k, end: k });
      break;
    }
    // Pairs in the middle of a run read (trail of one character, lead of the next).
    const previousPair = pairs.at(-1);
    if (previousPair && !decodeGbkPair(previousPair[1], bytes[0])) {
      brokenAt = k;
      break;
    }
    pairs.push(bytes);
    if (!isLead(bytes[1])) {
      // The pair's second byte is ASCII: the text had a letter there, which the decoder swallowed.
      addEnd({ kind: 'swallowed', runEnd: k + 1, end: k + 1 });
      break;
    }
  }
  if (k >= chars.length && ends.length < MAX_ENDS && brokenAt === undefined)
    addEnd({ kind: 'open', runEnd: k, end: k });
  return { ...start, pairs, ends, brokenAt };
}

/** Every first character the run can have, with the lost straddling pair it implies. */
/** Leads whose pair with a straddle byte reads as a reading: the same few hundred questions. */
const leadsByReading = new Map<string, number[]>();

function leadsReading(straddle: number, reading: string): number[] {
  const key = `${straddle}:${reading}`;
  let leads = leadsByReading.get(key);
  if (!leads) {
    leads = trailsAfter(straddle).filter((lead) =>
      readingsOf(decodeGbkPair(straddle, lead) as string).has(reading),
    );
    leadsByReading.set(key, leads);
  }
  return leads;
}

export function firstCharacters(shape: RunShape, end: RunEnd): string[] {
  const previous = encodeGbkChar(shape.previous) as BytePair;
  const straddle = previous[1];
  const n = end.runEnd - shape.runStart;
  const firstTrail = n > 0 ? (shape.pairs[0] as BytePair)[0] : end.trail;
  if (firstTrail === undefined) return [];
  const heads: string[] = [];
  // With no run character between them, a reading after the resync letter names the first.
  const ownReading = n === 0 ? end.lastReading : undefined;
  // The reading, when it shows, names the lost character: it pins the byte.
  for (const lead of shape.reading ? leadsReading(straddle, shape.reading) : trailsAfter(straddle)) {
    const head = decodeGbkPair(lead, firstTrail);
    if (head && (!ownReading || readingsOf(head).has(ownReading))) heads.push(head);
  }
  return heads;
}

/**
 * First characters where the run also lost the pair after them (`dropped-pairs.ts`): the first
 * real character's trail byte was user-defined, so the pair it made with the next one's lead was
 * dropped, and the run's first visible pair holds the second's trail. Two characters, then: the
 * lead the reading pins with a user-defined trail, and any character with the first pair's lead
 * byte as its trail (`申請?zhí)嗳绻麤]有` = 申請太多如果沒有: 太 = CC AB, and AB B6 was dropped).
 * Only where a reading pins the lead: without one, the pairs are too many to say anything. The
 * head is any first with any second.
 */
export function droppedPairHeads(shape: RunShape, end: RunEnd): { firsts: string[]; seconds: string[] } {
  const n = end.runEnd - shape.runStart;
  if (!shape.reading || n === 0) return { firsts: [], seconds: [] };
  const previous = encodeGbkChar(shape.previous) as BytePair;
  const firsts = leadsReading(previous[1], shape.reading).flatMap(charactersWithUserDefinedTrail);
  return { firsts, seconds: firsts.length > 0 ? charactersEndingIn((shape.pairs[0] as BytePair)[0]) : [] };
}

/** The characters between the first and the last, known from the run's pairs alone. */
export function middleCharacters(shape: RunShape, end: RunEnd): string {
  let middle = '';
  const n = end.runEnd - shape.runStart;
  for (let k = 0; k + 1 < n; k++) {
    const ch = decodeGbkPair((shape.pairs[k] as BytePair)[1], (shape.pairs[k + 1] as BytePair)[0]);
    // runShape stops at the first pair that does not decode, so this does not happen.
    if (!ch) return '\uFFFD';
    middle += ch;
  }
  return middle;
}

/**
 * What ends the run: for `resync` the last character (lead from the last pair, the printed trail
 * byte), for `swallowed` the ASCII letter the decoder paired with the last character's trail byte
 * (the character itself is the middle's last); otherwise every character the last pair's lead
 * byte can start (the model picks).
 */
export function lastCharacters(shape: RunShape, end: RunEnd): string[] {
  const n = end.runEnd - shape.runStart;
  if (n === 0) return end.kind === 'resync' ? [''] : [];
  const lastPair = shape.pairs[n - 1] as BytePair;
  // The swallowed pair's second byte is the letter the text had after the run's last character.
  if (end.kind === 'swallowed') return [String.fromCharCode(lastPair[1])];
  if (end.kind === 'resync') {
    const ch = decodeGbkPair(lastPair[1], end.trail as number);
    return ch ? [ch] : [];
  }
  return charactersAfter(lastPair[1], end.lastReading);
}

/** Every character the lead byte starts, only those with the reading when one is given. */
function charactersAfter(lead: number, reading: string | undefined): string[] {
  const out: string[] = [];
  for (const trail of trailsAfter(lead)) {
    const ch = decodeGbkPair(lead, trail) as string;
    if (!reading || readingsOf(ch).has(reading)) out.push(ch);
  }
  return out;
}

/**
 * A run with no pair between its lost first character and its lost end (`日?qǐng)?bào)` = 日報): one
 * real character whose lead byte the lost pair holds and whose trail byte is gone. Only tried
 * where a reading narrows it (of the lost pair or of the character itself): otherwise thousands
 * of characters fit and the run is only listed.
 */
export function loneCharacters(shape: RunShape, end: RunEnd): string[] {
  if (end.runEnd !== shape.runStart || end.kind === 'resync' || end.kind === 'swallowed') return [];
  if (!shape.reading && !end.lastReading) return [];
  const straddle = (encodeGbkChar(shape.previous) as BytePair)[1];
  const out: string[] = [];
  for (const lead of trailsAfter(straddle)) {
    if (!isLead(lead)) continue;
    if (shape.reading && !readingsOf(decodeGbkPair(straddle, lead) as string).has(shape.reading)) continue;
    for (const ch of charactersAfter(lead, end.lastReading)) out.push(ch);
  }
  return out;
}

/** True when the reading after a resync letter names the run's last character. */
export function lastReadingConfirms(end: RunEnd, last: string): boolean {
  return end.lastReading !== undefined && last.length > 0 && readingsOf(last).has(end.lastReading);
}
