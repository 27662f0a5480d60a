/**
 * Sitemaps (sitemaps.org): a start URL may be a `<urlset>` of pages or a `<sitemapindex>` of
 * further sitemaps, plain or gzipped. Entries are returned as found; the crawl filters them by
 * scope, robots.txt and the source's globs like any other link.
 */
import { gunzipSync } from 'node:zlib';
import { Parser } from 'htmlparser2';

export interface SitemapEntries {
  /** `<sitemapindex>` entries: more sitemaps. */
  sitemaps: string[];
  /** `<urlset>` entries: pages. */
  pages: string[];
}

/** Whether a response is a sitemap rather than a page: XML by type, or by its first element. */
export function looksLikeSitemap(bytes: Uint8Array, contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/gzip' || type === 'application/x-gzip') return true;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return true;
  const head = Buffer.from(bytes.subarray(0, 512)).toString('latin1');
  if (/<(?:[\w-]+:)?(?:urlset|sitemapindex)\b/i.test(head)) return true;
  return (type === 'text/xml' || type === 'application/xml') && /^\s*(?:\ufeff)?<\?xml/i.test(head);
}

/**
 * The entries of a sitemap; gzipped bodies are inflated first (at most `maxBytes` of XML).
 *
 * @example
 * parseSitemap(Buffer.from('<urlset><url><loc>https://a.cn/p/1.html</loc></url></urlset>'))
 * // → { sitemaps: [], pages: ['https://a.cn/p/1.html'] }
 */
export function parseSitemap(bytes: Uint8Array, maxBytes = 50 * 1024 * 1024): SitemapEntries {
  let xml = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (xml[0] === 0x1f && xml[1] === 0x8b) xml = gunzipSync(xml, { maxOutputLength: maxBytes });
  const entries: SitemapEntries = { sitemaps: [], pages: [] };
  const open: string[] = [];
  let text = '';
  const parser = new Parser(
    {
      onopentag(name) {
        open.push(name.replace(/^[\w-]+:/, ''));
        text = '';
      },
      ontext(data) {
        text += data;
      },
      onclosetag() {
        const name = open.pop();
        if (name !== 'loc') return;
        const loc = text.trim();
        const parent = open.at(-1);
        if (loc && parent === 'sitemap') entries.sitemaps.push(loc);
        else if (loc && parent === 'url') entries.pages.push(loc);
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(xml.toString('utf8'));
  return entries;
}
