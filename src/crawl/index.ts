/**
 * The crawl stage: sources file in, raw records out (CONTRACT.md). One module per concern:
 *
 * | concern | module |
 * | --- | --- |
 * | the crawl of one source | `crawl-source.ts` |
 * | Crawlee engine that keeps bytes | `page-crawler.ts` |
 * | fetching bytes (redirects, limits, timeouts) | `http-client.ts` |
 * | private / loopback addresses | `address-guard.ts` |
 * | robots.txt | `robots.ts` |
 * | per-host request rate | `politeness.ts` |
 * | hosts and globs of a source | `scope.ts` |
 * | links of a page, sitemaps | `links.ts`, `sitemaps.ts` |
 * | conditional GET state | `validators.ts` |
 * | raw records, JSON Lines | `raw-output.ts` |
 * | why a page was not crawled | `errors.ts` |
 */
import type { SourcesConfig } from '../config/sources.js';
import { type CrawlProblem, type CrawlReport, crawlSource } from './crawl-source.js';
import type { RawRecord } from './raw-output.js';
import type { ValidatorStore } from './validators.js';

export { type CrawlProblem, type CrawlReport, type CrawlSourceOptions, crawlSource } from './crawl-source.js';
export type { FailureKind } from './errors.js';
export { JsonlWriter, type RawRecord, toRawRecord } from './raw-output.js';
export {
  JsonFileValidatorStore,
  MemoryValidatorStore,
  type PageValidators,
  type ValidatorStore,
} from './validators.js';

/** Sources crawled at the same time by `crawlSources` (each has its own hosts and pace). */
export const PARALLEL_SOURCES = 4;

export interface CrawlSourcesOptions {
  onRecord: (record: RawRecord) => Promise<void> | void;
  validators?: ValidatorStore;
  onProblem?: (source: string, problem: CrawlProblem, skipped: boolean) => void;
  onReport?: (report: CrawlReport) => void;
  /** Only these sources (by name); all by default. */
  only?: readonly string[];
  /** Stops every crawl (see `CrawlSourceOptions.signal`); sources not started are not crawled. */
  signal?: AbortSignal;
}

/** Crawls every source of a sources file once, up to `PARALLEL_SOURCES` at a time. */
export async function crawlSources(
  config: SourcesConfig,
  options: CrawlSourcesOptions,
): Promise<CrawlReport[]> {
  const sources = config.sources.filter((s) => !options.only || options.only.includes(s.name));
  const reports: CrawlReport[] = new Array(sources.length);
  let next = 0;
  const worker = async () => {
    while (next < sources.length && !options.signal?.aborted) {
      const index = next++;
      const source = sources[index];
      if (!source) continue;
      const report = await crawlSource({
        source,
        settings: config.crawl,
        validators: options.validators,
        onRecord: options.onRecord,
        onProblem: (problem, skipped) => options.onProblem?.(source.name, problem, skipped),
        signal: options.signal,
      });
      reports[index] = report;
      options.onReport?.(report);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_SOURCES, sources.length) }, worker));
  return reports.filter((r) => r !== undefined);
}
