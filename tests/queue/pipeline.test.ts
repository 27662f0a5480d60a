/**
 * End to end, against the machine's Redis and PostgreSQL and the fixture web: `finfaq run` crawls
 * the three farms, normalizes and publishes through the queues; every article is stored once,
 * copies of one article on two sites (Simplified and Traditional) are marked as duplicates, a
 * consumer paging the feed while publishing goes on sees every record exactly once, a second run
 * over the unchanged sites adds nothing, and `finfaq feed` prints what the store holds. The
 * sources file asks for Taiwan script: each record is stored once, in Simplified, and converted
 * when read. Every Redis key the run leaves is BullMQ's or one of `keys.ts`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Store, toFeedItem } from '../../src/publish/index.js';
import { QUEUE_NAMES } from '../../src/queue/jobs.js';
import { pipelinePattern, redisKeys } from '../../src/queue/keys.js';
import type { RunSummary } from '../../src/queue/runs.js';
import { escapeHtml } from '../support/html-templates.js';
import {
  finfaq,
  isolatedPipeline,
  type Pipeline,
  recordsByUrl,
  startTestWeb,
  type TestWeb,
} from './helpers.js';

let web: TestWeb;
let pipeline: Pipeline;
let store: Store;

beforeAll(async () => {
  web = await startTestWeb({ articlesPerSite: 12 });
  const config = JSON.parse(await readFile(web.configPath, 'utf8')) as Record<string, unknown>;
  await writeFile(web.configPath, JSON.stringify({ ...config, output: { script: 'tw' } }));
  pipeline = isolatedPipeline();
  store = await pipeline.store();
});

afterAll(async () => {
  await pipeline?.cleanup();
  await web?.close();
});

/** Whether `key` is BullMQ's (`<prefix>:<queue>:…`) or has one of the shapes of `keys.ts`. */
function knownKey(prefix: string, key: string): boolean {
  if (QUEUE_NAMES.some((queue) => key.startsWith(`${prefix}:${queue}:`))) return true;
  const any = '\u0000';
  const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const shapes = [
    redisKeys.crawlState(prefix, any),
    redisKeys.crawlLock(prefix, any),
    redisKeys.sourceCrawls(prefix),
    redisKeys.profileSamples(prefix, any),
    redisKeys.profileOrder(prefix, any),
    redisKeys.profilePages(prefix, any),
    redisKeys.profileSources(prefix),
    redisKeys.run(prefix, any, 'crawl'),
    redisKeys.run(prefix, any, 'handed'),
    redisKeys.run(prefix, any, 'publish'),
    redisKeys.run(prefix, any, 'marker'),
  ].map((shape) => new RegExp(`^${literal(shape).split(any).join('.+')}$`));
  return shapes.some((shape) => shape.test(key));
}

/** Pages the feed from `after` to its head; returns the ids seen and the new cursor. */
async function readFeed(after: number, limit = 7): Promise<{ ids: string[]; next: number }> {
  const ids: string[] = [];
  let cursor = after;
  for (;;) {
    const page = await store.listFeed(cursor, limit);
    ids.push(...page.items.map((item) => item.id));
    cursor = page.next;
    if (page.items.length < limit) return { ids, next: cursor };
  }
}

describe('finfaq run', () => {
  it('publishes every article once, marks duplicates across sites, and a second run adds no versions', async () => {
    // A consumer that keeps paging with its cursor while the run publishes.
    const seen: string[] = [];
    let cursor = 0;
    let running = true;
    const consumer = (async () => {
      while (running) {
        const page = await readFeed(cursor);
        seen.push(...page.ids);
        cursor = page.next;
        await sleep(30);
      }
    })();

    const first = finfaq(['run', '--config', web.configPath, '--json'], pipeline.env);
    expect(await first.exited, first.stderr()).toBe(0);
    running = false;
    await consumer;
    seen.push(...(await readFeed(cursor)).ids);

    const summary = JSON.parse(first.stdout()) as RunSummary;
    const urls = web.expected.map((t) => t.url).sort();
    const records = await recordsByUrl(store, urls);
    expect([...records.keys()].sort()).toEqual(urls);
    for (const record of records.values()) {
      expect(record.version).toBe(1);
      // Stored once, in Simplified; read in the configured script.
      expect([record.script, record.feed_script]).toEqual(['hans', 'tw']);
    }
    expect(summary.failures).toEqual([]);
    expect(summary.published).toEqual({ created: urls.length, updated: 0, unchanged: 0 });
    expect(summary.records).toBe(urls.length);
    expect(summary.repairs.punctuation ?? 0).toBeGreaterThan(0);
    // Each version keeps the page as the normalizer decoded it (GBK and Big5 included).
    for (const article of web.expected) {
      const record = records.get(article.url);
      const raw = record ? await store.getRaw(record.id, record.version) : null;
      expect(raw?.text, article.url).toContain(escapeHtml(article.title));
    }

    // gbk-farm and big5-portal serve the same articles (Simplified, Traditional): one of each pair
    // points at the other, and nothing else is a duplicate.
    const bySeed = new Map<number, string[]>();
    for (const t of web.expected)
      if (t.site !== 'ruby-blog') bySeed.set(t.seed, [...(bySeed.get(t.seed) ?? []), t.url]);
    const pairs = [...bySeed.values()].filter((p) => p.length === 2);
    expect(pairs.length).toBeGreaterThanOrEqual(6);
    const paired = new Set(pairs.flat());
    for (const [a, b] of pairs) {
      const ra = records.get(a as string);
      const rb = records.get(b as string);
      expect([ra?.duplicate_of === rb?.id, rb?.duplicate_of === ra?.id].filter(Boolean)).toHaveLength(1);
    }
    for (const [url, record] of records) if (!paired.has(url)) expect(record.duplicate_of).toBeNull();
    expect(summary.duplicates).toBe(pairs.length);

    // The consumer saw each canonical record exactly once.
    const canonical = [...records.values()].filter((r) => r.duplicate_of === null).map((r) => r.id);
    expect([...seen].sort()).toEqual(canonical.sort());

    // A second run over the unchanged sites: nothing handed on, nothing written.
    const before = await store.stats();
    const second = finfaq(['run', '--config', web.configPath, '--json'], pipeline.env);
    expect(await second.exited, second.stderr()).toBe(0);
    const again = JSON.parse(second.stdout()) as RunSummary;
    expect(again.records).toBe(0);
    expect(again.unchanged).toBe(urls.length);
    expect(again.published).toEqual({ created: 0, updated: 0, unchanged: 0 });
    const after = await store.stats();
    expect(after.versions).toBe(before.versions);
    expect(after.head).toBe(before.head);

    // `finfaq feed` prints the canonical records; from the last cursor on, nothing.
    const feed = finfaq(['feed'], pipeline.env);
    expect(await feed.exited, feed.stderr()).toBe(0);
    const items = feed
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; cursor: string });
    expect(items.map((i) => i.id).sort()).toEqual(canonical.sort());
    // In the configured script, converted from the stored Simplified text.
    const byId = new Map([...records.values()].map((r) => [r.id, r]));
    for (const item of items as unknown as ReturnType<typeof toFeedItem>[]) {
      expect(item.script).toBe('tw');
      const stored = byId.get(item.id);
      if (stored) expect(item.paragraphs).toEqual(toFeedItem(stored, 'tw').paragraphs);
    }
    expect(items.some((i) => /[這個們會說]/.test(JSON.stringify(i)))).toBe(true);

    // Every key the runs left is BullMQ's or one of keys.ts's.
    const redis = new Redis(String(pipeline.env.REDIS_URL));
    try {
      const keys = await redis.keys(pipelinePattern(pipeline.prefix));
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((key) => !knownKey(pipeline.prefix, key))).toEqual([]);
    } finally {
      redis.disconnect();
    }
    const rest = finfaq(['feed', '--after', (items.at(-1) as { cursor: string }).cursor], pipeline.env);
    expect(await rest.exited).toBe(0);
    expect(rest.stdout()).toBe('');
  }, 150_000);
});
