/**
 * The queue's sample store in real Redis: it keeps the same samples as the in-memory store of
 * `finfaq normalize` whatever the order and concurrency of the pages, counts every page, and sends
 * a page's draft to Redis only when the page ranks among the samples (Redis `MONITOR` shows every
 * `HSET` of the test's own keys). Pages are drafts of generated articles.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byRank, MemorySampleStore, type Sample } from '../../src/normalize/deleted-words/samples.js';
import { draftDocument } from '../../src/normalize/pipeline.js';
import { redisKeys } from '../../src/queue/keys.js';
import { RedisSampleStore } from '../../src/queue/profiles.js';
import { generateArticle } from '../support/article-generator.js';
import { dropPrefix, REDIS_URL } from './helpers.js';

const prefix = `test-samples-${process.pid}-${Date.now().toString(36)}`;
const SIZE = 6;
const SOURCE = 'samples.example';
let redis: Redis;

/** Sixty pages of one source, in a shuffled order. */
const pages: Sample[] = Array.from({ length: 60 }, (_, i) => {
  const article = generateArticle(500 + i);
  return {
    ...draftDocument({
      url: `https://${SOURCE}/article/${(i * 37) % 60}.html`,
      text: [article.title, ...article.paragraphs].join('\n'),
    }),
    source: SOURCE,
  };
});

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});

afterAll(async () => {
  redis?.disconnect();
  await dropPrefix(REDIS_URL, prefix);
});

describe('RedisSampleStore', () => {
  it('keeps what the memory store keeps, counts every page, and writes only drafts it keeps', async () => {
    const store = new RedisSampleStore(redis, prefix, SIZE);
    const memory = new MemorySampleStore(SIZE);
    const written: string[] = [];
    const monitor = await redis.monitor();
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'hset' && args[1] === redisKeys.profileSamples(prefix, SOURCE))
        written.push(args[2] as string);
    });
    try {
      // The first pages one at a time, then the rest eight at once (as several workers would).
      for (const page of pages.slice(0, SIZE)) await store.keep(page);
      for (let i = SIZE; i < pages.length; i += 8)
        await Promise.all(pages.slice(i, i + 8).map((page) => store.keep(page)));
      for (const page of pages) await memory.keep(page);
      await new Promise((resolve) => setTimeout(resolve, 200)); // MONITOR's last lines
    } finally {
      monitor.disconnect();
    }

    const kept = (await store.samples(SOURCE)).map((s) => s.id);
    expect(kept).toEqual((await memory.samples(SOURCE)).map((s) => s.id));
    expect(kept).toEqual(
      [...pages]
        .sort(byRank)
        .slice(0, SIZE)
        .map((s) => s.id),
    );
    expect(await redis.get(redisKeys.profilePages(prefix, SOURCE))).toBe(String(pages.length));
    // Every draft written was, when written, among the lowest-ranked pages seen so far: far fewer
    // than the pages, and every kept one among them.
    expect(written.length).toBeLessThan(pages.length / 2);
    for (const id of kept) expect(written).toContain(id);
    expect(await redis.hlen(redisKeys.profileSamples(prefix, SOURCE))).toBe(SIZE);
  }, 60_000);

  it('keeps drafts packed, and reads the plain JSON an earlier release kept', async () => {
    const source = 'packed.example';
    const store = new RedisSampleStore(redis, prefix, SIZE);
    const [first, second] = pages.map((page) => ({ ...page, source }));
    if (!first || !second) throw new Error('no pages');
    // A farm page's draft: most of it is its repairs (every change, with its text).
    first.repairs = Array.from({ length: 150 }, (_, i) => ({
      kind: 'pinyin' as const,
      paragraph: i % 20,
      before: '逾(yú)期',
      after: '逾期',
      confidence: 0.99,
    }));
    await store.keep(first);
    const stored = (await redis.hget(redisKeys.profileSamples(prefix, source), first.id)) as string;
    expect(Buffer.byteLength(stored)).toBeLessThan(Buffer.byteLength(JSON.stringify(first)) / 2);
    // An earlier release's sample: plain JSON in the same hash.
    await redis.hset(redisKeys.profileSamples(prefix, source), second.id, JSON.stringify(second));
    await redis.zadd(redisKeys.profileOrder(prefix, source), 0, second.id);
    const read = await store.samples(source);
    expect(read.map((s) => s.id).sort()).toEqual([first.id, second.id].sort());
    expect(read.find((s) => s.id === first.id)).toEqual(first);
    expect(read.find((s) => s.id === second.id)).toEqual(second);
  });
});
