/**
 * What one crawl of one source did: pages fetched, records written, and every URL it did not get
 * with why (failed by the web, or skipped on purpose by policy), each reported once.
 */
import type { FailureKind } from './errors.js';

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

/** Kinds that are refusals by policy, reported as skipped rather than failed. */
const SKIP_KINDS = new Set<FailureKind>(['robots', 'off-site', 'private-address', 'scheme']);

/** A crawl's report as it fills: problems are recorded once per URL and kind, and passed on. */
export class CrawlRecorder {
  readonly report: CrawlReport;
  private readonly started: number;
  private readonly reported = new Set<string>();

  constructor(
    source: string,
    private readonly onProblem?: (problem: CrawlProblem, skipped: boolean) => void,
  ) {
    this.started = Date.now();
    this.report = {
      source,
      startedAt: new Date(this.started).toISOString(),
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
  }

  problem(url: string, kind: FailureKind, reason: string): void {
    const key = `${url}\n${kind}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const entry = { url, kind, reason };
    const skipped = SKIP_KINDS.has(kind);
    (skipped ? this.report.skipped : this.report.failed).push(entry);
    this.onProblem?.(entry, skipped);
  }

  /** The report, its duration set. */
  finish(): CrawlReport {
    this.report.durationMs = Date.now() - this.started;
    return this.report;
  }
}
