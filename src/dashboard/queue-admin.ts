/**
 * What the dashboard reads and does on the queues, over one Redis connection that fails fast: a
 * page rendered while Redis is away says so at once instead of hanging until it returns.
 */
import { Redis } from 'ioredis';
import {
  crawlSourceNow,
  type FailedJob,
  failedJobs,
  retryFailedJob,
  type SourceActivity,
  sourceActivity,
} from '../queue/admin.js';
import type { QueueName } from '../queue/jobs.js';
import { closeQueues, openQueues, type QueueDepth, type Queues, queueDepths } from '../queue/queues.js';

export interface QueueAdmin {
  /** False while Redis does not answer: queue parts of pages say so. */
  readonly available: boolean;
  depths(): Promise<QueueDepth[]>;
  /** The depths for `/metrics`: none while Redis is away, so a scrape never hangs. */
  currentDepths(): Promise<QueueDepth[]>;
  sources(): Promise<SourceActivity[]>;
  failed(options: {
    queue?: QueueName;
    limit: number;
    offset: number;
  }): Promise<{ total: number; jobs: FailedJob[] }>;
  retry(queue: QueueName, id: string): Promise<void>;
  crawlNow(source: string): Promise<{ jobId: string }>;
  close(): Promise<void>;
}

/** Queue administration on `redisUrl` under `prefix` (the pipeline's BullMQ prefix). */
export function connectQueueAdmin(redisUrl: string, prefix: string): QueueAdmin {
  const redis = new Redis(redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  redis.on('error', () => {}); // reported as "queues unavailable" on the pages
  const queues: Queues = openQueues(redis, prefix);
  return {
    get available() {
      return redis.status === 'ready';
    },
    depths: () => queueDepths(queues),
    currentDepths: () =>
      redis.status === 'ready' ? queueDepths(queues).catch(() => []) : Promise.resolve([]),
    sources: () => sourceActivity(redis, queues, prefix),
    failed: (options) => failedJobs(queues, options),
    retry: (queue, id) => retryFailedJob(queues, queue, id),
    crawlNow: (source) => crawlSourceNow(queues, source),
    async close() {
      await closeQueues(queues).catch(() => {});
      redis.disconnect();
    },
  };
}
