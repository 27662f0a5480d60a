/**
 * The normalize worker: a BullMQ worker whose processor (`normalize-processor.ts`) runs in worker
 * threads, one per job in flight. Threads die with the process (a `kill -9` leaves no orphan
 * finishing a job behind the queue's back) and get no signals of their own (Ctrl-C does not cut a
 * job short: the worker finishes it on `close()`).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { logRedisError, type QueueSettings, workerOptions } from './connection.js';
import type { NormalizeQueueJob } from './jobs.js';
import type { ProcessorSettings } from './normalize-processor.js';
import type { StoreSettings } from './store.js';

/**
 * The compiled processor: beside this file in `dist/`; when this module runs from `src/` (tests,
 * tsx), the build's copy (`npm run build` makes it; `npm test` builds first).
 */
export function processorFile(): URL {
  const sibling = new URL('./normalize-processor.js', import.meta.url);
  if (existsSync(sibling)) return sibling;
  const built = new URL('../../dist/queue/normalize-processor.js', import.meta.url);
  if (existsSync(built)) return built;
  throw new Error(`${built.pathname} is missing: run \`npm run build\` first`);
}

export function defaultNormalizeConcurrency(): number {
  return Math.max(1, availableParallelism());
}

export function startNormalizeWorker(
  redis: Redis,
  settings: QueueSettings,
  store: StoreSettings,
  options: { concurrency?: number; name: string },
): Worker<NormalizeQueueJob> {
  const workerData: ProcessorSettings = { queue: settings, store };
  const worker = new Worker<NormalizeQueueJob>('normalize', processorFile(), {
    ...workerOptions(redis, settings, options.concurrency ?? defaultNormalizeConcurrency(), options.name),
    useWorkerThreads: true,
    workerThreadsOptions: { workerData },
  });
  worker.on('error', logRedisError);
  return worker;
}
