/**
 * The normalize worker: a BullMQ worker whose jobs run in worker threads (`../threads/pool.ts`,
 * the processor is `normalize-processor.ts`), one per job in flight, each job within its time
 * budget (`FINFAQ_NORMALIZE_TIMEOUT_MS`, default 60 s for a page; learn and restore jobs get ten
 * times as long): a job past it fails with a reason that says so, its thread is stopped and the
 * worker goes on. Threads die with the process (a `kill -9` leaves no orphan finishing a job behind
 * the queue's back) and get no signals of their own (Ctrl-C does not cut a job short: the worker
 * finishes it on `close()`, then stops its threads). The threads share the read-only tables (the
 * language model's table, the dictionary index, the bigram model) as `finfaq normalize`'s do: read
 * once by this thread into SharedArrayBuffers, not once per thread.
 */
import { availableParallelism } from 'node:os';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { SHARED_MODEL_FILES, sharedFileBytes } from '../normalize/index.js';
import { builtModule, ThreadPool } from '../threads/pool.js';
import { BATCH_BUDGET_FACTOR } from './budgets.js';
import { logRedisError, type QueueSettings, workerOptions } from './connection.js';
import { JOB_NAMES, type NormalizeQueueJob } from './jobs.js';
import type { ProcessorSettings } from './normalize-processor.js';
import type { StoreSettings } from './store.js';

export { BATCH_BUDGET_FACTOR } from './budgets.js';

/** A job that ran past its budget; its thread was stopped. Not retried: it would take as long again. */
export class NormalizeTimeoutError extends UnrecoverableError {
  override readonly name = 'NormalizeTimeoutError';
  constructor(job: string, budgetMs: number) {
    super(
      `${job} job exceeded its time budget of ${budgetMs / 1000} s and was stopped (FINFAQ_NORMALIZE_TIMEOUT_MS)`,
    );
  }
}

export function defaultNormalizeConcurrency(): number {
  return Math.max(1, availableParallelism());
}

/** The time budget of a job on the normalize queue (ms). */
export function jobBudgetMs(settings: QueueSettings, name: string): number {
  return name === JOB_NAMES.normalize
    ? settings.normalizeTimeoutMs
    : settings.normalizeTimeoutMs * BATCH_BUDGET_FACTOR;
}

/**
 * What each normalize thread is started with: the settings of its connections, and the language
 * model's table, the dictionary index and the bigram model, read once here into shared memory:
 * every thread (a replacement for a stopped one too) reads its arrays from those bytes, not from
 * the files.
 */
export function threadSettings(settings: QueueSettings, store: StoreSettings): ProcessorSettings {
  return { queue: settings, store, files: sharedFileBytes(SHARED_MODEL_FILES) };
}

export function startNormalizeWorker(
  redis: Redis,
  settings: QueueSettings,
  store: StoreSettings,
  options: { concurrency?: number; name: string },
): Worker<NormalizeQueueJob> {
  const threads = new ThreadPool(builtModule('queue/normalize-thread.js'), threadSettings(settings, store), {
    budgetMs: (name) => jobBudgetMs(settings, name),
    timeoutError: (name, budgetMs) => new NormalizeTimeoutError(name, budgetMs),
  });
  const worker = new Worker<NormalizeQueueJob>(
    'normalize',
    (job) => threads.run({ name: job.name, data: job.data }),
    workerOptions(redis, settings, options.concurrency ?? defaultNormalizeConcurrency(), options.name),
  );
  worker.on('error', logRedisError);
  // After `close()` has let the jobs in hand finish.
  worker.on('closed', () => {
    void threads.close();
  });
  return worker;
}
