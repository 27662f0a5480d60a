/**
 * `finfaq serve [--port N] [--host H]`: the feed (`buildFeedServer`) and the dashboard at `/`
 * (`registerDashboard`), on the store named by `DATABASE_URL`. The queue parts of the dashboard
 * and the queue depths on `/metrics` need Redis; the feed and the record pages do not.
 * `FINFAQ_ADMIN_TOKEN` enables the dashboard's actions (retry a failed job, crawl a source now)
 * and puts `/metrics` behind it (`Authorization: Bearer TOKEN`).
 */
import { connectQueueAdmin, registerDashboard } from '../dashboard/index.js';
import { buildFeedServer } from '../publish/index.js';
import { assertRedisReachable, queueSettings } from '../queue/connection.js';
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

/** `FINFAQ_ADMIN_TOKEN`, when set and not empty: it enables the dashboard's actions. */
export function adminToken(): string | undefined {
  const token = process.env.FINFAQ_ADMIN_TOKEN?.trim();
  return token ? token : undefined;
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
    const queues = connectQueueAdmin(settings.redisUrl, settings.prefix);
    const app = buildFeedServer(store, {
      metrics: {
        queueDepths: () => queues.currentDepths(),
      },
      metricsToken: adminToken(),
    });
    await registerDashboard(app, { store, queues, adminToken: adminToken() });
    try {
      await app.listen({ port, host });
    } catch (error) {
      say('serve', `cannot listen on ${host}:${port}: ${(error as Error).message}`);
      await queues.close();
      await store.close();
      return 1;
    }
    const address = app.server.address();
    const origin = `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
    say('serve', `dashboard at ${origin}/, feed at ${origin}/v1/records`);
    const signal = await stopped;
    say('serve', `${signal}: stopping`);
    await app.close();
    await queues.close();
    await store.close();
    return 0;
  });
}
