/**
 * Starting and stopping the workers of one process: `finfaq worker`, `up` and `run` all go
 * through here.
 *
 * Stopping (`close()`): every worker stops taking jobs at once; running crawls are aborted and
 * handed back to the queue; normalize and publish jobs in hand are finished (they take
 * milliseconds to seconds); then the connections are closed. A job whose process dies instead is
 * found by another worker's stalled-job check once its lock expires, and run again.
 */
import { hostname } from 'node:os';
import type { Worker } from 'bullmq';
import { createPublisher, type Publisher } from '../publish/publisher.js';
import type { Store } from '../publish/store/index.js';
import { startCrawlWorker } from './crawl-worker.js';
import { QUEUE_NAMES, type QueueName } from './jobs.js';
import { startNormalizeWorker } from './normalize-worker.js';
import { startPublishWorker } from './publish-worker.js';
import type { QueueClient } from './queues.js';
import { openAppStore, type StoreSettings } from './store.js';

export interface WorkerOptions {
  /** Queues to work on (default: all three). */
  only?: readonly QueueName[];
  /** Jobs in flight per queue (defaults: crawl 4, normalize one per CPU, publish 4). */
  concurrency?: Partial<Record<QueueName, number>>;
  /** An open store to publish to; otherwise the publish worker opens one from `storeSettings`. */
  store?: Store;
  storeSettings: StoreSettings;
}

export interface RunningWorkers {
  workers: Partial<Record<QueueName, Worker>>;
  publisher?: Publisher;
  /** This process's worker name (BullMQ `processedBy` of its jobs): `host-pid`. */
  name: string;
  /** Stop taking jobs, hand back crawls, finish the rest, close what was opened here. */
  close(): Promise<void>;
}

export async function startWorkers(client: QueueClient, options: WorkerOptions): Promise<RunningWorkers> {
  const only = options.only ?? QUEUE_NAMES;
  const name = `${hostname()}-${process.pid}`;
  const { redis, queues, settings } = client;
  const workers: Partial<Record<QueueName, Worker>> = {};
  let ownStore: Store | undefined;
  let publisher: Publisher | undefined;
  try {
    if (only.includes('publish')) {
      if (!options.store) ownStore = await openAppStore(options.storeSettings);
      const store = options.store ?? (ownStore as Store);
      publisher = await createPublisher(store);
      workers.publish = startPublishWorker(redis, publisher, store, settings, {
        concurrency: options.concurrency?.publish,
        name,
      });
    }
    if (only.includes('normalize'))
      workers.normalize = startNormalizeWorker(redis, settings, options.storeSettings, {
        concurrency: options.concurrency?.normalize,
        name,
      });
    if (only.includes('crawl'))
      workers.crawl = startCrawlWorker(redis, queues, settings, {
        concurrency: options.concurrency?.crawl,
        name,
      });
    await Promise.all(Object.values(workers).map((w) => w.waitUntilReady()));
  } catch (error) {
    await Promise.all(Object.values(workers).map((w) => w.close(true).catch(() => {})));
    await ownStore?.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    workers,
    publisher,
    name,
    close() {
      closing ??= (async () => {
        // Downstream first is not needed: each worker finishes its own jobs, whose output goes
        // onto queues that outlive this process.
        const closed = Object.values(workers).map((w) => w.close());
        workers.crawl?.cancelAllJobs('finfaq: stopping');
        await Promise.all(closed);
        await ownStore?.close();
      })();
      return closing;
    },
  };
}
