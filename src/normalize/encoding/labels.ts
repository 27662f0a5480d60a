/**
 * Charset labels: what pages and servers call their charsets, and the iconv-lite codec that
 * decodes each (character data, no logic: FAULTS.md §7).
 */
import iconv from 'iconv-lite';

export type KnownCharset = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030' | 'gbk' | 'big5' | 'windows-1252';
/** A known charset, or another label iconv-lite can decode (`shift_jis`, `euc-kr`…), lower-cased. */
export type Charset = KnownCharset | (string & Record<never, never>);

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

/** iconv-lite "encodings" that are not text charsets: a page that names one is wrong. */
const NOT_CHARSETS = new Set(['base64', 'hex', 'binary']);

/** The iconv-lite codec that decodes a charset. GB18030 is a superset of GBK, HKSCS of Big5. */
export function decoderName(charset: Charset): string {
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
