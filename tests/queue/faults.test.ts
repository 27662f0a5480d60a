/**
 * Faults: a worker killed with SIGKILL in the middle of a job (the job completes on another
 * worker; nothing lost, nothing written twice), a worker stopped with SIGTERM during a run (exit 0;
 * its jobs finish or go back to the queue), Redis restarted during a run (the run carries on and
 * finishes), and no Redis at start (one line saying how to get one).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSourcesFile } from '../../src/config/sources.js';
import type { Store } from '../../src/publish/index.js';
import { queueSettings } from '../../src/queue/connection.js';
import { QUEUE_NAMES } from '../../src/queue/jobs.js';
import { connectQueues, type QueueClient } from '../../src/queue/queues.js';
import { type RunSummary, waitUntilDrained } from '../../src/queue/runs.js';
import { enqueueCrawls, newRunId } from '../../src/queue/schedule.js';
import {
  type Child,
  finfaq,
  freePort,
  isolatedPipeline,
  type Pipeline,
  recordsByUrl,
  startPrivateRedis,
  startTestWeb,
  stopAll,
  type TestWeb,
} from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** A web whose crawls take a few seconds (politeness), with no broken pages. */
async function slowCrawlWeb(): Promise<TestWeb> {
  const web = await startTestWeb({ articlesPerSite: 10, brokenPages: false }, { per_minute: 300 });
  cleanups.push(() => web.close());
  return web;
}

function pipelineFor(env: NodeJS.ProcessEnv = {}): Pipeline {
  const pipeline = isolatedPipeline({ FINFAQ_LOCK_MS: '2000', FINFAQ_STALLED_MS: '1000', ...env });
  cleanups.push(() => pipeline.cleanup());
  return pipeline;
}

function client(pipeline: Pipeline): QueueClient {
  const c = connectQueues(queueSettings(pipeline.env));
  cleanups.push(() => c.close());
  return c;
}

function worker(pipeline: Pipeline, children: Child[]): Child {
  const child = finfaq(['worker', '--concurrency', '1'], pipeline.env);
  children.push(child);
  return child;
}

function children(): Child[] {
  const list: Child[] = [];
  cleanups.push(() => stopAll(list));
  return list;
}

const workerName = (child: Child) => new RegExp(`-${child.process.pid}$`);

/** Resolves with an active crawl job held by one of `workers`, once there is one. */
async function activeCrawl(c: QueueClient, workers: Child[]): Promise<{ jobId: string; holder: Child }> {
  for (;;) {
    for (const job of await c.queues.crawl.getActive()) {
      const holder = workers.find((w) => workerName(w).test(job.processedBy ?? ''));
      if (holder && job.id) return { jobId: job.id, holder };
    }
    await sleep(100);
  }
}

async function expectEveryArticleOnce(store: Store, web: TestWeb): Promise<void> {
  const urls = web.expected.map((t) => t.url).sort();
  const records = await recordsByUrl(store, urls);
  expect([...records.keys()].sort()).toEqual(urls);
  for (const record of records.values()) expect(record.version).toBe(1);
  const stats = await store.stats();
  expect(stats.versions).toBe(urls.length);
  expect(stats.records).toBe(urls.length);
}

async function expectNoFailedJobs(c: QueueClient): Promise<void> {
  for (const name of QUEUE_NAMES) {
    const failed = await c.queues[name].getFailed();
    expect(
      failed.map((j) => `${name} ${j.id}: ${j.failedReason}`),
      name,
    ).toEqual([]);
  }
}

describe('a worker killed in the middle of a job', () => {
  it('loses nothing and doubles nothing: the job completes on another worker', async () => {
    const web = await slowCrawlWeb();
    const pipeline = pipelineFor();
    const store = await pipeline.store();
    const c = client(pipeline);
    const running = children();
    const workers = [worker(pipeline, running), worker(pipeline, running)];
    await Promise.all(workers.map((w) => w.waitForStderr(/working on/)));

    const ids = await enqueueCrawls(c.queues.crawl, await loadSourcesFile(web.configPath), newRunId());
    const { jobId, holder } = await activeCrawl(c, workers);
    await sleep(1_000); // well into the crawl: some pages handed on, most not
    holder.process.kill('SIGKILL');
    expect(await holder.exited).toBe('SIGKILL');
    const survivor = workers.find((w) => w !== holder) as Child;

    await waitUntilDrained(c.queues, ids);
    const job = await c.queues.crawl.getJob(jobId);
    expect(await job?.getState()).toBe('completed');
    expect(job?.processedBy).toMatch(workerName(survivor));
    await expectNoFailedJobs(c);
    await expectEveryArticleOnce(store, web);
  }, 90_000);
});

describe('a worker stopped with SIGTERM during a run', () => {
  it('exits 0 and hands its crawls back; another worker finishes them', async () => {
    const web = await slowCrawlWeb();
    const pipeline = pipelineFor();
    const store = await pipeline.store();
    const c = client(pipeline);
    const running = children();
    const first = worker(pipeline, running);
    await first.waitForStderr(/working on/);

    const ids = await enqueueCrawls(c.queues.crawl, await loadSourcesFile(web.configPath), newRunId());
    await activeCrawl(c, [first]);
    await sleep(1_000);
    first.process.kill('SIGTERM');
    expect(await first.exited, first.stderr()).toBe(0);
    expect(first.stderr()).toMatch(/SIGTERM: finishing the jobs in hand[\s\S]*stopped/);
    // Nothing is left active or failed: the crawls are back on the queue.
    expect(await c.queues.crawl.getActiveCount()).toBe(0);
    expect(await c.queues.normalize.getActiveCount()).toBe(0);
    expect(await c.queues.crawl.getWaitingCount()).toBeGreaterThan(0);

    const second = worker(pipeline, running);
    await second.waitForStderr(/working on/);
    await waitUntilDrained(c.queues, ids);
    for (const id of ids) expect(await (await c.queues.crawl.getJob(id))?.getState()).toBe('completed');
    await expectNoFailedJobs(c);
    await expectEveryArticleOnce(store, web);
  }, 90_000);
});

describe('Redis restarted during a run', () => {
  it('the run reconnects, carries on and publishes everything once', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const web = await slowCrawlWeb();
    const pipeline = pipelineFor({ REDIS_URL: redis.url, FINFAQ_LOCK_MS: '', FINFAQ_STALLED_MS: '' });
    const store = await pipeline.store();
    const running = children();
    const run = finfaq(['run', '--config', web.configPath, '--json', '--concurrency', '1'], pipeline.env);
    running.push(run);
    await run.waitForStderr(/crawling 3 sources/);
    await sleep(1_500);
    await redis.restart(1_000);

    expect(await run.exited, run.stderr()).toBe(0);
    const summary = JSON.parse(run.stdout()) as RunSummary;
    expect(summary.failures).toEqual([]);
    expect(summary.published.created).toBe(web.expected.length);
    await expectEveryArticleOnce(store, web);
  }, 90_000);
});

describe('no Redis at start', () => {
  it('exits 1 with one line saying how to get one', async () => {
    const port = await freePort();
    const env = { ...process.env, REDIS_URL: `redis://127.0.0.1:${port}` };
    const web = await startTestWeb({ brokenPages: false });
    cleanups.push(() => web.close());
    const commands = [
      ['worker'],
      ['run', '--config', web.configPath],
      ['crawl', '--config', web.configPath, '--once'],
    ];
    const running = children();
    const results = await Promise.all(
      commands.map(async (args) => {
        const child = finfaq(args, env);
        running.push(child);
        return { args, code: await child.exited, stderr: child.stderr() };
      }),
    );
    for (const { args, code, stderr } of results) {
      expect(code, args.join(' ')).toBe(1);
      const lines = stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(
        /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ .*docker compose up -d redis.*redis-server/,
      );
    }
  }, 30_000);
});
