/** The three BullMQ queues of one pipeline (one Redis, one prefix), and their depths. */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedis, logRedisError, type QueueSettings } from './connection.js';
import {
  type CrawlJob,
  JOB_OPTIONS,
  type NormalizeQueueJob,
  type PublishQueueJob,
  QUEUE_NAMES,
  type QueueName,
} from './jobs.js';

export interface Queues {
  crawl: Queue<CrawlJob>;
  normalize: Queue<NormalizeQueueJob>;
  publish: Queue<PublishQueueJob>;
}

export function openQueues(connection: Redis, prefix: string): Queues {
  const open = <T>(name: QueueName) => {
    const queue = new Queue<T>(name, { connection, prefix, defaultJobOptions: JOB_OPTIONS[name] });
    queue.on('error', logRedisError);
    return queue;
  };
  return {
    crawl: open<CrawlJob>('crawl'),
    normalize: open<NormalizeQueueJob>('normalize'),
    publish: open<PublishQueueJob>('publish'),
  };
}

/** A connection to one pipeline's queues: what producers (`crawl`, `run`) and workers share. */
export interface QueueClient {
  settings: QueueSettings;
  redis: Redis;
  queues: Queues;
  close(): Promise<void>;
}

export function connectQueues(settings: QueueSettings): QueueClient {
  const redis = createRedis(settings.redisUrl);
  const queues = openQueues(redis, settings.prefix);
  return {
    settings,
    redis,
    queues,
    async close() {
      await closeQueues(queues);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(QUEUE_NAMES.map((name) => queues[name].close()));
}

/** States of jobs not done yet: a queue is drained when it has none. */
export const PENDING_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;
const REPORTED_STATES = [...PENDING_STATES, 'completed', 'failed'] as const;

export interface QueueDepth {
  queue: QueueName;
  state: string;
  count: number;
}

/** Jobs per queue and state, for `/metrics` (`finfaq_queue_jobs{queue,state}`). */
export async function queueDepths(queues: Queues): Promise<QueueDepth[]> {
  const depths: QueueDepth[] = [];
  for (const name of QUEUE_NAMES) {
    const counts = await queues[name].getJobCounts(...REPORTED_STATES);
    for (const state of REPORTED_STATES) depths.push({ queue: name, state, count: counts[state] ?? 0 });
  }
  return depths;
}

/** Jobs not done yet in one queue. */
export async function pendingJobs(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts(...PENDING_STATES);
  return PENDING_STATES.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
}
