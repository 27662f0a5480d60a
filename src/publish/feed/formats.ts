/**
 * The feed as JSON Feed 1.1 (https://jsonfeed.org/version/1.1) and Atom (RFC 4287), newest first.
 *
 *   atomText('a < b & "c"')  → 'a &lt; b &amp; &quot;c&quot;'
 *   atomText('x\u0008y')     → 'xy'   (characters XML 1.0 does not allow are dropped)
 */
import type { Script } from '../../records/scripts.js';
import type { FeedItem } from './items.js';

/** BCP 47 tag of each script. */
export const LANGUAGE: Record<Script, string> = {
  hans: 'zh-Hans',
  hant: 'zh-Hant',
  tw: 'zh-Hant-TW',
  hk: 'zh-Hant-HK',
};

export interface FeedMeta {
  /** Absolute URL of the server, without a trailing slash. */
  baseUrl: string;
  title: string;
  script: Script | undefined;
}

const UNTITLED_LENGTH = 40;

function titleOf(item: FeedItem): string {
  if (item.title) return item.title;
  const first = item.paragraphs[0] ?? '';
  return first.length > UNTITLED_LENGTH ? `${first.slice(0, UNTITLED_LENGTH)}…` : first || item.url;
}

function contentOf(item: FeedItem): string {
  return item.paragraphs.join('\n\n');
}

/**
 * About what an item adds to a JSON Feed or Atom body, in UTF-8 bytes (its text, at most three
 * bytes a character, and its title): what the feed's size limit counts.
 */
export function feedItemBytes(item: FeedItem): number {
  let chars = (item.title?.length ?? 0) + item.url.length;
  for (const paragraph of item.paragraphs) chars += paragraph.length + 2;
  return chars * 3;
}

/** The latest `stored_at` (ISO 8601 UTC strings sort as times). */
function updatedOf(items: readonly FeedItem[]): string {
  let latest = '1970-01-01T00:00:00.000Z';
  for (const item of items) if (item.stored_at.localeCompare(latest) > 0) latest = item.stored_at;
  return latest;
}

export function jsonFeed(items: readonly FeedItem[], meta: FeedMeta): object {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: meta.title,
    home_page_url: `${meta.baseUrl}/`,
    feed_url: `${meta.baseUrl}/feed.json${meta.script ? `?script=${meta.script}` : ''}`,
    description: 'Repaired, deduplicated Chinese finance FAQ articles.',
    ...(meta.script ? { language: LANGUAGE[meta.script] } : {}),
    items: items.map((item) => ({
      id: item.id,
      url: item.url,
      title: titleOf(item),
      content_text: contentOf(item),
      ...(item.published_at ? { date_published: item.published_at } : {}),
      date_modified: item.stored_at,
      ...(item.category ? { tags: [item.category] } : {}),
      authors: [{ name: item.source }],
      language: LANGUAGE[item.script],
      _finfaq: {
        version: item.version,
        cursor: item.cursor,
        source: item.source,
        script: item.script,
        duplicate_of: item.duplicate_of,
        also_on: item.also_on,
        flags: item.flags,
        repairs: item.repairs.length,
        content_hash: item.content_hash,
      },
    })),
  };
}

// Characters outside XML 1.0's Char production: C0 controls but tab/newline/return, lone
// surrogates, U+FFFE and U+FFFF.
const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are what it removes
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text escaped for XML element content and attribute values. */
export function atomText(text: string): string {
  return text
    .replace(NOT_XML, '')
    .replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

export function atomFeed(items: readonly FeedItem[], meta: FeedMeta): string {
  const e = atomText;
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom"${meta.script ? ` xml:lang="${LANGUAGE[meta.script]}"` : ''}>`,
    `  <id>${e(`${meta.baseUrl}/feed.atom`)}</id>`,
    `  <title>${e(meta.title)}</title>`,
    `  <updated>${e(updatedOf(items))}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${e(`${meta.baseUrl}/feed.atom${meta.script ? `?script=${meta.script}` : ''}`)}"/>`,
    `  <link rel="alternate" type="application/feed+json" href="${e(`${meta.baseUrl}/feed.json`)}"/>`,
    '  <author><name>finfaq</name></author>',
    '  <generator>finfaq</generator>',
  ];
  for (const item of items) {
    lines.push(
      `  <entry xml:lang="${LANGUAGE[item.script]}">`,
      `    <id>urn:finfaq:record:${e(item.id)}</id>`,
      `    <title type="text">${e(titleOf(item))}</title>`,
      `    <link rel="alternate" href="${e(item.url)}"/>`,
      ...item.also_on.map((d) => `    <link rel="related" href="${e(d.url)}" title="${e(d.source)}"/>`),
      `    <updated>${e(item.stored_at)}</updated>`,
      ...(item.published_at ? [`    <published>${e(item.published_at)}</published>`] : []),
      `    <author><name>${e(item.source)}</name></author>`,
      ...(item.category ? [`    <category term="${e(item.category)}"/>`] : []),
      `    <content type="text">${e(contentOf(item))}</content>`,
      '  </entry>',
    );
  }
  lines.push('</feed>', '');
  return lines.join('\n');
}
