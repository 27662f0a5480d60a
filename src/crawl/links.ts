/**
 * Link discovery: the URLs a fetched HTML page points to (`<a>`/`<area>` hrefs, `<link rel=next>`
 * and `rel=prev` for pagination, `<meta http-equiv=refresh>` redirects), resolved against the
 * page's `<base href>` and URL, http(s) only, without fragments, deduplicated, in page order.
 *
 * The page is parsed from its raw bytes once, by a streaming parser that keeps no tree. Markup is
 * ASCII in every charset these sites use, so the bytes are first read as Latin-1 (one character
 * per byte, nothing lost); only when an href holds non-ASCII bytes (a Chinese path or query) is
 * the page decoded for real, with the normalizer's `decodeBytes`, and read again.
 */
import { Parser } from 'htmlparser2';
import { type DecodeHints, decodeBytes } from '../normalize/index.js';

interface RawLinks {
  base: string | undefined;
  hrefs: string[];
}

const REFRESH_URL = /^\s*\d*(?:\.\d+)?\s*[;,]\s*url\s*=\s*['"]?([^'"]+)/i;

function scan(html: string): RawLinks {
  const found: RawLinks = { base: undefined, hrefs: [] };
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if ((name === 'a' || name === 'area') && attribs.href) found.hrefs.push(attribs.href);
        else if (name === 'link' && attribs.href && /\b(?:next|prev)\b/i.test(attribs.rel ?? ''))
          found.hrefs.push(attribs.href);
        else if (name === 'base' && attribs.href && found.base === undefined) found.base = attribs.href;
        else if (name === 'meta' && /^refresh$/i.test(attribs['http-equiv'] ?? '')) {
          const target = REFRESH_URL.exec(attribs.content ?? '')?.[1];
          if (target) found.hrefs.push(target);
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  return found;
}

const NON_ASCII = /[^\p{ASCII}]/u;

/**
 * Absolute http(s) URLs linked from an HTML page.
 *
 * @example
 * discoverLinks(Buffer.from('<base href="/list/"><a href="2.html#top">下一页</a><a href="mailto:a@b.c">'),
 *               'https://example.cn/list/1.html')
 * // → ['https://example.cn/list/2.html']
 */
export function discoverLinks(bytes: Uint8Array, pageUrl: string, hints: DecodeHints = {}): string[] {
  let raw = scan(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
  if (raw.hrefs.some((href) => NON_ASCII.test(href)) || (raw.base && NON_ASCII.test(raw.base)))
    raw = scan(decodeBytes(bytes, hints).text);
  let base: URL;
  try {
    base = new URL(raw.base?.trim() ?? '', pageUrl);
  } catch {
    base = new URL(pageUrl);
  }
  const out = new Set<string>();
  for (const href of raw.hrefs) {
    const trimmed = href.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    let url: URL;
    try {
      url = new URL(trimmed, base);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    url.hash = '';
    out.add(url.href);
  }
  return [...out];
}
