/**
 * The crawl worker: one job crawls one source (`crawlSource`) and puts each new or changed article
 * page on the normalize queue as a raw record.
 *
 * - Recrawl state lives in Redis (`validators.ts`), so unchanged pages are not enqueued again,
 *   whichever worker crawls.
 * - One crawl of a source at a time, over all workers (a Redis lock per source, owned by the job):
 *   two would double the request rate the source's `per_minute` allows. A job that finds another
 *   job crawling its source ends at once, as `skipped`.
 * - Stopping (SIGTERM): the crawl is aborted, what it fetched is handed on, and the job goes back
 *   to the queue for the next worker, which skips what is already done.
 * - Each source's last crawl is recorded in Redis (`admin.ts`, `<prefix>:source-crawls`): by the
 *   processor itself, before BullMQ marks the job finished, when it completes, is skipped or fails
 *   for the last time (a worker that dies in between leaves the job to be run again, which records
 *   again); by the worker's `failed` event for the failures that never reach the processor (a job
 *   stalled too often, failed by the next worker to take it).
 */
import { type Job, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { crawlSource } from '../crawl/index.js';
import { crawlLockKey, type LastCrawl, recordLastCrawl } from './admin.js';
import { logRedisError, type QueueSettings, workerOptions } from './connection.js';
import { type CrawlJob, JOB_NAMES, normalizeJobId } from './jobs.js';
import type { Queues } from './queues.js';
import { type CrawlSummary, crawlSummary, recordCrawl, recordHandedOn } from './runs.js';
import { RedisValidatorStore } from './validators.js';

/** Sources crawled at once by one worker process (each has its own pace). */
export const CRAWL_CONCURRENCY = 4;
const LOCK_TTL_MS = 60_000;

/** The crawl's summary, or why the job did not crawl. */
export type CrawlResult = CrawlSummary | { notCrawled: string };

/** Takes or renews the per-source lock for `owner`; false when another job holds it. */
async function takeSourceLock(redis: Redis, key: string, owner: string): Promise<boolean> {
  const taken = await redis.set(key, owner, 'PX', LOCK_TTL_MS, 'NX');
  if (taken === 'OK') return true;
  // The same job again (recovered after its worker died, or handed back): it may go on.
  if ((await redis.get(key)) === owner) {
    await redis.pexpire(key, LOCK_TTL_MS);
    return true;
  }
  return false;
}

async function releaseSourceLock(redis: Redis, key: string, owner: string): Promise<void> {
  if ((await redis.get(key)) === owner) await redis.del(key);
}

/** A crawl that fetched nothing at all: the job fails, with the crawl's summary. */
export class NothingCrawledError extends Error {
  constructor(
    message: string,
    readonly summary: CrawlSummary,
  ) {
    super(message);
  }
}

/** Whether BullMQ will fail `job` for good on `error` (no attempt left, or unrecoverable). */
function isFinalFailure(job: Job, error: unknown): boolean {
  const name = (error as Error | undefined)?.name;
  if (error instanceof WaitingError || name === 'WaitingError') return false;
  if (name === 'UnrecoverableError') return true;
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** Failures the processor recorded itself (the worker's `failed` event skips them). */
const recordedFailures = new WeakSet<object>();

async function recordOutcome(redis: Redis, prefix: string, source: string, crawl: LastCrawl): Promise<void> {
  // The record is for the dashboard: never fail or hold up a crawl job over it.
  await recordLastCrawl(redis, prefix, source, crawl).catch((error: Error) => logRedisError(error));
}

function failedCrawl(job: Job, reason: string, summary?: CrawlSummary): LastCrawl {
  const crawl: LastCrawl = { at: new Date().toISOString(), ok: false, jobId: job.id ?? job.name, reason };
  if (summary) crawl.summary = summary;
  return crawl;
}

export function crawlProcessor(redis: Redis, queues: Queues, prefix: string) {
  const crawl = crawlOnce(redis, queues, prefix);
  return async (job: Job<CrawlJob>, token?: string, signal?: AbortSignal): Promise<CrawlResult> => {
    const source = job.data.source.name;
    let result: CrawlResult;
    try {
      result = await crawl(job, token, signal);
    } catch (error) {
      if (isFinalFailure(job, error)) {
        const reason = (error as Error)?.message ?? String(error);
        const summary = error instanceof NothingCrawledError ? error.summary : undefined;
        await recordOutcome(redis, prefix, source, failedCrawl(job, reason, summary));
        if (typeof error === 'object' && error !== null) recordedFailures.add(error);
      }
      throw error;
    }
    const done: LastCrawl = { at: new Date().toISOString(), ok: true, jobId: job.id ?? job.name };
    if ('notCrawled' in result) done.reason = result.notCrawled;
    else done.summary = result;
    await recordOutcome(redis, prefix, source, done);
    return result;
  };
}

function crawlOnce(redis: Redis, queues: Queues, prefix: string) {
  return async (job: Job<CrawlJob>, token?: string, signal?: AbortSignal): Promise<CrawlResult> => {
    const { source, settings, script, run } = job.data;
    const lockKey = crawlLockKey(prefix, source.name);
    const owner = job.id ?? job.name;
    if (!(await takeSourceLock(redis, lockKey, owner)))
      return { notCrawled: 'another crawl of this source is running' };
    const renew = setInterval(() => {
      redis.pexpire(lockKey, LOCK_TTL_MS).catch(() => {});
    }, LOCK_TTL_MS / 3);
    try {
      const validators = await RedisValidatorStore.load(redis, prefix, source.name);
      let problems = 0;
      const report = await crawlSource({
        source,
        settings,
        validators,
        signal,
        onRecord: async (raw) => {
          const done = validators.takePending();
          const data = run ? { raw, to: script, run } : { raw, to: script };
          const jobId = normalizeJobId(raw, script);
          await queues.normalize.add(JOB_NAMES.normalize, data, { jobId });
          // So that `finfaq run` can tell a page that never got published from one that did.
          if (run) await recordHandedOn(redis, prefix, run, { url: raw.url, job: jobId });
          await validators.save(done);
        },
        onProblem: (problem, skipped) => {
          if (problems++ < 50)
            job.log(`${skipped ? 'skipped' : 'failed'} ${problem.url}: ${problem.reason}`).catch(() => {});
        },
      });
      await validators.save(validators.takePending());
      if (signal?.aborted) {
        // Stopping: hand the job back; the next crawl skips what was handed on already.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const summary = crawlSummary(report);
      if (run) await recordCrawl(redis, prefix, run, summary);
      if (summary.pages === 0) {
        const first = report.failed[0] ?? report.skipped[0];
        throw new NothingCrawledError(
          `${source.name}: nothing could be crawled${first ? ` (${first.url}: ${first.reason})` : ''}`,
          summary,
        );
      }
      return summary;
    } finally {
      clearInterval(renew);
      await releaseSourceLock(redis, lockKey, owner).catch(() => {});
    }
  };
}

export function startCrawlWorker(
  redis: Redis,
  queues: Queues,
  settings: QueueSettings,
  options: { concurrency?: number; name: string },
): Worker<CrawlJob, CrawlResult> {
  const worker = new Worker<CrawlJob, CrawlResult>(
    'crawl',
    crawlProcessor(redis, queues, settings.prefix),
    workerOptions(redis, settings, options.concurrency ?? CRAWL_CONCURRENCY, options.name),
  );
  worker.on('error', logRedisError);
  // Failures decided outside the processor (a job stalled too often): record them here.
  worker.on('failed', (job, error) => {
    if (!job?.finishedOn || recordedFailures.has(error)) return;
    const source = (job.data as Partial<CrawlJob>)?.source?.name;
    if (!source) return;
    const crawl = failedCrawl(job, job.failedReason || error.message);
    crawl.at = new Date(job.finishedOn).toISOString();
    void recordOutcome(redis, settings.prefix, source, crawl);
  });
  return worker;
}
