/**
 * The queue side of the dashboard (`src/queue/admin.ts`) against a real Redis: each source's last
 * crawl as the crawl worker records it (failed, skipped, completed), whether a crawl runs now, its
 * scheduler; an immediate crawl from the scheduler's template; failed jobs listed across the
 * queues and retried.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Job, Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSourcesFile, parseSourcesConfig } from '../../src/config/sources.js';
import {
  crawlLockKey,
  crawlSourceNow,
  failedJobs,
  JobNotFailedError,
  JobNotFoundError,
  retryFailedJob,
  sourceActivity,
  UnknownSourceError,
} from '../../src/queue/admin.js';
import { queueSettings } from '../../src/queue/connection.js';
import { startCrawlWorker } from '../../src/queue/crawl-worker.js';
import {
  type CrawlJob,
  crawlJobId,
  JOB_NAMES,
  type PublishJob,
  type QueueName,
} from '../../src/queue/jobs.js';
import { connectQueues, type QueueClient } from '../../src/queue/queues.js';
import { enqueueCrawls, newRunId, scheduleCrawls } from '../../src/queue/schedule.js';
import { freePort, isolatedPipeline, QUICK_CRAWL, startTestWeb } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

function pipelineClient(): { client: QueueClient; prefix: string } {
  const pipeline = isolatedPipeline();
  cleanups.push(() => pipeline.cleanup());
  const client = connectQueues(queueSettings(pipeline.env));
  cleanups.push(() => client.close());
  return { client, prefix: pipeline.prefix };
}

function crawlWorker(client: QueueClient): Worker {
  const worker = startCrawlWorker(client.redis, client.queues, client.settings, {
    concurrency: 1,
    name: 'admin-test',
  });
  cleanups.push(() => worker.close());
  return worker;
}

async function stateOf(client: QueueClient, queue: QueueName, id: string): Promise<string> {
  const job = await client.queues[queue].getJob(id);
  return job ? job.getState() : 'missing';
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A source on a closed port of 127.0.0.1: nothing can be fetched. */
async function goneSource(name = 'gone'): Promise<CrawlJob> {
  const port = await freePort();
  const config = parseSourcesConfig({
    crawl: { allow_private_networks: true, ...QUICK_CRAWL },
    sources: [{ name, start_urls: [`http://127.0.0.1:${port}/list/1.html`], articles: ['/a/**'] }],
  });
  return { source: config.sources[0] as CrawlJob['source'], settings: config.crawl, script: 'hans' };
}

describe('a crawl that fails', () => {
  it('is listed with its reason and subject, is the last crawl of its source, and can be retried', async () => {
    const { client, prefix } = pipelineClient();
    const worker = crawlWorker(client);
    const id = crawlJobId('gone', 'admin-test');
    await client.queues.crawl.add(JOB_NAMES.crawl, await goneSource(), { jobId: id, attempts: 1 });
    await until('the crawl to fail', async () => (await stateOf(client, 'crawl', id)) === 'failed');

    const failed = await failedJobs(client.queues, { limit: 10, offset: 0 });
    expect(failed.total).toBe(1);
    expect(failed.jobs).toEqual([
      {
        queue: 'crawl',
        id,
        name: 'crawl',
        reason: expect.stringMatching(/^gone: nothing could be crawled \(.*connection refused/),
        attempts: 1,
        failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        subject: 'gone',
        stacktrace: [expect.stringContaining('nothing could be crawled')],
      },
    ]);
    expect(await failedJobs(client.queues, { queue: 'normalize', limit: 10, offset: 0 })).toEqual({
      total: 0,
      jobs: [],
    });

    const [activity, ...others] = await sourceActivity(client.redis, client.queues, prefix);
    expect(others).toEqual([]);
    expect(activity).toMatchObject({
      source: 'gone',
      schedule: null,
      crawling: false,
      lastCrawl: { ok: false, jobId: id, reason: failed.jobs[0]?.reason, summary: { pages: 0 } },
    });
    expect(Date.parse(activity?.lastCrawl?.at ?? '')).toBeGreaterThan(Date.now() - 60_000);

    await worker.close(); // so that the retried job stays waiting
    await retryFailedJob(client.queues, 'crawl', id);
    expect(await stateOf(client, 'crawl', id)).toBe('waiting');
    const retried = await client.queues.crawl.getJob(id);
    expect(retried?.attemptsMade).toBe(0);
    expect((await failedJobs(client.queues, { limit: 10, offset: 0 })).total).toBe(0);

    await expect(retryFailedJob(client.queues, 'crawl', id)).rejects.toBeInstanceOf(JobNotFailedError);
    await expect(retryFailedJob(client.queues, 'crawl', 'crawl-nope')).rejects.toBeInstanceOf(
      JobNotFoundError,
    );
    await expect(retryFailedJob(client.queues, 'publish', id)).rejects.toBeInstanceOf(JobNotFoundError);
  }, 60_000);

  it('is recorded only once it has no attempt left', async () => {
    const { client, prefix } = pipelineClient();
    crawlWorker(client);
    const id = crawlJobId('gone', 'two-attempts');
    await client.queues.crawl.add(JOB_NAMES.crawl, await goneSource(), {
      jobId: id,
      attempts: 2,
      backoff: { type: 'fixed', delay: 1_500 },
    });
    await until('the first attempt to fail', async () => (await stateOf(client, 'crawl', id)) === 'delayed');
    expect((await sourceActivity(client.redis, client.queues, prefix))[0]?.lastCrawl ?? null).toBeNull();
    await until('the last attempt to fail', async () => (await stateOf(client, 'crawl', id)) === 'failed');
    const [activity] = await sourceActivity(client.redis, client.queues, prefix);
    expect(activity?.lastCrawl).toMatchObject({ ok: false, jobId: id });
    expect((await client.queues.crawl.getJob(id))?.attemptsMade).toBe(2);
  }, 60_000);
});

describe('a crawl failed without running', () => {
  it("is recorded from the worker's failed event (a job stalled too often)", async () => {
    const { client, prefix } = pipelineClient();
    const id = crawlJobId('gone', 'stalled');
    await client.queues.crawl.add(JOB_NAMES.crawl, await goneSource(), { jobId: id });
    // What BullMQ's stalled-job check leaves on a job that stalled more than `maxStalledCount`
    // times (its `defa` field): the next worker to take it fails it without running it.
    await client.redis.hset(client.queues.crawl.toKey(id), 'defa', 'job stalled more than allowable limit');
    crawlWorker(client);
    await until('the job to fail', async () => (await stateOf(client, 'crawl', id)) === 'failed');
    await until('the failure to be recorded', async () =>
      (await sourceActivity(client.redis, client.queues, prefix)).some((s) => s.lastCrawl !== null),
    );
    const [activity] = await sourceActivity(client.redis, client.queues, prefix);
    expect(activity?.lastCrawl).toMatchObject({
      ok: false,
      jobId: id,
      reason: 'job stalled more than allowable limit',
    });
    expect(activity?.lastCrawl?.summary).toBeUndefined();
  }, 30_000);
});

describe('a crawl skipped because another one runs', () => {
  it('is recorded as done, with the reason, and the source shows as crawling', async () => {
    const { client, prefix } = pipelineClient();
    await client.redis.set(crawlLockKey(prefix, 'gone'), 'someone-else', 'PX', 60_000);
    crawlWorker(client);
    const id = crawlJobId('gone', 'skipped');
    await client.queues.crawl.add(JOB_NAMES.crawl, await goneSource(), { jobId: id });
    await until('the crawl to complete', async () => (await stateOf(client, 'crawl', id)) === 'completed');
    const [activity] = await sourceActivity(client.redis, client.queues, prefix);
    expect(activity).toMatchObject({
      source: 'gone',
      crawling: true,
      lastCrawl: { ok: true, jobId: id, reason: 'another crawl of this source is running' },
    });
    expect(activity?.lastCrawl?.summary).toBeUndefined();
  }, 30_000);
});

describe('a crawl that succeeds', () => {
  it('shows as crawling while it runs, then as the last crawl with its summary', async () => {
    const web = await startTestWeb({ articlesPerSite: 8, brokenPages: false }, { per_minute: 300 });
    cleanups.push(() => web.close());
    const { client, prefix } = pipelineClient();
    const config = await loadSourcesFile(web.configPath);
    await scheduleCrawls(client.queues.crawl, config);
    crawlWorker(client);
    const [id] = await enqueueCrawls(client.queues.crawl, config, newRunId(), ['gbk-farm']);
    await until('the crawl to run', async () =>
      (await sourceActivity(client.redis, client.queues, prefix)).some(
        (s) => s.source === 'gbk-farm' && s.crawling,
      ),
    );
    await until(
      'the crawl to complete',
      async () => (await stateOf(client, 'crawl', id as string)) === 'completed',
      60_000,
    );
    const activity = await sourceActivity(client.redis, client.queues, prefix);
    expect(activity.map((s) => s.source)).toEqual(['big5-portal', 'gbk-farm', 'ruby-blog']);
    const gbk = activity.find((s) => s.source === 'gbk-farm');
    expect(gbk).toMatchObject({
      crawling: false,
      schedule: { pattern: '0 */6 * * *', tz: 'Asia/Shanghai' },
      lastCrawl: { ok: true, jobId: id, summary: { source: 'gbk-farm', aborted: false } },
    });
    expect(gbk?.lastCrawl?.summary?.pages).toBeGreaterThan(0);
    expect(gbk?.lastCrawl?.summary?.records).toBeGreaterThan(0);
    expect(gbk?.lastCrawl?.reason).toBeUndefined();
    expect(activity.find((s) => s.source === 'ruby-blog')?.lastCrawl).toBeNull();
  }, 90_000);
});

describe('crawlSourceNow', () => {
  it("adds a crawl carrying the scheduled source's settings; an unknown source is refused", async () => {
    const { client, prefix } = pipelineClient();
    const config = parseSourcesConfig({
      output: { script: 'tw' },
      crawl: { allow_private_networks: true, ...QUICK_CRAWL },
      sources: [
        {
          name: 'farm',
          start_urls: ['http://127.0.0.1:9/list/1.html'],
          articles: ['/a/**'],
          schedule: '15 3 * * *',
          tz: 'Asia/Taipei',
          per_minute: 12,
        },
      ],
    });
    await scheduleCrawls(client.queues.crawl, config);

    const [activity] = await sourceActivity(client.redis, client.queues, prefix);
    expect(activity).toMatchObject({
      source: 'farm',
      schedule: { pattern: '15 3 * * *', tz: 'Asia/Taipei' },
      lastCrawl: null,
      crawling: false,
    });
    expect(activity?.schedule?.next).toBeGreaterThan(Date.now());

    const { jobId } = await crawlSourceNow(client.queues, 'farm');
    expect(jobId).toMatch(/^crawl-[0-9a-f]{32}$/);
    const job = (await client.queues.crawl.getJob(jobId)) as Job<CrawlJob>;
    expect(await job.getState()).toBe('waiting');
    expect(job.name).toBe('crawl');
    expect(job.data).toEqual({ source: config.sources[0], settings: config.crawl, script: 'tw' });
    expect(job.opts.attempts).toBe(3);
    const again = await crawlSourceNow(client.queues, 'farm');
    expect(again.jobId).not.toBe(jobId);

    await expect(crawlSourceNow(client.queues, 'nope')).rejects.toBeInstanceOf(UnknownSourceError);
  }, 30_000);
});

describe('failedJobs', () => {
  it('merges the queues newest failure first, pages with offset and limit, and names what each job was about', async () => {
    const { client } = pipelineClient();
    const boom = (queue: QueueName) => {
      const worker = new Worker(
        queue,
        async (job: Job) => {
          throw new Error(`boom ${job.id}`);
        },
        { connection: client.redis, prefix: client.settings.prefix },
      );
      cleanups.push(() => worker.close());
    };
    boom('normalize');
    boom('publish');
    const raw = (n: number) => ({
      url: `http://example.test/a/${n}.html`,
      body_base64: '',
      fetched_at: new Date().toISOString(),
      source: 'example',
    });
    const order: string[] = [];
    for (let n = 1; n <= 3; n++) {
      const id = `normalize-${n}`;
      await client.queues.normalize.add('normalize', { raw: raw(n), to: 'hans' }, { jobId: id, attempts: 1 });
      await until(id, async () => (await stateOf(client, 'normalize', id)) === 'failed');
      order.unshift(id);
      await sleep(5); // distinct failure times
      if (n === 2) {
        const data = { record: { url: 'http://example.test/a/9.html' } } as unknown as PublishJob;
        await client.queues.publish.add('publish', data, { jobId: 'publish-1', attempts: 1 });
        await until('publish-1', async () => (await stateOf(client, 'publish', 'publish-1')) === 'failed');
        order.unshift('publish-1');
        await sleep(5);
      }
    }

    const all = await failedJobs(client.queues, { limit: 10, offset: 0 });
    expect(all.total).toBe(4);
    expect(all.jobs.map((j) => j.id)).toEqual(order);
    expect(all.jobs.map((j) => j.subject)).toEqual([
      'http://example.test/a/3.html',
      'http://example.test/a/9.html',
      'http://example.test/a/2.html',
      'http://example.test/a/1.html',
    ]);
    expect(all.jobs[1]).toMatchObject({ queue: 'publish', reason: 'boom publish-1', attempts: 1 });

    const page = await failedJobs(client.queues, { limit: 2, offset: 1 });
    expect(page).toMatchObject({ total: 4 });
    expect(page.jobs.map((j) => j.id)).toEqual(order.slice(1, 3));

    const normalize = await failedJobs(client.queues, { queue: 'normalize', limit: 1, offset: 1 });
    expect(normalize.total).toBe(3);
    expect(normalize.jobs.map((j) => j.id)).toEqual(['normalize-2']);
  }, 30_000);
});
