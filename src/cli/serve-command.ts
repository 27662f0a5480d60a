/**
 * `finfaq serve [--port N] [--host H]`: the feed and dashboard HTTP server of the publish side
 * (`buildFeedServer`), on the store named by `DATABASE_URL`. Its `/metrics` also shows the queue
 * depths (`finfaq_queue_jobs{queue,state}`) when Redis answers; the feed itself needs no Redis.
 */
import { Redis } from 'ioredis';
import { buildFeedServer, type QueueDepth } from '../publish/index.js';
import { assertRedisReachable, queueSettings } from '../queue/connection.js';
import { closeQueues, openQueues, type Queues, queueDepths } from '../queue/queues.js';
import { storeSettings } from '../queue/store.js';
import { exitCodeOf, openStoreOrFail, say, untilStopped } from './service.js';

export const DEFAULT_PORT = 8080;

export interface ServeOptions {
  port?: number;
  host?: string;
}

/** `--port`, else `PORT`, else 8080; `--host`, else `HOST`, else 127.0.0.1. */
export function listenAddress(options: ServeOptions): { port: number; host: string } {
  const port = options.port ?? (process.env.PORT ? Number(process.env.PORT) : DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT: not a port number: ${process.env.PORT}`);
  return { port, host: options.host ?? process.env.HOST ?? '127.0.0.1' };
}

/**
 * Queue depths for `/metrics` over a connection that fails fast: a scrape while Redis is away
 * shows no depths instead of hanging.
 */
export function metricsQueues(
  redisUrl: string,
  prefix: string,
): { depths: () => Promise<QueueDepth[]>; close(): Promise<void> } {
  const redis = new Redis(redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: false,
  });
  redis.on('error', () => {});
  const queues: Queues = openQueues(redis, prefix);
  return {
    depths: async () => {
      if (redis.status !== 'ready') return [];
      try {
        return await queueDepths(queues);
      } catch {
        return [];
      }
    },
    async close() {
      await closeQueues(queues).catch(() => {});
      redis.disconnect();
    },
  };
}

export function runServe(options: ServeOptions): Promise<number> {
  return exitCodeOf(async () => {
    const { stopped } = untilStopped('serve');
    const { port, host } = listenAddress(options);
    const store = await openStoreOrFail('serve', storeSettings());
    const settings = queueSettings();
    try {
      await assertRedisReachable(settings.redisUrl, 1_000);
    } catch (error) {
      say('serve', `${(error as Error).message}; /metrics shows no queue depths until it answers`);
    }
    const depths = metricsQueues(settings.redisUrl, settings.prefix);
    const app = buildFeedServer(store, { metrics: { queueDepths: depths.depths } });
    try {
      await app.listen({ port, host });
    } catch (error) {
      say('serve', `cannot listen on ${host}:${port}: ${(error as Error).message}`);
      await depths.close();
      await store.close();
      return 1;
    }
    const address = app.server.address();
    say(
      'serve',
      `feed at http://${host}:${typeof address === 'object' && address ? address.port : port}/v1/records`,
    );
    const signal = await stopped;
    say('serve', `${signal}: stopping`);
    await app.close();
    await depths.close();
    await store.close();
    return 0;
  });
}
