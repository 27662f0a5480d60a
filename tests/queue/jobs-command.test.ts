/**
 * `finfaq jobs failed` and `finfaq jobs retry` as an operator runs them (the built CLI in dist/),
 * against failed jobs of a real Redis under the test's own prefix; and the one line they print
 * when Redis cannot be reached.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Job, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueSettings } from '../../src/queue/connection.js';
import type { CrawlJob, PublishJob, QueueName } from '../../src/queue/jobs.js';
import { connectQueues, type QueueClient } from '../../src/queue/queues.js';
import { finfaq, freePort, isolatedPipeline, type Pipeline } from './helpers.js';

let pipeline: Pipeline;
let client: QueueClient;

async function stateOf(queue: QueueName, id: string): Promise<string> {
  const job = await client.queues[queue].getJob(id);
  return job ? job.getState() : 'missing';
}

async function untilState(queue: QueueName, id: string, state: string): Promise<void> {
  for (let i = 0; (await stateOf(queue, id)) !== state; i++) {
    if (i > 400) throw new Error(`${queue} ${id} never became ${state}`);
    await sleep(50);
  }
}

async function run(args: string[], env = pipeline.env) {
  const child = finfaq(args, env);
  const code = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

beforeAll(async () => {
  pipeline = isolatedPipeline();
  client = connectQueues(queueSettings(pipeline.env));
  // Workers that fail every job at once, to fill the failed sets.
  const workers = (['crawl', 'normalize', 'publish'] as const).map(
    (queue) =>
      new Worker(
        queue,
        async (job: Job) => {
          throw new Error(`boom\n${job.id}`);
        },
        { connection: client.redis, prefix: pipeline.prefix },
      ),
  );
  const crawl = { source: { name: 'gbk-farm' } } as unknown as CrawlJob;
  await client.queues.crawl.add('crawl', crawl, { jobId: 'crawl-1', attempts: 1 });
  await untilState('crawl', 'crawl-1', 'failed');
  for (const n of [1, 2]) {
    const raw = { url: `http://example.test/a/${n}.html`, body_base64: '', fetched_at: '', source: 'x' };
    await client.queues.normalize.add(
      'normalize',
      { raw, to: 'hans' },
      { jobId: `normalize-${n}`, attempts: 1 },
    );
    await untilState('normalize', `normalize-${n}`, 'failed');
  }
  const record = { record: { url: 'http://example.test/a/3.html' } } as unknown as PublishJob;
  await client.queues.publish.add('publish', record, { jobId: 'publish-1', attempts: 1 });
  await untilState('publish', 'publish-1', 'failed');
  await Promise.all(workers.map((w) => w.close()));
}, 30_000);

afterAll(async () => {
  await client?.close();
  await pipeline?.cleanup();
});

describe('finfaq jobs', () => {
  it('lists failed jobs one line each, retries one, then all of a queue, then all', async () => {
    const all = await run(['jobs', 'failed']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.trim().split('\n')).toEqual([
      'publish\tpublish-1\thttp://example.test/a/3.html\tboom publish-1',
      'normalize\tnormalize-2\thttp://example.test/a/2.html\tboom normalize-2',
      'normalize\tnormalize-1\thttp://example.test/a/1.html\tboom normalize-1',
      'crawl\tcrawl-1\tgbk-farm\tboom crawl-1',
    ]);
    expect(all.stderr).toMatch(/4 failed jobs in crawl, normalize, publish/);

    const one = await run(['jobs', 'failed', '--queue', 'normalize', '--limit', '1']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toBe('normalize\tnormalize-2\thttp://example.test/a/2.html\tboom normalize-2\n');
    expect(one.stderr).toMatch(/2 failed jobs in the normalize queue \(the 1 newest listed\)/);

    const retried = await run(['jobs', 'retry', 'normalize', 'normalize-1']);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stderr).toMatch(/normalize normalize-1: back to waiting/);
    expect(await stateOf('normalize', 'normalize-1')).toBe('waiting');

    const again = await run(['jobs', 'retry', 'normalize', 'normalize-1']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /^finfaq jobs: job normalize-1 in the normalize queue is waiting, not failed\n$/,
    );
    const missing = await run(['jobs', 'retry', 'crawl', 'crawl-nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no job crawl-nope in the crawl queue/);
    const badQueue = await run(['jobs', 'retry', 'index', 'x']);
    expect(badQueue.code).not.toBe(0);
    expect(badQueue.stderr).toMatch(/expected one of crawl, normalize, publish/);
    const neither = await run(['jobs', 'retry']);
    expect(neither.code).toBe(2);
    const both = await run(['jobs', 'retry', 'crawl', 'crawl-1', '--all']);
    expect(both.code).toBe(2);

    const publish = await run(['jobs', 'retry', '--all', '--queue', 'publish']);
    expect(publish.code, publish.stderr).toBe(0);
    expect(publish.stderr).toMatch(/back to waiting: publish 1\n/);
    expect(await stateOf('publish', 'publish-1')).toBe('waiting');
    expect(await stateOf('crawl', 'crawl-1')).toBe('failed');

    const rest = await run(['jobs', 'retry', '--all']);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stderr).toMatch(/back to waiting: crawl 1, normalize 1, publish 0/);
    expect(await stateOf('crawl', 'crawl-1')).toBe('waiting');
    expect(await stateOf('normalize', 'normalize-2')).toBe('waiting');

    const none = await run(['jobs', 'failed']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/0 failed jobs/);
  }, 60_000);

  it('says in one line that Redis cannot be reached, and exits 1', async () => {
    const env = { ...pipeline.env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` };
    const commands = [
      ['jobs', 'failed'],
      ['jobs', 'retry', 'crawl', 'crawl-1'],
      ['jobs', 'retry', '--all'],
    ];
    const results = await Promise.all(commands.map((args) => run(args, env)));
    for (const [i, args] of commands.entries()) {
      const result = results[i] as Awaited<ReturnType<typeof run>>;
      expect(result.code, args.join(' ')).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^finfaq jobs: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ .*docker compose up -d redis/,
      );
    }
  }, 30_000);
});
