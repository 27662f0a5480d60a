/**
 * One crawl of one source: start URLs (list pages, sitemaps, sitemap indexes) → links and sitemap
 * entries within the source's hosts that match its globs → article pages → raw records.
 *
 *   start URLs ─ robots.txt per host ─ CheerioCrawler (own in-memory storage, SafeHttpClient)
 *     pre-navigation: retry backoff, conditional GET headers
 *     HTTP client: politeness slot per request and redirect hop, redirects checked like links
 *     post-navigation: status and content type checks
 *     handler: sitemap → entries │ HTML → links (follow/articles globs) │ article → raw record
 *     failures: kind + reason per URL, in the report
 *
 * Each crawl gets its own `Configuration` with in-memory storage: Crawlee's default request
 * queue remembers handled URLs across runs (crawlee#1979, #2133), and a crawl started again must
 * fetch again. Nothing is written to `./storage`.
 */
import {
  type CheerioCrawlingContext,
  Configuration,
  Log,
  LogLevel,
  type Request,
  type RequestOptions,
} from '@crawlee/cheerio';
import { MemoryStorage } from '@crawlee/memory-storage';
import type { CrawlSettings, SourceConfig } from '../config/sources.js';
import { checkHost } from './address-guard.js';
import { describeFailure, type FailureKind, PermanentFetchError, TransientFetchError } from './errors.js';
import { retryAfterMs, SafeHttpClient } from './http-client.js';
import { discoverLinks } from './links.js';
import { BytesCheerioCrawler, rawBody } from './page-crawler.js';
import { HostPacer, sleep } from './politeness.js';
import { type RawRecord, toRawRecord } from './raw-output.js';
import { ROBOTS_MAX_BYTES, RobotsCache, type RobotsPolicy, type RobotsResponse } from './robots.js';
import { SourceScope } from './scope.js';
import { looksLikeSitemap, parseSitemap } from './sitemaps.js';
import { conditionalHeaders, sha256, type ValidatorStore } from './validators.js';

/** A URL the crawl did not get, and why. */
export interface CrawlProblem {
  url: string;
  kind: FailureKind;
  reason: string;
}

export interface CrawlReport {
  source: string;
  startedAt: string;
  durationMs: number;
  /** Pages fetched with an answer the crawl could use (2xx, or 304 for an unchanged article). */
  pagesFetched: number;
  /** Article pages among them. */
  articlesFetched: number;
  /** Raw records written: new or changed articles. */
  records: number;
  /** Articles not written because they have not changed (304, or the same bytes again). */
  unchanged: number;
  /** URLs that could not be fetched: HTTP errors, timeouts, network errors, oversized, not HTML. */
  failed: CrawlProblem[];
  /** URLs left alone on purpose: robots.txt, redirects off the source's hosts, private addresses. */
  skipped: CrawlProblem[];
  /** Links not followed because `max_pages` was reached. */
  overLimit: number;
  /** robots.txt of each host, and what it meant. */
  robots: { url: string; basis: string; crawlDelaySecs?: number }[];
  /** True when `signal` stopped the crawl before it was done. */
  aborted: boolean;
}

export interface CrawlSourceOptions {
  source: SourceConfig;
  settings: CrawlSettings;
  /** Receives each new or changed article as a raw record; awaited (back-pressure). */
  onRecord: (record: RawRecord) => Promise<void> | void;
  /** What the last crawl saw (conditional GET); without one, every article is new. */
  validators?: ValidatorStore;
  /** Each problem as it happens (the report lists them all at the end). */
  onProblem?: (problem: CrawlProblem, skipped: boolean) => void;
  /** Stops the crawl: requests waiting for their politeness slot are dropped, the ones on the wire
   * finish (and are written or reported); nothing new starts. */
  signal?: AbortSignal;
}

type Role = 'start' | 'sitemap' | 'follow' | 'article';

interface PageData extends Record<string, unknown> {
  role: Role;
  /** Epoch ms before which a retry must not start (backoff). */
  notBefore?: number;
}

/** Kinds that are refusals by policy, reported as skipped rather than failed. */
const SKIP_KINDS = new Set<FailureKind>(['robots', 'off-site', 'private-address', 'scheme']);
/** Longest wait honoured for a `Retry-After` or backoff before giving up on a URL. */
const MAX_RETRY_WAIT_MS = 60_000;
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const SITEMAP_TYPES = new Set(['text/xml', 'application/xml', 'application/gzip', 'application/x-gzip']);

function mediaType(contentType: string | string[] | undefined): string {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  return (value ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A silent logger: the crawl reports through its `CrawlReport` and `onProblem`. */
function quietLog(): Log {
  return new Log({ level: LogLevel.OFF, prefix: 'finfaq-crawl' });
}

/** Crawls one source once. Never throws for a page's problem; they are in the report. */
export async function crawlSource(options: CrawlSourceOptions): Promise<CrawlReport> {
  const { source, settings, validators } = options;
  const started = Date.now();
  const report: CrawlReport = {
    source: source.name,
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    pagesFetched: 0,
    articlesFetched: 0,
    records: 0,
    unchanged: 0,
    failed: [],
    skipped: [],
    overLimit: 0,
    robots: [],
    aborted: false,
  };
  const reported = new Set<string>();
  const problem = (url: string, kind: FailureKind, reason: string) => {
    const key = `${url}\n${kind}`;
    if (reported.has(key)) return;
    reported.add(key);
    const entry = { url, kind, reason };
    const skipped = SKIP_KINDS.has(kind);
    (skipped ? report.skipped : report.failed).push(entry);
    options.onProblem?.(entry, skipped);
  };

  const scope = new SourceScope(source);
  const timeoutMs = settings.timeout_secs * 1000;
  const pacer = new HostPacer(60_000 / source.per_minute);
  const backoff = (attempt: number, server?: number) =>
    server ?? Math.min(MAX_RETRY_WAIT_MS, settings.retry_backoff_secs * 1000 * 2 ** attempt);

  const robots = new RobotsCache(settings.user_agent, (url) => fetchRobots(url));
  /** Throws when the crawl may not fetch `url`: off the source's hosts, or robots.txt says no. */
  const admit = async (url: URL): Promise<RobotsPolicy> => {
    if (!scope.contains(url))
      throw new PermanentFetchError(
        'off-site',
        `refused: ${url.host} is not one of the source's hosts (${[...scope.hosts].join(', ')})`,
      );
    const policy = await robots.policyFor(url);
    if (!policy.available) throw new PermanentFetchError(policy.unavailableKind ?? 'robots', policy.basis);
    if (!policy.isAllowed(url.href)) throw new PermanentFetchError('robots', `disallowed by ${policy.url}`);
    return policy;
  };

  const client = new SafeHttpClient({
    allowPrivateNetworks: settings.allow_private_networks,
    userAgent: settings.user_agent,
    timeoutMs,
    maxBodyBytes: settings.max_body_bytes,
    maxRedirects: settings.max_redirects,
    maxSockets: settings.concurrency,
    beforeRedirect: async (_from, to) => {
      await admit(to);
    },
    beforeRequest: (url) => pacer.acquire(url.host, options.signal),
  });

  /** robots.txt through the same client (so at the same pace), retried like a page. */
  async function fetchRobots(url: string): Promise<RobotsResponse> {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await client.stream({ url, headers: { accept: 'text/plain,*/*;q=0.5' } });
        const chunks: Buffer[] = [];
        let length = 0;
        for await (const chunk of response.stream) {
          chunks.push(chunk as Buffer);
          length += (chunk as Buffer).length;
          if (length >= ROBOTS_MAX_BYTES) {
            response.stream.destroy();
            break;
          }
        }
        return { status: response.statusCode, body: Buffer.concat(chunks) };
      } catch (error) {
        if (!describeFailure(error).retryable || attempt >= settings.retries) throw error;
        await sleep(backoff(attempt));
      }
    }
  }

  // -- Start URLs: robots.txt of each host first (its Crawl-delay sets the pace), then admission.
  const seen = new Set<string>();
  const starts: RequestOptions<PageData>[] = [];
  for (const start of source.start_urls) {
    const url = new URL(start);
    url.hash = '';
    if (seen.has(url.href)) continue;
    seen.add(url.href);
    try {
      await checkHost(url.hostname, settings.allow_private_networks);
      const policy = await admit(url);
      if (!report.robots.some((r) => r.url === policy.url)) {
        report.robots.push({ url: policy.url, basis: policy.basis, crawlDelaySecs: policy.crawlDelaySecs });
        if (policy.crawlDelaySecs) pacer.setMinInterval(url.host, policy.crawlDelaySecs * 1000);
      }
      starts.push({ url: url.href, userData: { role: 'start' } });
    } catch (error) {
      const failure = describeFailure(error);
      problem(url.href, failure.kind, failure.reason);
    }
  }

  // Enough requests in flight to keep each host's slots busy, few enough that none waits for its
  // slot longer than half a timeout.
  const slowest = Math.max(...[...scope.hosts].map((h) => pacer.intervalOf(h)));
  const concurrency = Math.max(1, Math.min(settings.concurrency, Math.floor(timeoutMs / 2 / slowest)));
  // Crawlee's own guards, outside the client's deadline: the wait for a politeness slot (at most
  // `concurrency` slots ahead, and one per redirect hop), the request, then retry backoff.
  const slotWaitMs = (concurrency + settings.max_redirects) * slowest;
  const navigationTimeoutSecs = Math.ceil((slotWaitMs + timeoutMs) / 1000) + 5;
  const handlerTimeoutSecs = navigationTimeoutSecs + Math.ceil((timeoutMs + MAX_RETRY_WAIT_MS) / 1000);

  let enqueued = starts.length;
  const emittedUrls = new Set<string>();
  /** Queues in-scope URLs in their role, once each, robots.txt permitting, within `max_pages`. */
  const enqueue = async (crawler: BytesCheerioCrawler, urls: Iterable<string>, forced?: Role) => {
    const batch: RequestOptions<PageData>[] = [];
    for (const href of urls) {
      let url: URL;
      try {
        url = new URL(href);
      } catch {
        continue;
      }
      url.hash = '';
      if (seen.has(url.href)) continue;
      const role = forced ?? scope.roleOf(url);
      if (!role || (forced && !scope.contains(url))) continue;
      seen.add(url.href);
      try {
        await admit(url);
      } catch (error) {
        const failure = describeFailure(error);
        problem(url.href, failure.kind, failure.reason);
        continue;
      }
      if (enqueued >= source.max_pages) {
        report.overLimit++;
        continue;
      }
      enqueued++;
      batch.push({ url: url.href, userData: { role } });
    }
    if (batch.length > 0) await crawler.addRequests(batch);
  };

  const config = new Configuration({
    persistStorage: false,
    purgeOnStart: false,
    storageClient: new MemoryStorage({ persistStorage: false, writeMetadata: false }),
    systemInfoIntervalMillis: 5_000,
  });

  const crawler: BytesCheerioCrawler = new BytesCheerioCrawler(
    {
      httpClient: client,
      charsetHint: source.charset,
      log: quietLog(),
      useSessionPool: false,
      persistCookiesPerSession: false,
      ignoreSslErrors: false,
      // Every type reaches the post-navigation check below, which says "not HTML" itself.
      additionalMimeTypes: ['*/*'],
      maxRequestRetries: settings.retries,
      maxRequestsPerCrawl: source.max_pages,
      maxConcurrency: concurrency,
      autoscaledPoolOptions: { desiredConcurrency: concurrency, loggingIntervalSecs: null },
      navigationTimeoutSecs,
      requestHandlerTimeoutSecs: handlerTimeoutSecs,
      statusMessageLoggingInterval: 3600,
      preNavigationHooks: [
        async ({ request }, gotOptions) => {
          const data = request.userData as PageData;
          const wait = (data.notBefore ?? 0) - Date.now();
          if (wait > 0) await sleep(wait);
          if (data.role === 'article' && validators) {
            const headers = conditionalHeaders(validators.get(source.name, request.url));
            gotOptions.headers = { ...gotOptions.headers, ...headers };
          }
        },
      ],
      postNavigationHooks: [
        async ({ request, response }) => {
          const status = response.statusCode ?? 0;
          const abandon = (error: Error) => {
            response.destroy();
            throw error;
          };
          if (status === 408 || status === 429 || status >= 500)
            abandon(
              new TransientFetchError(
                'http-status',
                `HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`,
                retryAfterMs(response.headers['retry-after']),
              ),
            );
          if (status >= 400 || (status >= 300 && status !== 304))
            abandon(
              new PermanentFetchError(
                status >= 400 ? 'http-status' : 'redirect',
                `HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`,
              ),
            );
          if (status === 304) return;
          const role = (request.userData as PageData).role;
          const type = mediaType(response.headers['content-type']);
          const sitemapAllowed = role === 'start' || role === 'sitemap';
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
        },
      ],
      requestHandler: async (context) => handlePage(context),
      errorHandler: async ({ request }, error) => {
        const failure = describeFailure(error);
        if (!failure.retryable || options.signal?.aborted) {
          request.noRetry = true;
          return;
        }
        const server = error instanceof TransientFetchError ? error.retryAfterMs : undefined;
        const wait = backoff(request.retryCount, server);
        if (server !== undefined && server > MAX_RETRY_WAIT_MS) {
          request.noRetry = true;
          return;
        }
        (request.userData as PageData).notBefore = Date.now() + wait;
      },
      failedRequestHandler: async ({ request }, error) => {
        if (options.signal?.aborted) return; // not a problem of the page: the crawl was stopped
        const failure = describeFailure(error);
        const attempts = request.retryCount + 1;
        const reason =
          failure.retryable && attempts > 1 ? `${failure.reason} (${attempts} attempts)` : failure.reason;
        problem(request.url, failure.kind, reason);
      },
    },
    config,
  );

  async function handlePage(context: CheerioCrawlingContext): Promise<void> {
    const request = context.request as Request<PageData>;
    const response = context.response;
    const body = rawBody(context);
    const status = response.statusCode ?? 0;
    const finalUrl = new URL(request.loadedUrl ?? request.url);
    finalUrl.hash = '';
    const contentType = header(response.headers['content-type']);
    let role = request.userData.role;
    if (finalUrl.href !== request.url && role !== 'start' && role !== 'sitemap') {
      // A redirect decides what the page is: a deleted article sent to the home page is no article.
      const landed = scope.roleOf(finalUrl);
      if (!landed)
        throw new PermanentFetchError(
          'redirect',
          `redirected to ${finalUrl.href}, which is neither an article nor a page to follow`,
        );
      role = landed;
      seen.add(finalUrl.href);
    }
    const sitemap = (role === 'start' || role === 'sitemap') && looksLikeSitemap(body, contentType);
    if (role === 'sitemap' && !sitemap)
      throw new PermanentFetchError('not-html', `not a sitemap: ${mediaType(contentType) || 'no type'}`);
    report.pagesFetched++;

    if (sitemap) {
      const entries = parseSitemap(body, settings.max_body_bytes * 10);
      await enqueue(crawler, entries.sitemaps, 'sitemap');
      await enqueue(crawler, entries.pages);
      return;
    }

    if (role === 'article') {
      report.articlesFetched++;
      if (status === 304) {
        report.unchanged++;
        return;
      }
      await writeArticle(request.url, finalUrl.href, body, contentType, response.headers);
    }
    if (status === 304) return;
    await enqueue(crawler, discoverLinks(body, finalUrl.href, { contentType, declared: source.charset }));
  }

  async function writeArticle(
    requestedUrl: string,
    url: string,
    body: Buffer,
    contentType: string | undefined,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<void> {
    if (emittedUrls.has(url)) return;
    emittedUrls.add(url);
    const digest = sha256(body);
    const previous = validators?.get(source.name, requestedUrl);
    const fetchedAt = new Date();
    validators?.set(source.name, requestedUrl, {
      etag: header(headers.etag),
      lastModified: header(headers['last-modified']),
      sha256: digest,
      fetchedAt: fetchedAt.toISOString(),
    });
    if (previous?.sha256 === digest) {
      report.unchanged++;
      return;
    }
    report.records++;
    await options.onRecord(toRawRecord({ url, body, contentType, fetchedAt }, source));
  }

  const stop = () => {
    report.aborted = true;
    crawler.stop('finfaq: crawl aborted');
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    if (starts.length > 0 && !options.signal?.aborted) await crawler.run(starts);
    else if (options.signal?.aborted) report.aborted = true;
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await crawler.teardown().catch(() => {});
    client.close();
  }
  report.durationMs = Date.now() - started;
  return report;
}
