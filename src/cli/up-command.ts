/**
 * `finfaq up --config FILE [--port N] [--host H] [--concurrency N] [--crawl-now]`: everything for
 * one machine in one process. Schedules each source's crawls (cron `schedule` in its `tz`), crawls
 * at once the sources never crawled before (all of them with `--crawl-now`), runs the crawl,
 * normalize and publish workers, and serves the feed (queue depths on `/metrics`) and the dashboard.
 * SIGTERM/SIGINT: stop serving, stop the workers as `finfaq worker` does, exit 0.
 */
import { connectQueueAdmin, registerDashboard } from '../dashboard/index.js';
import { buildFeedServer } from '../publish/index.js';
import { connectQueues } from '../queue/queues.js';
import { enqueueCrawls, neverCrawled, newRunId, scheduleCrawls } from '../queue/schedule.js';
import { storeSettings } from '../queue/store.js';
import { startWorkers } from '../queue/workers.js';
import { adminToken, listenAddress } from './serve-command.js';
import {
  exitCodeOf,
  loadConfigOrFail,
  openStoreOrFail,
  reachableQueueSettings,
  StartupFailure,
  say,
  sayScheduled,
  untilStopped,
  warnWithoutPersistence,
} from './service.js';

export interface UpOptions {
  config: string;
  port?: number;
  host?: string;
  concurrency?: number;
  /** Crawl every source at once too (by default only sources never crawled are). */
  crawlNow?: boolean;
}

export function runUp(options: UpOptions): Promise<number> {
  return exitCodeOf(async () => {
    const { stopped } = untilStopped('up');
    const config = await loadConfigOrFail('up', options.config);
    const { port, host } = listenAddress(options);
    const settings = await reachableQueueSettings('up');
    const stores = storeSettings();
    const store = await openStoreOrFail('up', stores);
    const client = connectQueues(settings);
    await warnWithoutPersistence('up', settings.redisUrl, client.redis);
    const fail = async (message: string) => {
      say('up', message);
      await client.close();
      await store.close();
      return new StartupFailure(1);
    };

    sayScheduled('up', await scheduleCrawls(client.queues.crawl, config));
    const now = options.crawlNow
      ? config.sources.map((s) => s.name)
      : await neverCrawled(client.redis, settings.prefix, config);
    if (now.length > 0) {
      await enqueueCrawls(client.queues.crawl, config, newRunId(), now);
      say('up', `crawling now: ${now.join(', ')}`);
    }
    let running: Awaited<ReturnType<typeof startWorkers>>;
    try {
      running = await startWorkers(client, {
        store,
        storeSettings: stores,
        concurrency: options.concurrency ? { normalize: options.concurrency } : undefined,
      });
    } catch (error) {
      throw await fail(`cannot start the workers: ${(error as Error).message}`);
    }
    // The dashboard's and /metrics' connection fails fast while Redis is away; the workers' waits.
    const admin = connectQueueAdmin(settings.redisUrl, settings.prefix);
    const app = buildFeedServer(store, {
      publisher: running.publisher,
      metrics: { queueDepths: () => admin.currentDepths() },
      metricsToken: adminToken(),
    });
    await registerDashboard(app, { store, queues: admin, adminToken: adminToken() });
    try {
      await app.listen({ port, host });
    } catch (error) {
      await admin.close();
      await running.close();
      throw await fail(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
    }
    const address = app.server.address();
    const listening = typeof address === 'object' && address ? address.port : port;
    say(
      'up',
      `${running.name}: workers on crawl, normalize, publish; dashboard at http://${host}:${listening}/, feed at http://${host}:${listening}/v1/records`,
    );

    const signal = await stopped;
    say('up', `${signal}: stopping`);
    await app.close();
    await admin.close();
    await running.close();
    await client.close();
    await store.close();
    say('up', 'stopped');
    return 0;
  });
}
