/**
 * GBK's two-byte code table, both ways, built once from iconv-lite. The garbled-tail repair works
 * byte by byte, so it needs `char → [lead, trail]` and `[lead, trail] → char` without a decoder call
 * for every candidate.
 */
import iconv from 'iconv-lite';

export type BytePair = readonly [lead: number, trail: number];

const LEAD_MIN = 0x81;
const LEAD_MAX = 0xfe;
const TRAIL_MIN = 0x40;
const TRAIL_MAX = 0xfe;

interface GbkTable {
  decode: (string | undefined)[];
  encode: Map<string, BytePair>;
}

let table: GbkTable | undefined;

function isPrivateUse(code: number): boolean {
  return code >= 0xe000 && code <= 0xf8ff;
}

function build(): GbkTable {
  const decode: (string | undefined)[] = new Array(0x10000);
  const encode = new Map<string, BytePair>();
  const pair = Buffer.alloc(2);
  for (let lead = LEAD_MIN; lead <= LEAD_MAX; lead++) {
    for (let trail = TRAIL_MIN; trail <= TRAIL_MAX; trail++) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      const ch = iconv.decode(pair, 'gbk');
      const code = ch.codePointAt(0) ?? 0xfffd;
      if (ch.length !== 1 || code === 0xfffd || isPrivateUse(code)) continue;
      decode[(lead << 8) | trail] = ch;
      if (!encode.has(ch)) encode.set(ch, [lead, trail]);
    }
  }
  return { decode, encode };
}

/** The character GBK assigns to the two bytes, or undefined for an unassigned or private-use pair. */
export function decodeGbkPair(lead: number, trail: number): string | undefined {
  table ??= build();
  return table.decode[((lead & 0xff) << 8) | (trail & 0xff)];
}

/** The two GBK bytes of a character, or undefined when GBK has no two-byte form for it. */
export function encodeGbkChar(char: string): BytePair | undefined {
  table ??= build();
  return table.encode.get(char);
}

/** Every trail byte that completes a character after `lead`. */
export function trailsAfter(lead: number): number[] {
  const trails: number[] = [];
  for (let trail = TRAIL_MIN; trail <= TRAIL_MAX; trail++) if (decodeGbkPair(lead, trail)) trails.push(trail);
  return trails;
}

let whatwgEncode: Map<string, number> | undefined;

/**
 * The bytes a browser's GBK decoder (WHATWG's gb18030 index, as Node's `TextDecoder('gbk')`) read
 * as `text`, or undefined when some character is not what that decoder makes of one or two bytes.
 * It differs from iconv-lite's table in the user-defined areas (A2E3 is U+20AC there, U+E76C in
 * iconv-lite) and reads a lone 0x80 as `€`: undoing a page a browser mis-read needs its own table.
 */
export function encodeAsWhatwgGbk(text: string): Buffer | undefined {
  if (!whatwgEncode) {
    whatwgEncode = new Map();
    const decoder = new TextDecoder('gbk');
    const pair = new Uint8Array(2);
    for (let lead = LEAD_MIN; lead <= LEAD_MAX; lead++)
      for (let trail = TRAIL_MIN; trail <= TRAIL_MAX; trail++) {
        if (trail === 0x7f) continue;
        pair[0] = lead;
        pair[1] = trail;
        const ch = decoder.decode(pair);
        if (ch.length === 1 && ch !== '\uFFFD' && !whatwgEncode.has(ch))
          whatwgEncode.set(ch, (lead << 8) | trail);
      }
  }
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code < 0x80) bytes.push(code);
    else if (ch === '€') bytes.push(0x80);
    else {
      const pair = whatwgEncode.get(ch);
      if (pair === undefined) return undefined;
      bytes.push(pair >> 8, pair & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/**
 * Trail bytes of GBK's user-defined rows (AAA1–AFFE, F8A1–FEFE): a decoder one byte off that reads
 * such a byte as a lead makes a private-use character, which browsers print and stores drop.
 */
export const USER_DEFINED_TRAILS: readonly number[] = [
  0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe,
];

/** The characters of `lead` with a user-defined trail byte: where a shifted reader's next pair was dropped. */
export function charactersWithUserDefinedTrail(lead: number): string[] {
  return USER_DEFINED_TRAILS.flatMap((trail) => {
    const ch = decodeGbkPair(lead, trail);
    return ch ? [ch] : [];
  });
}

/** Every character whose trail byte is `trail`, any lead (computed once a byte). */
const endingIn = new Map<number, string[]>();
export function charactersEndingIn(trail: number): string[] {
  let list = endingIn.get(trail);
  if (!list) {
    list = [];
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      const ch = decodeGbkPair(lead, trail);
      if (ch) list.push(ch);
    }
    endingIn.set(trail, list);
  }
  return list;
}

/** Every character whose lead byte is `lead`, any trail (computed once a byte). */
const startingWith = new Map<number, string[]>();
export function charactersStartingWith(lead: number): string[] {
  let list = startingWith.get(lead);
  if (!list) {
    list = trailsAfter(lead).map((trail) => decodeGbkPair(lead, trail) as string);
    startingWith.set(lead, list);
  }
  return list;
}
