/**
 * `finfaq run` never loses pages silently: a page handed on whose job disappears, or a Redis that
 * restarts without persistence in the middle of a run, makes the run name the loss and exit 1;
 * at start it warns when Redis keeps no append-only file, and says it cannot tell when CONFIG is
 * disabled (without failing).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { persistenceWarning, queueSettings, redisPersistence } from '../../src/queue/connection.js';
import { connectQueues } from '../../src/queue/queues.js';
import type { RunSummary } from '../../src/queue/runs.js';
import {
  type Child,
  finfaq,
  isolatedPipeline,
  type Pipeline,
  startPrivateRedis,
  startTestWeb,
  stopAll,
  type TestWeb,
} from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function web(options: { articlesPerSite: number; per_minute: number }): Promise<TestWeb> {
  const started = await startTestWeb(
    { articlesPerSite: options.articlesPerSite, brokenPages: false },
    { per_minute: options.per_minute },
  );
  cleanups.push(() => started.close());
  return started;
}

function pipelineFor(env: NodeJS.ProcessEnv = {}): Pipeline {
  const pipeline = isolatedPipeline(env);
  cleanups.push(() => pipeline.cleanup());
  return pipeline;
}

function children(): Child[] {
  const list: Child[] = [];
  cleanups.push(() => stopAll(list));
  return list;
}

async function privateRedis(options: Parameters<typeof startPrivateRedis>[0]) {
  const redis = await startPrivateRedis(options);
  cleanups.push(() => redis.stop());
  return redis;
}

describe('Redis persistence at start', () => {
  it('is read with CONFIG GET, and a warning says what a restart would lose', async () => {
    const persistent = await privateRedis({});
    const volatile = await privateRedis({ appendonly: false });
    const locked = await privateRedis({ args: ['--rename-command', 'CONFIG', ''] });
    const ask = async (url: string) => {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      try {
        return await redisPersistence(client);
      } finally {
        client.disconnect();
      }
    };
    expect(await ask(persistent.url)).toEqual({ appendonly: true, save: '' });
    expect(await ask(volatile.url)).toEqual({ appendonly: false, save: '' });
    expect(await ask(locked.url)).toBeNull();

    expect(persistenceWarning(persistent.url, { appendonly: true, save: '' })).toBeNull();
    expect(persistenceWarning(volatile.url, { appendonly: false, save: '' })).toMatch(
      /has no persistence .*--appendonly yes/,
    );
    expect(persistenceWarning(volatile.url, { appendonly: false, save: '3600 1' })).toMatch(
      /keeps only snapshots \(save "3600 1"/,
    );
    expect(persistenceWarning(locked.url, null)).toMatch(/cannot tell whether Redis/);
  });

  it('a run against a Redis whose CONFIG is disabled says it cannot tell, and runs', async () => {
    const locked = await privateRedis({ args: ['--rename-command', 'CONFIG', ''] });
    const site = await web({ articlesPerSite: 8, per_minute: 60_000 });
    const pipeline = pipelineFor({ REDIS_URL: locked.url });
    const running = children();
    const run = finfaq(['run', '--config', site.configPath, '--json', '--concurrency', '1'], pipeline.env);
    running.push(run);
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stderr()).toMatch(
      /finfaq run: warning: cannot tell whether Redis at redis:\/\/127\.0\.0\.1:\d+ keeps/,
    );
    const summary = JSON.parse(run.stdout()) as RunSummary;
    expect(summary.lost).toEqual({ redisReset: false, pages: [], unrecorded: 0, sources: [] });
    expect(summary.published.created).toBe(site.expected.length);
  }, 90_000);
});

describe('a run that loses pages', () => {
  it('names a page whose normalize job disappeared, and exits 1', async () => {
    const site = await web({ articlesPerSite: 8, per_minute: 60_000 });
    const pipeline = pipelineFor();
    const client = connectQueues(queueSettings(pipeline.env));
    cleanups.push(() => client.close());
    const running = children();
    // Crawls and publishes go on; pages wait on the normalize queue until one of them is gone.
    const crawler = finfaq(['worker', '--only', 'crawl,publish'], pipeline.env);
    running.push(crawler);
    await crawler.waitForStderr(/working on/);
    const run = finfaq(['run', '--config', site.configPath, '--no-workers', '--json'], pipeline.env);
    running.push(run);
    let victim: string | undefined;
    for (let i = 0; i < 300 && !victim; i++) {
      const [job] = await client.queues.normalize.getWaiting(0, 0);
      if (job?.name === 'normalize') {
        victim = (job.data as { raw: { url: string } }).raw.url;
        await job.remove();
      } else await sleep(100);
    }
    expect(victim).toBeDefined();
    const normalizer = finfaq(['worker', '--only', 'normalize', '--concurrency', '1'], pipeline.env);
    running.push(normalizer);

    expect(await run.exited, run.stderr()).toBe(1);
    const summary = JSON.parse(run.stdout()) as RunSummary;
    expect(summary.failures).toEqual([]);
    expect(summary.lost.pages.map((p) => p.url)).toEqual([victim]);
    expect(summary.lost.redisReset).toBe(false);
    expect(summary.published.created).toBe(site.expected.length - 1);
    expect(run.stderr()).toContain(`lost: 1 pages handed on were neither published nor failed: ${victim}`);
  }, 120_000);

  it('warns at start, then names the loss when Redis restarts without persistence, and exits 1', async () => {
    const volatile = await privateRedis({ appendonly: false });
    const site = await web({ articlesPerSite: 10, per_minute: 300 });
    const pipeline = pipelineFor({ REDIS_URL: volatile.url });
    const running = children();
    const run = finfaq(['run', '--config', site.configPath, '--json', '--concurrency', '1'], pipeline.env);
    running.push(run);
    await run.waitForStderr(/crawling 3 sources/);
    expect(run.stderr()).toMatch(/warning: Redis at redis:\/\/127\.0\.0\.1:\d+ has no persistence/);
    await sleep(1_500);
    await volatile.restart(500);

    expect(await run.exited, run.stderr()).toBe(1);
    const summary = JSON.parse(run.stdout()) as RunSummary;
    expect(summary.lost.redisReset).toBe(true);
    expect(run.stderr()).toMatch(/lost: Redis lost this run's data while it ran/);
  }, 120_000);
});
