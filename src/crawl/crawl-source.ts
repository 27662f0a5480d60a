/**
 * One crawl of one source: start URLs (list pages, sitemaps, sitemap indexes) → links and sitemap
 * entries within the source's hosts that match its globs → article pages → raw records.
 *
 *   start URLs ─ admission: scope, robots.txt per host ─ CheerioCrawler (own in-memory storage,
 *   SafeHttpClient)
 *     pre-navigation: retry backoff, conditional GET headers
 *     HTTP client: politeness slot per request and redirect hop, redirects admitted like links
 *     post-navigation: status and content type (`response-checks.ts`)
 *     router (`page-routes.ts`): start │ sitemap → entries │ follow → links │ article → raw record
 *     failures: kind + reason per URL, in the report (`crawl-report.ts`)
 *
 * Each crawl gets its own `Configuration` with in-memory storage: Crawlee's default request
 * queue remembers handled URLs across runs (crawlee#1979, #2133), and a crawl started again must
 * fetch again. Nothing is written to `./storage`.
 */
import { Configuration, Log, LogLevel } from '@crawlee/cheerio';
import { MemoryStorage } from '@crawlee/memory-storage';
import type { CrawlSettings, SourceConfig } from '../config/sources.js';
import type { CrawledRawRecord } from '../records/raw.js';
import { Admission } from './admission.js';
import { type CrawlProblem, CrawlRecorder, type CrawlReport } from './crawl-report.js';
import { describeFailure, TransientFetchError } from './errors.js';
import { SafeHttpClient } from './http-client.js';
import { LinkQueue } from './link-queue.js';
import { BytesCheerioCrawler, type BytesCheerioCrawlerOptions } from './page-crawler.js';
import type { PageData, PageLabel } from './page-labels.js';
import { pageRoutes } from './page-routes.js';
import { HostPacer, sleep } from './politeness.js';
import { checkResponse } from './response-checks.js';
import { SourceScope } from './scope.js';
import { conditionalHeaders, type ValidatorStore } from './validators.js';

export type { CrawlProblem, CrawlReport } from './crawl-report.js';

export interface CrawlSourceOptions {
  source: SourceConfig;
  settings: CrawlSettings;
  /** Receives each new or changed article as a raw record; awaited (back-pressure). */
  onRecord: (record: CrawledRawRecord) => Promise<void> | void;
  /** What the last crawl saw (conditional GET); without one, every article is new. */
  validators?: ValidatorStore;
  /** Each problem as it happens (the report lists them all at the end). */
  onProblem?: (problem: CrawlProblem, skipped: boolean) => void;
  /** Stops the crawl: requests waiting for their politeness slot are dropped, the ones on the wire
   * finish (and are written or reported); nothing new starts. */
  signal?: AbortSignal;
}

/** Longest wait honoured for a `Retry-After` or backoff before giving up on a URL. */
const MAX_RETRY_WAIT_MS = 60_000;

/** A silent logger: the crawl reports through its `CrawlReport` and `onProblem`. */
function quietLog(): Log {
  return new Log({ level: LogLevel.OFF, prefix: 'finfaq-crawl' });
}

/**
 * Crawlee's retry hooks: a retryable failure waits its backoff (or the server's `Retry-After`, up
 * to `MAX_RETRY_WAIT_MS`) in the request's `notBefore`; the rest, and the last attempt, are
 * reported. Nothing is reported for a crawl that was stopped.
 */
function retryHandlers(
  recorder: CrawlRecorder,
  backoff: (attempt: number, server?: number) => number,
  signal: AbortSignal | undefined,
): Pick<BytesCheerioCrawlerOptions, 'errorHandler' | 'failedRequestHandler'> {
  return {
    errorHandler: async ({ request }, error) => {
      const failure = describeFailure(error);
      if (!failure.retryable || signal?.aborted) {
        request.noRetry = true;
        return;
      }
      const server = error instanceof TransientFetchError ? error.retryAfterMs : undefined;
      if (server !== undefined && server > MAX_RETRY_WAIT_MS) {
        request.noRetry = true;
        return;
      }
      (request.userData as PageData).notBefore = Date.now() + backoff(request.retryCount, server);
    },
    failedRequestHandler: async ({ request }, error) => {
      if (signal?.aborted) return; // not a problem of the page: the crawl was stopped
      const failure = describeFailure(error);
      const attempts = request.retryCount + 1;
      const reason =
        failure.retryable && attempts > 1 ? `${failure.reason} (${attempts} attempts)` : failure.reason;
      recorder.problem(request.url, failure.kind, reason);
    },
  };
}

/** Crawls one source once. Never throws for a page's problem; they are in the report. */
export async function crawlSource(options: CrawlSourceOptions): Promise<CrawlReport> {
  const { source, settings, validators, signal } = options;
  const recorder = new CrawlRecorder(source.name, options.onProblem);
  const report = recorder.report;

  const scope = new SourceScope(source);
  const timeoutMs = settings.timeout_secs * 1000;
  const pacer = new HostPacer(60_000 / source.per_minute);
  const backoff = (attempt: number, server?: number) =>
    server ?? Math.min(MAX_RETRY_WAIT_MS, settings.retry_backoff_secs * 1000 * 2 ** attempt);
  const admission = new Admission({
    scope,
    userAgent: settings.user_agent,
    retries: settings.retries,
    backoff: (attempt) => backoff(attempt),
  });
  const client = new SafeHttpClient({
    allowPrivateNetworks: settings.allow_private_networks,
    userAgent: settings.user_agent,
    timeoutMs,
    maxBodyBytes: settings.max_body_bytes,
    maxRedirects: settings.max_redirects,
    maxSockets: settings.concurrency,
    // Every hop is admitted like a link; the client checks each hop's address itself.
    beforeRedirect: async (_from, to) => {
      await admission.admit(to);
    },
    beforeRequest: (url) => pacer.acquire(url.host, signal),
  });
  admission.useClient(client);

  const links = new LinkQueue(source, scope, admission, recorder);
  const starts = await links.starts(settings, pacer);

  // Enough requests in flight to keep each host's slots busy, few enough that none waits for its
  // slot longer than half a timeout.
  const slowest = Math.max(...[...scope.hosts].map((h) => pacer.intervalOf(h)));
  const concurrency = Math.max(1, Math.min(settings.concurrency, Math.floor(timeoutMs / 2 / slowest)));
  // Crawlee's own guards, outside the client's deadline: the wait for a politeness slot (at most
  // `concurrency` slots ahead, and one per redirect hop), the request, then retry backoff.
  const slotWaitMs = (concurrency + settings.max_redirects) * slowest;
  const navigationTimeoutSecs = Math.ceil((slotWaitMs + timeoutMs) / 1000) + 5;
  const handlerTimeoutSecs = navigationTimeoutSecs + Math.ceil((timeoutMs + MAX_RETRY_WAIT_MS) / 1000);

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
      // Every type reaches the post-navigation check, which says "not HTML" itself.
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
          const wait = ((request.userData as PageData).notBefore ?? 0) - Date.now();
          if (wait > 0) await sleep(wait);
          if (request.label === 'article' && validators) {
            const headers = conditionalHeaders(validators.get(source.name, request.url));
            gotOptions.headers = { ...gotOptions.headers, ...headers };
          }
        },
      ],
      postNavigationHooks: [
        async ({ request, response }) => checkResponse(request.label as PageLabel, response),
      ],
      requestHandler: pageRoutes({
        source,
        settings,
        scope,
        recorder,
        validators,
        onRecord: options.onRecord,
        enqueue: (urls, label) => links.enqueue(urls, label),
        markSeen: (href) => links.markSeen(href),
      }),
      ...retryHandlers(recorder, backoff, signal),
    },
    config,
  );
  links.sendTo((requests) => crawler.addRequests(requests));

  const stop = () => {
    report.aborted = true;
    crawler.stop('finfaq: crawl aborted');
  };
  signal?.addEventListener('abort', stop, { once: true });
  try {
    if (starts.length > 0 && !signal?.aborted) await crawler.run(starts);
    else if (signal?.aborted) report.aborted = true;
  } finally {
    signal?.removeEventListener('abort', stop);
    await crawler.teardown().catch(() => {});
    client.close();
  }
  return recorder.finish();
}
