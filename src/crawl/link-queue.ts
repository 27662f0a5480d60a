/**
 * What the crawl queues: each URL once (fragment dropped), in scope, admitted (robots.txt), with
 * the label its globs give it, within the source's `max_pages`; refusals go to the report.
 */
import type { RequestOptions } from '@crawlee/cheerio';
import type { CrawlSettings, SourceConfig } from '../config/sources.js';
import { checkHost } from './address-guard.js';
import type { Admission } from './admission.js';
import type { CrawlRecorder } from './crawl-report.js';
import { describeFailure } from './errors.js';
import type { PageData, PageLabel } from './page-labels.js';
import type { HostPacer } from './politeness.js';
import type { SourceScope } from './scope.js';

export class LinkQueue {
  private readonly seen = new Set<string>();
  private enqueued = 0;
  private addRequests: ((requests: RequestOptions<PageData>[]) => Promise<unknown>) | undefined;

  constructor(
    private readonly source: SourceConfig,
    private readonly scope: SourceScope,
    private readonly admission: Admission,
    private readonly recorder: CrawlRecorder,
  ) {}

  /**
   * The start URLs the crawl may fetch, robots.txt of each host read first: its Crawl-delay sets
   * that host's pace on `pacer`, and the report lists each host's robots.txt.
   */
  async starts(settings: CrawlSettings, pacer: HostPacer): Promise<RequestOptions<PageData>[]> {
    const { report } = this.recorder;
    const starts: RequestOptions<PageData>[] = [];
    for (const start of this.source.start_urls) {
      const url = new URL(start);
      url.hash = '';
      if (this.seen.has(url.href)) continue;
      this.seen.add(url.href);
      try {
        await checkHost(url.hostname, settings.allow_private_networks);
        const policy = await this.admission.admit(url);
        if (!report.robots.some((r) => r.url === policy.url)) {
          report.robots.push({ url: policy.url, basis: policy.basis, crawlDelaySecs: policy.crawlDelaySecs });
          if (policy.crawlDelaySecs) pacer.setMinInterval(url.host, policy.crawlDelaySecs * 1000);
        }
        starts.push({ url: url.href, label: 'start' });
      } catch (error) {
        this.refused(url.href, error);
      }
    }
    this.enqueued = starts.length;
    return starts;
  }

  /** Where queued requests go (the crawler, once it exists). */
  sendTo(addRequests: (requests: RequestOptions<PageData>[]) => Promise<unknown>): void {
    this.addRequests = addRequests;
  }

  /** A URL reached another way (a redirect's target): a link to it is not queued again. */
  markSeen(href: string): void {
    this.seen.add(href);
  }

  /** Queues URLs with `label`, or the label the source's globs give them (none: not queued). */
  async enqueue(urls: Iterable<string>, label?: PageLabel): Promise<void> {
    const batch: RequestOptions<PageData>[] = [];
    for (const href of urls) {
      let url: URL;
      try {
        url = new URL(href);
      } catch {
        continue;
      }
      url.hash = '';
      if (this.seen.has(url.href)) continue;
      const as = label ?? this.scope.roleOf(url);
      if (!as || (label && !this.scope.contains(url))) continue;
      this.seen.add(url.href);
      try {
        await this.admission.admit(url);
      } catch (error) {
        this.refused(url.href, error);
        continue;
      }
      if (this.enqueued >= this.source.max_pages) {
        this.recorder.report.overLimit++;
        continue;
      }
      this.enqueued++;
      batch.push({ url: url.href, label: as });
    }
    if (batch.length === 0) return;
    if (!this.addRequests) throw new Error('link queue: no crawler to send requests to');
    await this.addRequests(batch);
  }

  private refused(url: string, error: unknown): void {
    const failure = describeFailure(error);
    this.recorder.problem(url, failure.kind, failure.reason);
  }
}
