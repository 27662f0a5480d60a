/**
 * Crawl jobs from the sources file: one BullMQ job scheduler per source (its cron `schedule` in its
 * `tz`, Asia/Shanghai by default), or one immediate job per source (`crawl --once`, `run`).
 */
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SourcesConfig } from '../config/sources.js';
import { type CrawlJob, crawlJobId, crawlSchedulerId, JOB_NAMES, JOB_OPTIONS } from './jobs.js';
import { crawlStateKey } from './validators.js';

function crawlJob(config: SourcesConfig, source: SourcesConfig['sources'][number], run?: string): CrawlJob {
  const job: CrawlJob = { source, settings: config.crawl, script: config.output.script };
  if (run) job.run = run;
  return job;
}

export interface ScheduledCrawl {
  source: string;
  pattern: string;
  tz: string;
  /** When the next crawl is due (ms since the epoch), if BullMQ says. */
  next?: number;
}

/**
 * Creates or updates each source's scheduler (the job template carries the source's current
 * settings) and removes the schedulers of sources no longer in the file. Idempotent.
 */
export async function scheduleCrawls(
  queue: Queue<CrawlJob>,
  config: SourcesConfig,
): Promise<ScheduledCrawl[]> {
  const wanted = new Set(config.sources.map((s) => crawlSchedulerId(s.name)));
  for (const scheduler of await queue.getJobSchedulers(0, -1)) {
    const id = scheduler.id ?? scheduler.key;
    if (id.startsWith(crawlSchedulerId('')) && !wanted.has(id)) await queue.removeJobScheduler(id);
  }
  const scheduled: ScheduledCrawl[] = [];
  for (const source of config.sources) {
    const id = crawlSchedulerId(source.name);
    await queue.upsertJobScheduler(
      id,
      { pattern: source.schedule, tz: source.tz },
      { name: JOB_NAMES.crawl, data: crawlJob(config, source), opts: JOB_OPTIONS.crawl },
    );
    const next = (await queue.getJobScheduler(id))?.next;
    scheduled.push({ source: source.name, pattern: source.schedule, tz: source.tz, next });
  }
  return scheduled;
}

/** A new run id: what `run` and `crawl --once` tag their jobs with. */
export function newRunId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 16);
}

/** Sources with no recrawl state in Redis: never crawled by this pipeline (or never with success). */
export async function neverCrawled(redis: Redis, prefix: string, config: SourcesConfig): Promise<string[]> {
  const names: string[] = [];
  for (const source of config.sources)
    if ((await redis.exists(crawlStateKey(prefix, source.name))) === 0) names.push(source.name);
  return names;
}

/** One immediate crawl job per source (or per `only` source); returns the job ids. */
export async function enqueueCrawls(
  queue: Queue<CrawlJob>,
  config: SourcesConfig,
  run: string,
  only?: readonly string[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const source of config.sources) {
    if (only && !only.includes(source.name)) continue;
    const jobId = crawlJobId(source.name, run);
    await queue.add(JOB_NAMES.crawl, crawlJob(config, source, run), { jobId });
    ids.push(jobId);
  }
  return ids;
}
