/**
 * The publish worker: each job hands one clean record to the publisher (`../publish/publisher.ts`:
 * dedupe, versioning and the feed position, in one store transaction). Publishing is idempotent,
 * so a job that runs twice (retried, or recovered after its worker died) writes once.
 */
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Publisher } from '../publish/publisher.js';
import type { PublishStore } from '../publish/store/index.js';
import type { PublishResult } from '../publish/types.js';
import { logRedisError, type QueueSettings, workerOptions } from './connection.js';
import { type PublishQueueJob, unpackPublishJob } from './jobs.js';
import { recordPublish } from './runs.js';

/** Publishes in flight per worker process (store transactions, mostly waiting on the database). */
export const PUBLISH_CONCURRENCY = 4;

export function publishProcessor(redis: Redis, publisher: Publisher, store: PublishStore, prefix: string) {
  return async (job: Job<PublishQueueJob>): Promise<PublishResult> => {
    const data = unpackPublishJob(job.data);
    const { record, rawOf, run, feedScript } = data;
    const raw = data.raw ?? (rawOf ? await store.getRaw(rawOf.id, rawOf.version) : null);
    const result = await publisher.publish(record, raw ?? null, { feedScript });
    if (run) await recordPublish(redis, prefix, run, record, result);
    return result;
  };
}

export function startPublishWorker(
  redis: Redis,
  publisher: Publisher,
  store: PublishStore,
  settings: QueueSettings,
  options: { concurrency?: number; name: string },
): Worker<PublishQueueJob, PublishResult> {
  const worker = new Worker<PublishQueueJob, PublishResult>(
    'publish',
    publishProcessor(redis, publisher, store, settings.prefix),
    workerOptions(redis, settings, options.concurrency ?? PUBLISH_CONCURRENCY, options.name),
  );
  worker.on('error', logRedisError);
  return worker;
}
