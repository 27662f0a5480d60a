/** Crawling the fixture web from tests: one source at a time, with its server-side request log. */
import { parseSourcesConfig, type SourcesConfig } from '../../src/config/sources.js';
import { type CrawlReport, type CrawlSourceOptions, crawlSource } from '../../src/crawl/index.js';
import type { CrawledRawRecord } from '../../src/records/raw.js';
import type {
  FixtureWeb,
  LoggedRequest,
  SiteName,
  SourcesConfigOptions,
} from '../support/fixture-web/index.js';

/** Settings that keep a test crawl quick: short timeout, one quick retry, fast pace. */
export const QUICK_CRAWL = {
  timeout_secs: 1.5,
  retries: 1,
  retry_backoff_secs: 0.05,
  max_body_bytes: 1024 * 1024,
};

export interface SiteCrawl {
  config: SourcesConfig;
  report: CrawlReport;
  records: CrawledRawRecord[];
  /** What every server of the web saw during this crawl. */
  requests: LoggedRequest[];
}

/** Crawls one site of the web as its source, alone, and returns what happened on both ends. */
export async function crawlSite(
  web: FixtureWeb,
  site: SiteName,
  options: SourcesConfigOptions &
    Partial<Pick<CrawlSourceOptions, 'validators' | 'signal' | 'onRecord'>> = {},
): Promise<SiteCrawl> {
  const config = parseSourcesConfig(
    web.sourcesConfig({
      ...options,
      sites: [site],
      crawl: { ...QUICK_CRAWL, ...options.crawl },
      source: { per_minute: 6000, ...options.source },
    }),
  );
  const first = web.requests.length;
  const records: CrawledRawRecord[] = [];
  const report = await crawlSource({
    source: config.sources[0] as SourcesConfig['sources'][number],
    settings: config.crawl,
    validators: options.validators,
    signal: options.signal,
    onRecord: (record) => {
      records.push(record);
      return options.onRecord?.(record);
    },
  });
  return { config, report, records, requests: web.requests.slice(first) };
}
