/**
 * The normalize queue's time budget: a page that takes longer than `FINFAQ_NORMALIZE_TIMEOUT_MS`
 * fails at the budget with a reason that says so (not retried), and the worker goes on with the
 * next page instead of being held. The slow page is made here: four megabytes of random bytes
 * (the normalizer bounds a page's cost by its repair budget, README "Limits"; random bytes are
 * what costs the most within it, about ten seconds on a 2-core machine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordId } from '../../src/normalize/record.js';
import type { Store } from '../../src/publish/index.js';
import { queueSettings } from '../../src/queue/connection.js';
import { normalizeJobId } from '../../src/queue/jobs.js';
import { connectQueues, type QueueClient } from '../../src/queue/queues.js';
import { generateArticle } from '../support/article-generator.js';
import { randomBytes } from '../support/hostile-pages.js';
import { type Child, finfaq, isolatedPipeline, type Pipeline, stopAll } from './helpers.js';

const BUDGET_MS = 1_500;

let pipeline: Pipeline;
let store: Store;
let client: QueueClient;
let worker: Child;

beforeAll(async () => {
  pipeline = isolatedPipeline({ FINFAQ_NORMALIZE_TIMEOUT_MS: String(BUDGET_MS) });
  store = await pipeline.store();
  client = connectQueues(queueSettings(pipeline.env));
  worker = finfaq(['worker', '--only', 'normalize,publish', '--concurrency', '1'], pipeline.env);
  await worker.waitForStderr(/working on publish, normalize/);
});

afterAll(async () => {
  await stopAll(worker ? [worker] : []);
  await client?.close();
  await pipeline?.cleanup();
});

function articleText(seed: number): string {
  const article = generateArticle(seed);
  return [article.title, ...article.paragraphs].join('\n');
}

async function enqueue(url: string, text: string | Buffer): Promise<string> {
  const raw = {
    url,
    body_base64: (typeof text === 'string' ? Buffer.from(text) : text).toString('base64'),
    content_type: 'text/plain; charset=utf-8',
    fetched_at: new Date().toISOString(),
    source: 'budget.example',
  };
  const jobId = normalizeJobId(raw, 'hans');
  await client.queues.normalize.add('normalize', { raw, to: 'hans' }, { jobId });
  return jobId;
}

async function until<T>(read: () => Promise<T | null | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a normalize job past its time budget', () => {
  it('fails with a clear reason at the budget, and the worker goes on with the next page', async () => {
    // A normal page first: the thread is warm and the clock is the only thing measured below.
    await enqueue('https://budget.example/warm.html', articleText(1));
    await until(() => store.getRecord(recordId('https://budget.example/warm.html')), 60_000);

    const slow = await enqueue('https://budget.example/huge.txt', randomBytes(4_000_000));
    const next = 'https://budget.example/next.html';
    await enqueue(next, articleText(2));

    const started = Date.now();
    await until(async () => (await client.queues.normalize.getJobState(slow)) === 'failed', 60_000);
    // Read once failed (a job read before its state changed lacks the reason).
    const failed = await until(() => client.queues.normalize.getJob(slow), 5_000);
    const failedAfter = Date.now() - started;
    expect(failed.failedReason).toBe(
      `normalize job exceeded its time budget of ${BUDGET_MS / 1000} s and was stopped (FINFAQ_NORMALIZE_TIMEOUT_MS)`,
    );
    expect(failed.attemptsMade).toBe(1); // not retried: the same page would take as long again
    expect(failedAfter).toBeLessThan(BUDGET_MS + 10_000);

    // The worker was not held: the next page is published, by a fresh thread.
    const record = await until(() => store.getRecord(recordId(next)), 60_000);
    expect(record.url).toBe(next);
    expect(worker.process.exitCode).toBeNull();
  }, 120_000);
});
