/**
 * What an operator (the dashboard, `finfaq jobs`) asks of the queues: what each source is doing
 * (its scheduler, its last crawl, whether a crawl runs now), an immediate crawl of one source,
 * the failed jobs of every queue, and retrying them.
 *
 * Everything is read from Redis, so any process of the pipeline answers the same:
 * - the last crawl of each source is a hash, `<prefix>:source-crawls` (field: source name, value:
 *   a `LastCrawl` as JSON), written by the crawl worker (`crawl-worker.ts`) when a crawl job
 *   completes, is skipped (`notCrawled`) or fails for the last time;
 * - a crawl runs now while its per-source lock, `<prefix>:crawl-lock:<source>`, is held.
 *
 * This module imports no crawling code (only types), so a web server can load it cheaply.
 */
import { randomUUID } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  type CrawlJob,
  crawlJobId,
  crawlSchedulerId,
  isQueueName,
  JOB_NAMES,
  jobSubject,
  QUEUE_NAMES,
  type QueueName,
} from './jobs.js';
import { redisKeys } from './keys.js';
import type { Queues } from './queues.js';
import type { CrawlSummary } from './runs.js';

export class UnknownSourceError extends Error {
  override readonly name = 'UnknownSourceError';
  constructor(readonly source: string) {
    super(`no crawl scheduler knows the source "${source}" (run \`finfaq crawl --config FILE\` first)`);
  }
}

export class JobNotFoundError extends Error {
  override readonly name = 'JobNotFoundError';
  constructor(
    readonly queue: string,
    readonly id: string,
  ) {
    super(`no job ${id} in the ${queue} queue`);
  }
}

export class JobNotFailedError extends Error {
  override readonly name = 'JobNotFailedError';
  constructor(
    readonly queue: QueueName,
    readonly id: string,
    readonly state: string,
  ) {
    super(`job ${id} in the ${queue} queue is ${state}, not failed`);
  }
}

// ---------------------------------------------------------------------------------------------
// Keys and the record of each source's last crawl

/** The hash of each source's last crawl (field: source name, value: `LastCrawl` JSON). */
export const sourceCrawlsKey = redisKeys.sourceCrawls;

/** The per-source crawl lock (held by the crawl job crawling the source, value: its job id). */
export const crawlLockKey = redisKeys.crawlLock;

export interface LastCrawl {
  /** ISO 8601: when the crawl job finished or failed. */
  at: string;
  ok: boolean;
  jobId: string;
  /** The crawl's summary, when it completed (also when it failed because nothing could be fetched). */
  summary?: CrawlSummary;
  /** `failedReason` when it failed, or why it did not crawl (`notCrawled`). */
  reason?: string;
}

/**
 * Records `crawl` as its source's last crawl, unless a later one is already recorded (ISO 8601
 * times in UTC compare as strings), so a late write never hides a newer crawl.
 */
const RECORD_IF_NEWER = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and type(decoded) == 'table' and type(decoded.at) == 'string' and decoded.at > ARGV[3] then
    return 0
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

export async function recordLastCrawl(
  redis: Redis,
  prefix: string,
  source: string,
  crawl: LastCrawl,
): Promise<void> {
  await redis.eval(RECORD_IF_NEWER, 1, sourceCrawlsKey(prefix), source, JSON.stringify(crawl), crawl.at);
}

/** Every recorded last crawl, by source. Unreadable entries are left out. */
export async function lastCrawls(redis: Redis, prefix: string): Promise<Map<string, LastCrawl>> {
  const crawls = new Map<string, LastCrawl>();
  for (const [source, json] of Object.entries(await redis.hgetall(sourceCrawlsKey(prefix)))) {
    try {
      crawls.set(source, JSON.parse(json) as LastCrawl);
    } catch {
      // Not ours (hand-edited?): ignore.
    }
  }
  return crawls;
}

// ---------------------------------------------------------------------------------------------
// Sources

export interface SourceActivity {
  source: string;
  /** From the source's BullMQ job scheduler; null when it has none (crawled by `run` or `--once`). */
  schedule: { pattern: string; tz: string; next: number | null } | null;
  lastCrawl: LastCrawl | null;
  /** A crawl of this source is running now (its per-source lock is held). */
  crawling: boolean;
}

const SCHEDULER_PREFIX = crawlSchedulerId('');

/** Every source known from a job scheduler or a recorded crawl, sorted by name. */
export async function sourceActivity(
  redis: Redis,
  queues: Queues,
  prefix: string,
): Promise<SourceActivity[]> {
  const schedules = new Map<string, NonNullable<SourceActivity['schedule']>>();
  for (const scheduler of await queues.crawl.getJobSchedulers(0, -1)) {
    const id = scheduler.id ?? scheduler.key;
    if (!id.startsWith(SCHEDULER_PREFIX)) continue;
    const data = scheduler.template?.data as Partial<CrawlJob> | undefined;
    const source = data?.source?.name ?? id.slice(SCHEDULER_PREFIX.length);
    schedules.set(source, {
      pattern: scheduler.pattern ?? (scheduler.every ? `every ${scheduler.every} ms` : ''),
      tz: scheduler.tz ?? data?.source?.tz ?? 'UTC',
      next: scheduler.next ?? null,
    });
  }
  const crawls = await lastCrawls(redis, prefix);
  const sources = [...new Set([...schedules.keys(), ...crawls.keys()])].sort();
  const locks = sources.length ? await redis.mget(...sources.map((s) => crawlLockKey(prefix, s))) : [];
  return sources.map((source, i) => ({
    source,
    schedule: schedules.get(source) ?? null,
    lastCrawl: crawls.get(source) ?? null,
    crawling: locks[i] !== null && locks[i] !== undefined,
  }));
}

/**
 * Adds an immediate crawl of one source, built from its scheduler's job template (which carries
 * the source's settings as the sources file last gave them). Each call adds a new job; a second
 * one while the first crawls ends at once as `notCrawled` (one crawl per source at a time).
 * Throws `UnknownSourceError` when no scheduler knows the source.
 */
export async function crawlSourceNow(queues: Queues, source: string): Promise<{ jobId: string }> {
  const scheduler = await queues.crawl.getJobScheduler(crawlSchedulerId(source));
  const data = scheduler?.template?.data as CrawlJob | undefined;
  if (!data?.source || !data.settings || data.source.name !== source) throw new UnknownSourceError(source);
  const { run: _run, ...template } = data;
  const jobId = crawlJobId(source, `now-${randomUUID()}`);
  await queues.crawl.add(JOB_NAMES.crawl, template, { jobId });
  return { jobId };
}

// ---------------------------------------------------------------------------------------------
// Failed jobs

export interface FailedJob {
  queue: QueueName;
  id: string;
  name: string;
  reason: string;
  /** Attempts made (all of them, for a job that exhausted its retries). */
  attempts: number;
  /** ISO 8601, when it failed for the last time. */
  failedAt: string | null;
  /** What the job was about: the source for crawl (and learn) jobs, the page URL for normalize and publish. */
  subject: string;
  stacktrace: string[];
}

function toFailedJob(queue: QueueName, job: Job): FailedJob {
  return {
    queue,
    id: job.id ?? '?',
    name: job.name,
    reason: job.failedReason || 'unknown',
    attempts: job.attemptsMade,
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    subject: jobSubject(queue, job.data),
    stacktrace: job.stacktrace ?? [],
  };
}

/** Ids in a queue's failed set, newest first, with when they failed (ms). */
async function failedIds(queue: Queue, start: number, end: number): Promise<{ id: string; at: number }[]> {
  const client = await queue.backend.client;
  const flat = await client.zrevrange(queue.toKey('failed'), start, end, { WITHSCORES: true });
  const ids: { id: string; at: number }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) ids.push({ id: flat[i] as string, at: Number(flat[i + 1]) });
  return ids;
}

/**
 * Failed jobs, newest failure first: of one queue, or of all three merged by when they failed.
 * `total` counts every failed job of the queue(s); `offset`/`limit` page through them. Only ids
 * are read past the page (jobs of the normalize and publish queues carry whole pages).
 */
export async function failedJobs(
  queues: Queues,
  options: { queue?: QueueName; limit: number; offset: number },
): Promise<{ total: number; jobs: FailedJob[] }> {
  const limit = Math.max(0, Math.floor(options.limit));
  const offset = Math.max(0, Math.floor(options.offset));
  if (options.queue !== undefined && !isQueueName(options.queue))
    throw new Error(`unknown queue "${options.queue}" (expected ${QUEUE_NAMES.join(', ')})`);
  const names = options.queue ? [options.queue] : [...QUEUE_NAMES];
  let total = 0;
  const entries: { queue: QueueName; id: string; at: number }[] = [];
  for (const name of names) {
    const queue = queues[name] as Queue;
    total += await queue.getFailedCount();
    if (limit === 0) continue;
    // One queue: just the page. Several: each queue's first offset + limit, merged.
    const ids =
      names.length === 1
        ? await failedIds(queue, offset, offset + limit - 1)
        : await failedIds(queue, 0, offset + limit - 1);
    for (const { id, at } of ids) entries.push({ queue: name, id, at });
  }
  const page =
    names.length === 1
      ? entries
      : entries
          .sort((a, b) => b.at - a.at || QUEUE_NAMES.indexOf(a.queue) - QUEUE_NAMES.indexOf(b.queue))
          .slice(offset, offset + limit);
  const jobs = await Promise.all(
    page.map(async ({ queue, id }) => {
      const job = (await (queues[queue] as Queue).getJob(id)) as Job | undefined;
      return job ? toFailedJob(queue, job) : undefined; // trimmed or retried meanwhile
    }),
  );
  return { total, jobs: jobs.filter((job): job is FailedJob => job !== undefined) };
}

/**
 * Moves a failed job back to waiting, with its attempts counted afresh (it gets its queue's
 * retries again). Throws `JobNotFoundError` (no such job, or not one of the three queues) or
 * `JobNotFailedError` (it is waiting, active, completed…).
 */
export async function retryFailedJob(queues: Queues, queue: QueueName, id: string): Promise<void> {
  if (!isQueueName(queue)) throw new JobNotFoundError(queue, id);
  const job = (await (queues[queue] as Queue).getJob(id)) as Job | undefined;
  if (!job) throw new JobNotFoundError(queue, id);
  try {
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  } catch (error) {
    // The script checks atomically; its errors name what was wrong.
    const message = (error as Error).message ?? '';
    if (/^Missing key for job/.test(message)) throw new JobNotFoundError(queue, id);
    if (/is not in the failed state/.test(message))
      throw new JobNotFailedError(queue, id, await job.getState().catch(() => 'unknown'));
    throw error;
  }
}

/**
 * Retries every failed job of one queue or of all three; returns how many went back to waiting.
 * Jobs retried or trimmed meanwhile by someone else are skipped.
 */
export async function retryAllFailed(queues: Queues, queue?: QueueName): Promise<Record<QueueName, number>> {
  const retried: Record<QueueName, number> = { crawl: 0, normalize: 0, publish: 0 };
  const BATCH = 500;
  for (const name of queue ? [queue] : QUEUE_NAMES) {
    const seen = new Set<string>();
    for (;;) {
      // Retried jobs leave the set: read the head again until nothing new is there.
      const ids = (await failedIds(queues[name] as Queue, 0, BATCH - 1)).filter(({ id }) => !seen.has(id));
      if (ids.length === 0) break;
      for (const { id } of ids) {
        seen.add(id);
        try {
          await retryFailedJob(queues, name, id);
          retried[name]++;
        } catch (error) {
          if (!(error instanceof JobNotFoundError || error instanceof JobNotFailedError)) throw error;
        }
      }
    }
  }
  return retried;
}
