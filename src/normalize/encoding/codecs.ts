/**
 * Byte ↔ text primitives that never throw: strict UTF-8, iconv-lite decoding of any label, the
 * Latin-1 / Windows-1252 byte table, and exact re-encoding (the inverse of a wrong decoding).
 */
import iconv from 'iconv-lite';
import { type Charset, decoderName } from './labels.js';

/** A view of `bytes[start, end)` as a Buffer, without copying. */
export function view(bytes: Uint8Array, start = 0, end = bytes.length): Buffer {
  return Buffer.from(
    bytes.buffer,
    bytes.byteOffset + start,
    Math.max(0, Math.min(end, bytes.length) - start),
  );
}

/** iconv-lite decoding that cannot throw, whatever the bytes and the codec. */
export function decodeSafely(bytes: Buffer, charset: Charset): string {
  try {
    return iconv.decode(bytes, decoderName(charset), { stripBOM: false });
  } catch {
    return iconv.decode(bytes, 'latin1');
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The UTF-8 text of `bytes`, or undefined when they are not valid UTF-8. */
export function decodeStrictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** U+FFFD, private use, C0 controls other than whitespace, DEL and C1 controls: never text. */
export function isBadCode(code: number): boolean {
  return (
    code === 0xfffd ||
    (code >= 0xe000 && code <= 0xf8ff) ||
    (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x0c) ||
    (code >= 0x7f && code <= 0x9f)
  );
}

/** Character → byte for text read as ISO-8859-1 or Windows-1252: every byte reads as the same
 * code point in ISO-8859-1 (a browser's Windows-1252 too, for the five bytes it leaves undefined),
 * and 0x80–0x9F read as € ‚ ƒ … in Windows-1252. */
const LATIN1_BYTES = new Map<string, number>();
for (let byte = 0; byte < 256; byte++) LATIN1_BYTES.set(String.fromCharCode(byte), byte);
for (let byte = 0x80; byte < 0xa0; byte++) {
  const char = iconv.decode(Buffer.of(byte), 'windows-1252');
  if (char !== '\uFFFD') LATIN1_BYTES.set(char, byte);
}

/** The characters such a decoder prints for bytes 0x80–0xFF (C1 controls for the five it lacks). */
export const LATIN1_HIGH_CHARS: string = [...LATIN1_BYTES]
  .flatMap(([char, byte]) => (byte >= 0x80 ? [char] : []))
  .join('');

/** The bytes a Latin-1 / Windows-1252 decoder read as `text`, or undefined if it cannot have. */
export function encodeLatin1(text: string): Buffer | undefined {
  const bytes = Buffer.alloc(text.length);
  for (let i = 0; i < text.length; i++) {
    const byte = LATIN1_BYTES.get(text[i] as string);
    if (byte === undefined) return undefined;
    bytes[i] = byte;
  }
  return bytes;
}

const HAN = /\p{Script=Han}/u;

/** Whether `bytes[at…at+2]` are one character of three-byte UTF-8. */
function threeByteUtf8At(bytes: readonly number[], at: number): boolean {
  const lead = bytes[at] as number;
  if (lead < 0xe0 || lead > 0xef || at + 3 > bytes.length) return false;
  return decodeStrictUtf8(Uint8Array.from(bytes.slice(at, at + 3))) !== undefined;
}

/**
 * The bytes a "UTF-8, else Windows-1252" reader saw (a common fallback: decode as UTF-8 where the
 * bytes are valid, byte by byte as Windows-1252 where not): each character that Windows-1252 has is
 * its byte, any other its UTF-8 bytes (`ʵ` U+02B5 is CA B5, GBK's 实). Undefined when a character
 * is neither (a three-byte symbol, say), or when three Windows-1252 characters in a row are a
 * character of three-byte UTF-8, which such a reader reads as UTF-8: `银ç¾Ž` is not its output (it
 * shows E7 BE 8E as 美), and re-decoding it as one made `閾剁編`, undone again on the next pass.
 * (Readers on real pages differ on two- and four-byte UTF-8: `µÚÎ岿·Ö` shows DA CE as Windows-1252
 * and E5 B2 BF as 岿, another page 𱸰 where a third shows `ð±¸°`; only three bytes are held to.)
 */
export function encodeUtf8ElseLatin1(text: string): Buffer | undefined {
  const bytes: number[] = [];
  let latinRun = 0;
  for (const ch of text) {
    const byte = LATIN1_BYTES.get(ch);
    if (byte !== undefined) {
      bytes.push(byte);
      if (++latinRun >= 3 && threeByteUtf8At(bytes, bytes.length - 3)) return undefined;
      continue;
    }
    latinRun = 0;
    const code = ch.codePointAt(0) as number;
    // What GBK bytes that happen to be two-byte UTF-8 make (U+0080–U+07FF), and longer UTF-8 only
    // where it is Han (`Î岿·Ö` is CE E5 B2 BF B7 D6, 五部分; `½𱸰¸` BD F0 B1 B8 B0 B8, 金备案): box drawing
    // and symbols (ftfy's `├┤a┼┐`) would read as GBK Han.
    const han = code >= 0x3400 && HAN.test(ch);
    if (code < 0x80 || (code > 0x7ff && !han)) return undefined;
    for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes);
}

/** True when a Latin-1 / Windows-1252 decoder can have produced `char`. */
export function isLatin1Char(char: string): boolean {
  return LATIN1_BYTES.has(char);
}

/** The bytes an iconv-lite decoder read as `text`, or undefined when it could not have produced it. */
export function encodeExactly(text: string, codec: string): Buffer | undefined {
  const bytes = iconv.encode(text, codec);
  return iconv.decode(bytes, codec) === text ? bytes : undefined;
}

/** A decoder that refuses bytes it cannot read as text (U+FFFD, controls, private use). */
export function decodeClean(codec: string): (bytes: Buffer) => string | undefined {
  return (bytes) => {
    const text = iconv.decode(bytes, codec);
    for (const ch of text) if (isBadCode(ch.codePointAt(0) as number)) return undefined;
    return text;
  };
}
