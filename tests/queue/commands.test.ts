/**
 * The other queue commands as a user runs them: `crawl` (schedulers from the sources file, or one
 * job per source with `--once`), `up` (schedules, crawls what was never crawled, works, serves,
 * stops on SIGTERM) and `serve` (the feed with queue depths on /metrics).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueSettings } from '../../src/queue/connection.js';
import { connectQueues, type QueueClient } from '../../src/queue/queues.js';
import {
  finfaq,
  isolatedPipeline,
  type Pipeline,
  QUICK_CRAWL,
  recordsByUrl,
  startTestWeb,
  stopAll,
  type TestWeb,
} from './helpers.js';

let web: TestWeb;
beforeAll(async () => {
  web = await startTestWeb({ articlesPerSite: 8, brokenPages: false });
});
afterAll(async () => {
  await web?.close();
});

async function withPipeline(body: (pipeline: Pipeline, client: QueueClient) => Promise<void>): Promise<void> {
  const pipeline = isolatedPipeline();
  const client = connectQueues(queueSettings(pipeline.env));
  try {
    await body(pipeline, client);
  } finally {
    await client.close();
    await pipeline.cleanup();
  }
}

async function writeConfig(name: string, config: Record<string, unknown>): Promise<string> {
  const path = join(web.configPath, '..', name);
  await writeFile(path, JSON.stringify(config));
  return path;
}

describe('finfaq crawl (queue)', () => {
  it('upserts one scheduler per source from the sources file, and --once queues one crawl each', async () => {
    await withPipeline(async (pipeline, client) => {
      const custom = await writeConfig(
        'scheduled.json',
        web.web.sourcesConfig({
          crawl: QUICK_CRAWL,
          perSite: { 'ruby-blog': { schedule: '30 2 * * 1', tz: 'Asia/Taipei' } },
        }),
      );
      const scheduled = finfaq(['crawl', '--config', custom], pipeline.env);
      expect(await scheduled.exited, scheduled.stderr()).toBe(0);
      const schedulers = await client.queues.crawl.getJobSchedulers(0, -1);
      const byId = new Map(schedulers.map((s) => [s.id ?? s.key, s]));
      expect([...byId.keys()].sort()).toEqual(['crawl-big5-portal', 'crawl-gbk-farm', 'crawl-ruby-blog']);
      expect(byId.get('crawl-gbk-farm')).toMatchObject({ pattern: '0 */6 * * *', tz: 'Asia/Shanghai' });
      expect(byId.get('crawl-ruby-blog')).toMatchObject({ pattern: '30 2 * * 1', tz: 'Asia/Taipei' });
      expect(byId.get('crawl-gbk-farm')?.template?.data).toMatchObject({
        source: { name: 'gbk-farm' },
        script: 'hans',
      });
      expect(scheduled.stderr()).toMatch(/ruby-blog: crawls on "30 2 \* \* 1" \(Asia\/Taipei\), next at /);

      // A source dropped from the file loses its scheduler.
      const fewer = await writeConfig(
        'fewer.json',
        web.web.sourcesConfig({ crawl: QUICK_CRAWL, sites: ['gbk-farm'] }),
      );
      const again = finfaq(['crawl', '--config', fewer], pipeline.env);
      expect(await again.exited, again.stderr()).toBe(0);
      expect((await client.queues.crawl.getJobSchedulers(0, -1)).map((s) => s.id ?? s.key)).toEqual([
        'crawl-gbk-farm',
      ]);

      const once = finfaq(['crawl', '--config', web.configPath, '--once'], pipeline.env);
      expect(await once.exited, once.stderr()).toBe(0);
      const waiting = await client.queues.crawl.getWaiting();
      expect(waiting.map((j) => j.data.source.name).sort()).toEqual(['big5-portal', 'gbk-farm', 'ruby-blog']);
      for (const job of waiting) expect(job.id).toMatch(/^crawl-[0-9a-f]{32}$/);
    });
  }, 60_000);
});

describe('finfaq up and finfaq serve', () => {
  it('schedules, crawls the sources never crawled, publishes, serves the feed with queue depths, stops on SIGTERM', async () => {
    await withPipeline(async (pipeline, client) => {
      const store = await pipeline.store();
      const up = finfaq(
        ['up', '--config', web.configPath, '--port', '0', '--concurrency', '1'],
        pipeline.env,
      );
      try {
        await up.waitForStderr(/feed at http:\/\/127\.0\.0\.1:\d+\/v1\/records/, 30_000);
        expect(up.stderr()).toMatch(/crawling now: gbk-farm, big5-portal, ruby-blog/);
        const port = Number(/feed at http:\/\/127\.0\.0\.1:(\d+)/.exec(up.stderr())?.[1]);
        const urls = web.expected.map((t) => t.url);
        for (let i = 0; (await recordsByUrl(store, urls)).size < urls.length; i++) {
          expect(i, up.stderr()).toBeLessThan(300);
          await sleep(200);
        }
        const feed = (await (await fetch(`http://127.0.0.1:${port}/v1/records?limit=1000`)).json()) as {
          items: { id: string; duplicate_of: string | null }[];
        };
        const canonical = [...(await recordsByUrl(store, urls)).values()].filter(
          (r) => r.duplicate_of === null,
        );
        expect(feed.items.map((i) => i.id).sort()).toEqual(canonical.map((r) => r.id).sort());
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(metrics).toMatch(/finfaq_queue_jobs\{queue="publish",state="completed"\} [1-9]/);
        expect((await client.queues.crawl.getJobSchedulers(0, -1)).length).toBe(3);

        up.process.kill('SIGTERM');
        expect(await up.exited, up.stderr()).toBe(0);
        expect(up.stderr()).toMatch(/SIGTERM: stopping[\s\S]*stopped/);
      } finally {
        await stopAll([up]);
      }

      const serve = finfaq(['serve', '--port', '0'], pipeline.env);
      try {
        await serve.waitForStderr(/feed at http:\/\/127\.0\.0\.1:\d+/);
        const port = Number(/feed at http:\/\/127\.0\.0\.1:(\d+)/.exec(serve.stderr())?.[1]);
        const page = (await (await fetch(`http://127.0.0.1:${port}/v1/records?limit=2`)).json()) as {
          items: unknown[];
          next: string;
        };
        expect(page.items).toHaveLength(2);
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(metrics).toMatch(/finfaq_queue_jobs\{queue="normalize",state="completed"\} [1-9]/);
        // The dashboard, with the three sources and their queue state (Redis answers).
        const dashboard = await fetch(`http://127.0.0.1:${port}/`);
        expect(dashboard.headers.get('content-type')).toMatch(/^text\/html/);
        const html = await dashboard.text();
        for (const site of ['gbk-farm', 'big5-portal', 'ruby-blog'])
          expect(html).toContain(`data-source="${site}"`);
        expect(html).not.toContain('Queues unavailable');
        serve.process.kill('SIGINT');
        expect(await serve.exited, serve.stderr()).toBe(0);
      } finally {
        await stopAll([serve]);
      }
    });
  }, 90_000);
});
