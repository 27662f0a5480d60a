/**
 * Readers that real pages went through before they reached us (FAULTS.md §7, §9), for fixtures
 * made from our own text: each takes the page's bytes and gives the text the reader showed.
 */
import iconv from 'iconv-lite';
import * as OpenCC from 'opencc-js';

const windows1252 = new TextDecoder('windows-1252');

/**
 * "UTF-8, else Windows-1252": UTF-8 where the bytes are valid, each other byte as Windows-1252
 * (a GBK page read so shows `µÚÎ岿·Ö` for 第五部分: CE E5 is not UTF-8, E5 B2 BF is 岿).
 */
export function readUtf8ElseWindows1252(bytes: Uint8Array): string {
  let text = '';
  let at = 0;
  while (at < bytes.length) {
    const lead = bytes[at] as number;
    const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 1;
    if (length > 1 && at + length <= bytes.length) {
      const char = iconv.decode(Buffer.from(bytes.subarray(at, at + length)), 'utf8');
      if (!char.includes('\uFFFD')) {
        text += char;
        at += length;
        continue;
      }
    }
    text += windows1252.decode(bytes.subarray(at, at + 1));
    at++;
  }
  return text;
}

/** What a store keeps of text holding private-use characters and U+FFFD: neither. */
export function withoutPrivateUse(text: string): string {
  return text.replace(/[\u{E000}-\u{F8FF}\uFFFD]/gu, '');
}

const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });

/**
 * A UTF-8 page a site read as GBK, then "converted to Simplified" (the garbage is mostly
 * Traditional-looking Han: 鑲 becomes 镶, 閲 stays or becomes 阅), then stored without its
 * private-use and replacement characters. The conversion changed bytes, so no line can be undone;
 * every garbled line must be listed (a real page of stock-trading fees showed this).
 */
export function utf8ReadAsGbkThenSimplified(text: string): string {
  return withoutPrivateUse(toSimplified(new TextDecoder('gbk').decode(iconv.encode(text, 'utf-8'))));
}
