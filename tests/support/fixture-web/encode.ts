/**
 * Pages into bytes the way old CMSs do it: the whole page in the site's charset, and any
 * character the charset lacks (the simplified chrome of a Big5 site, a rare tone letter in GBK)
 * written as an HTML numeric character reference, which browsers and the extractor read back.
 */
import iconv from 'iconv-lite';

const cache = new Map<string, Map<string, boolean>>();

/** Which characters a charset holds, learned one character at a time. */
function holds(charset: string): Map<string, boolean> {
  const known = cache.get(charset) ?? new Map<string, boolean>();
  cache.set(charset, known);
  return known;
}

/** `text` in `charset`; characters it cannot hold become `&#N;`. */
export function encodeHtml(text: string, charset: string): Buffer {
  if (/^utf-?8$/i.test(charset)) return Buffer.from(text, 'utf8');
  const whole = iconv.encode(text, charset);
  if (iconv.decode(whole, charset) === text) return whole;
  const known = holds(charset);
  let out = '';
  for (const ch of text) {
    let ok = known.get(ch);
    if (ok === undefined) {
      ok = iconv.decode(iconv.encode(ch, charset), charset) === ch;
      known.set(ch, ok);
    }
    out += ok ? ch : `&#${ch.codePointAt(0)};`;
  }
  return iconv.encode(out, charset);
}
