/**
 * The crawl stage: sources file in, raw records out (CONTRACT.md). Its modules, one per concern,
 * and what the crawl guarantees are in `README.md`.
 */
import type { SourcesConfig } from '../config/sources.js';
import type { CrawledRawRecord } from '../records/raw.js';
import type { CrawlProblem, CrawlReport } from './crawl-report.js';
import { crawlSource } from './crawl-source.js';
import type { ValidatorStore } from './validators.js';

export { type CrawlProblem, type CrawlReport, type CrawlSourceOptions, crawlSource } from './crawl-source.js';
export type { FailureKind } from './errors.js';
export { JsonlWriter, toRawRecord } from './raw-output.js';
export {
  JsonFileValidatorStore,
  MemoryValidatorStore,
  type PageValidators,
  type ValidatorStore,
} from './validators.js';

/** Sources crawled at the same time by `crawlSources` (each has its own hosts and pace). */
export const PARALLEL_SOURCES = 4;

export interface CrawlSourcesOptions {
  onRecord: (record: CrawledRawRecord) => Promise<void> | void;
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
