/**
 * One handler per page label (Crawlee's router): start URLs and sitemaps hand on their entries,
 * pages to follow hand on their links, articles become raw records and hand on their links. A
 * redirect decides what a page is: a followed or article URL that lands elsewhere is handled as
 * what it landed on (a deleted article sent to the home page is no article).
 */
import { type CheerioCrawlingContext, createCheerioRouter, type Request } from '@crawlee/cheerio';
import type { CrawlSettings, SourceConfig } from '../config/sources.js';
import type { CrawledRawRecord } from '../records/raw.js';
import type { CrawlRecorder } from './crawl-report.js';
import { PermanentFetchError } from './errors.js';
import { discoverLinks } from './links.js';
import { rawBody } from './page-crawler.js';
import type { PageData, PageLabel } from './page-labels.js';
import { toRawRecord } from './raw-output.js';
import { header, mediaType } from './response-checks.js';
import type { SourceScope } from './scope.js';
import { looksLikeSitemap, parseSitemap } from './sitemaps.js';
import { sha256, type ValidatorStore } from './validators.js';

export interface PageRoutesOptions {
  source: SourceConfig;
  settings: CrawlSettings;
  scope: SourceScope;
  recorder: CrawlRecorder;
  validators?: ValidatorStore;
  onRecord: (record: CrawledRawRecord) => Promise<void> | void;
  /** Queues URLs found on a page: with `label`, as that; else as the scope says (or not at all). */
  enqueue: (urls: Iterable<string>, label?: PageLabel) => Promise<void>;
  /** Marks a URL as seen, so a link to it is not queued again. */
  markSeen: (href: string) => void;
}

/** A fetched page as the handlers read it. */
interface Page {
  request: Request<PageData>;
  body: Buffer;
  status: number;
  /** The URL it was served from, after redirects, without its fragment. */
  url: URL;
  contentType: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export function pageRoutes(options: PageRoutesOptions) {
  const { source, settings, scope, recorder, validators } = options;
  const report = recorder.report;
  const written = new Set<string>();

  const links = (page: Page) =>
    options.enqueue(
      discoverLinks(page.body, page.url.href, { contentType: page.contentType, declared: source.charset }),
    );

  const readSitemap = async (page: Page) => {
    report.pagesFetched++;
    const entries = parseSitemap(page.body, settings.max_body_bytes * 10);
    await options.enqueue(entries.sitemaps, 'sitemap');
    await options.enqueue(entries.pages);
  };

  const handlers: Record<PageLabel, (page: Page) => Promise<void>> = {
    async start(page) {
      if (looksLikeSitemap(page.body, page.contentType)) return readSitemap(page);
      report.pagesFetched++;
      if (page.status !== 304) await links(page);
    },
    async sitemap(page) {
      if (!looksLikeSitemap(page.body, page.contentType))
        throw new PermanentFetchError(
          'not-html',
          `not a sitemap: ${mediaType(page.contentType) || 'no type'}`,
        );
      await readSitemap(page);
    },
    async follow(page) {
      report.pagesFetched++;
      if (page.status !== 304) await links(page);
    },
    async article(page) {
      report.pagesFetched++;
      report.articlesFetched++;
      if (page.status === 304) {
        report.unchanged++;
        return;
      }
      await writeArticle(page);
      await links(page);
    },
  };

  async function writeArticle(page: Page): Promise<void> {
    const url = page.url.href;
    if (written.has(url)) return;
    written.add(url);
    const digest = sha256(page.body);
    const requestedUrl = page.request.url;
    const previous = validators?.get(source.name, requestedUrl);
    const fetchedAt = new Date();
    validators?.set(source.name, requestedUrl, {
      etag: header(page.headers.etag),
      lastModified: header(page.headers['last-modified']),
      sha256: digest,
      fetchedAt: fetchedAt.toISOString(),
    });
    if (previous?.sha256 === digest) {
      report.unchanged++;
      return;
    }
    report.records++;
    await options.onRecord(
      toRawRecord({ url, body: page.body, contentType: page.contentType, fetchedAt }, source),
    );
  }

  /** The label a page is handled as: its own, or, after a redirect, what it landed on. */
  function landedLabel(label: PageLabel, page: Page): PageLabel {
    if (page.url.href === page.request.url || label === 'start' || label === 'sitemap') return label;
    const landed = scope.roleOf(page.url);
    if (!landed)
      throw new PermanentFetchError(
        'redirect',
        `redirected to ${page.url.href}, which is neither an article nor a page to follow`,
      );
    options.markSeen(page.url.href);
    return landed;
  }

  const router = createCheerioRouter<CheerioCrawlingContext>();
  for (const label of Object.keys(handlers) as PageLabel[])
    router.addHandler(label, async (context) => {
      const page = pageOf(context);
      await handlers[landedLabel(label, page)](page);
    });
  return router;
}

function pageOf(context: CheerioCrawlingContext): Page {
  const request = context.request as Request<PageData>;
  const url = new URL(request.loadedUrl ?? request.url);
  url.hash = '';
  const headers = context.response.headers;
  return {
    request,
    body: rawBody(context),
    status: context.response.statusCode ?? 0,
    url,
    contentType: header(headers['content-type']),
    headers,
  };
}
