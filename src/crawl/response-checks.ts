/**
 * What a response must be before its page is handled (Crawlee's post-navigation hook): a status
 * the crawl can use (304 for an unchanged article), and a type its role can read (HTML, or XML
 * and gzip for start URLs and sitemaps). A response that is not is abandoned unread.
 */
import type { IncomingMessage } from 'node:http';
import { PermanentFetchError, TransientFetchError } from './errors.js';
import { retryAfterMs } from './http-client.js';
import type { PageLabel } from './page-labels.js';

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const SITEMAP_TYPES = new Set(['text/xml', 'application/xml', 'application/gzip', 'application/x-gzip']);

/** The media type of a `Content-Type`, lower-cased, without parameters; '' when absent. */
export function mediaType(contentType: string | string[] | undefined): string {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  return (value ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** A header's first value. */
export function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Throws (after destroying the response) when a page of `label` cannot use `response`. */
export function checkResponse(label: PageLabel, response: IncomingMessage): void {
  const status = response.statusCode ?? 0;
  const abandon = (error: Error) => {
    response.destroy();
    throw error;
  };
  const statusText = `HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`;
  if (status === 408 || status === 429 || status >= 500)
    abandon(
      new TransientFetchError('http-status', statusText, retryAfterMs(response.headers['retry-after'])),
    );
  if (status >= 400 || (status >= 300 && status !== 304))
    abandon(new PermanentFetchError(status >= 400 ? 'http-status' : 'redirect', statusText));
  if (status === 304) return;
  const type = mediaType(response.headers['content-type']);
  const sitemapAllowed = label === 'start' || label === 'sitemap';
  const acceptable =
    type === '' ||
    HTML_TYPES.has(type) ||
    (sitemapAllowed && (SITEMAP_TYPES.has(type) || type.endsWith('+xml')));
  if (!acceptable)
    abandon(
      new PermanentFetchError(
        'not-html',
        `not HTML: ${type} (${header(response.headers['content-length']) ?? '?'} bytes)`,
      ),
    );
}
