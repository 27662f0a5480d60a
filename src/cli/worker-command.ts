/**
 * `finfaq worker [--only crawl,normalize,publish] [--concurrency N]`: work on the queues until
 * SIGTERM/SIGINT, then stop taking jobs, hand running crawls back to the queue, finish the
 * normalize and publish jobs in hand, and exit 0. Any number of these, on any number of machines,
 * can share one Redis (`REDIS_URL`) and one store (`DATABASE_URL`).
 */
import type { QueueName } from '../queue/jobs.js';
import { connectQueues } from '../queue/queues.js';
import { storeSettings } from '../queue/store.js';
import { startWorkers } from '../queue/workers.js';
import {
  exitCodeOf,
  reachableQueueSettings,
  StartupFailure,
  say,
  untilStopped,
  warnWithoutPersistence,
} from './service.js';

export interface WorkerCommandOptions {
  only?: QueueName[];
  /** Normalize jobs in flight (worker threads); default one per CPU. */
  concurrency?: number;
}

export function runWorker(options: WorkerCommandOptions): Promise<number> {
  return exitCodeOf(async () => {
    const { stopped } = untilStopped('worker');
    const settings = await reachableQueueSettings('worker');
    const client = connectQueues(settings);
    await warnWithoutPersistence('worker', settings.redisUrl, client.redis);
    let running: Awaited<ReturnType<typeof startWorkers>>;
    try {
      running = await startWorkers(client, {
        only: options.only,
        concurrency: options.concurrency ? { normalize: options.concurrency } : undefined,
        storeSettings: storeSettings(),
      });
    } catch (error) {
      say('worker', `cannot start: ${(error as Error).message}`);
      await client.close();
      throw new StartupFailure(1);
    }
    const queues = Object.keys(running.workers).join(', ');
    say('worker', `${running.name} working on ${queues} (prefix ${settings.prefix})`);
    const signal = await stopped;
    say('worker', `${signal}: finishing the jobs in hand`);
    await running.close();
    await client.close();
    say('worker', 'stopped');
    return 0;
  });
}
