/**
 * The queue worker's normalize threads share the read-only tables as `finfaq normalize`'s do: the
 * worker reads the language model's table, the dictionary index and the bigram model once, into
 * shared memory, and every thread it starts is handed those bytes. A thread started so normalizes a page and queues
 * its record for publishing (real Redis, real PostgreSQL).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { INDEX_FILE, NGRAM_FILE, TABLE_FILE } from '../../src/normalize/index.js';
import { queueSettings } from '../../src/queue/connection.js';
import { JOB_NAMES, type PublishQueueJob, unpackPublishJob } from '../../src/queue/jobs.js';
import { threadSettings } from '../../src/queue/normalize-worker.js';
import { connectQueues } from '../../src/queue/queues.js';
import { storeSettings } from '../../src/queue/store.js';
import { builtModule, ThreadPool } from '../../src/threads/pool.js';
import { isolatedPipeline } from './helpers.js';

const pipeline = isolatedPipeline();
afterAll(() => pipeline.cleanup());

describe("the normalize worker's threads", () => {
  it('are handed the three tables in shared memory, read once for all of them', () => {
    const settings = queueSettings(pipeline.env);
    const first = threadSettings(settings, storeSettings(pipeline.env));
    const second = threadSettings(settings, storeSettings(pipeline.env));
    for (const file of [TABLE_FILE, INDEX_FILE, NGRAM_FILE]) {
      const bytes = first.files?.[file];
      expect(bytes?.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Buffer.from(bytes as Uint8Array).equals(readFileSync(file))).toBe(true);
      // A second pool (or a replacement thread) gets the same memory, not a new copy.
      expect(second.files?.[file]?.buffer).toBe(bytes?.buffer);
    }
  });

  it('normalize a page with those tables and queue its record', async () => {
    const settings = queueSettings(pipeline.env);
    const pool = new ThreadPool(
      builtModule('queue/normalize-thread.js'),
      threadSettings(settings, storeSettings(pipeline.env)),
      { budgetMs: () => 120_000, size: 2 },
    );
    const client = connectQueues(settings);
    try {
      const raw = {
        url: 'https://threads.example/a.html',
        body_base64: Buffer.from('銀行貸款逾期了怎麼辦？\n逾期以後，徵信會受到影響，應當及時還款。').toString(
          'base64',
        ),
        content_type: 'text/plain; charset=utf-8',
        fetched_at: '2026-01-02T03:04:05Z',
        source: 'threads.example',
      };
      const result = (await pool.run({ name: JOB_NAMES.normalize, data: { raw, to: 'tw' } })) as {
        publishJob: string;
      };
      const job = await client.queues.publish.getJob(result.publishJob);
      const data = unpackPublishJob(job?.data as PublishQueueJob);
      expect(data.record.url).toBe(raw.url);
      // Simplified (the page is Traditional), to be read in the script the job asked for.
      expect(data.record.script).toBe('hans');
      expect(data.feedScript).toBe('tw');
      expect(data.record.paragraphs.join('')).toContain('逾期以后，征信会受到影响');
      expect(data.raw?.text).toContain('徵信會受到影響');
    } finally {
      await pool.close();
      await client.close();
    }
  }, 180_000);
});
