/** The pure parts of the queue glue: job ids, settings from the environment, the learning schedule. */
import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/config/redact.js';
import { queueSettings, RedisUnavailableError } from '../../src/queue/connection.js';
import {
  crawlJobId,
  jobId,
  jobSubject,
  normalizeJobId,
  type PublishJob,
  packPublishJob,
  parseQueueList,
  publishJobId,
  unpackPublishJob,
} from '../../src/queue/jobs.js';
import { packJson, unpackJson } from '../../src/queue/packed.js';
import { relearnDue } from '../../src/queue/profiles.js';
import type { CleanRecord } from '../../src/records/clean.js';
import type { CrawledRawRecord } from '../../src/records/raw.js';

const raw: CrawledRawRecord = {
  url: 'http://127.0.0.1:8080/show/1.html',
  body_base64: Buffer.from('<html>页</html>').toString('base64'),
  fetched_at: '2025-01-01T00:00:00.000Z',
  source: 'gbk-farm',
};

const record: CleanRecord = {
  id: 'cf717483f5c9f9a3',
  url: raw.url,
  source: 'gbk-farm',
  title: '标题',
  category: null,
  published_at: null,
  script: 'hans',
  paragraphs: ['正文'],
  repairs: [],
  flags: [],
  unresolved: [],
  content_hash: '0123456789abcdef',
};

describe('job ids', () => {
  it('are hashes BullMQ accepts: no ":", never all digits', () => {
    for (const id of [
      jobId('x'),
      normalizeJobId(raw, 'hans'),
      publishJobId(record),
      crawlJobId('gbk-farm', 'run1'),
    ]) {
      expect(id).toMatch(/^[a-z]+-[0-9a-f]{32}$/);
      expect(id).not.toMatch(/^\d+$/);
    }
  });

  it('are the same for the same page and bytes, and differ when the bytes, script or record differ', () => {
    expect(normalizeJobId(raw, 'hans')).toBe(normalizeJobId({ ...raw, fetched_at: 'later' }, 'hans'));
    expect(normalizeJobId(raw, 'hans')).not.toBe(normalizeJobId(raw, 'tw'));
    expect(normalizeJobId(raw, 'hans')).not.toBe(
      normalizeJobId({ ...raw, body_base64: Buffer.from('<html>页!</html>').toString('base64') }, 'hans'),
    );
    expect(publishJobId(record)).toBe(publishJobId({ ...record }));
    expect(publishJobId(record)).not.toBe(publishJobId({ ...record, content_hash: 'fedcba9876543210' }));
    expect(publishJobId(record)).not.toBe(publishJobId({ ...record, title: '新标题' }));
    // The same Simplified record read in another script is another job (not dropped as a repeat).
    expect(publishJobId(record, 'hans')).toBe(publishJobId(record));
    expect(publishJobId(record, 'tw')).not.toBe(publishJobId(record, 'hk'));
    expect(crawlJobId('gbk-farm', 'run1')).not.toBe(crawlJobId('gbk-farm', 'run2'));
  });
});

describe('publish jobs as they cross Redis', () => {
  const page = `<html><body>${'<p>逾期以后，征信会受到影响。</p>'.repeat(200)}</body></html>`;
  const repairs = Array.from({ length: 100 }, (_, i) => ({
    kind: 'pinyin' as const,
    paragraph: i,
    before: '导(dǎo)',
    after: '导',
    confidence: 0.99,
  }));
  const job: PublishJob = {
    record: { ...record, repairs },
    feedScript: 'tw',
    raw: { text: page, content_type: 'text/html', fetched_at: raw.fetched_at },
    run: 'run1',
  };

  it('carry the record and the page packed, unpacked as they were, named by the URL', () => {
    const packed = packPublishJob(job);
    expect(JSON.stringify(packed)).not.toContain('征信');
    expect(Buffer.byteLength(JSON.stringify(packed))).toBeLessThan(
      Buffer.byteLength(JSON.stringify(job)) / 3,
    );
    expect(unpackPublishJob(JSON.parse(JSON.stringify(packed)))).toEqual(job);
    expect(jobSubject('publish', packed)).toBe(raw.url);
    expect(packed.run).toBe('run1');
  });

  it('queued by an earlier release (plain) are read as they are', () => {
    const plain = { record, raw: { text: page } };
    expect(unpackPublishJob(plain)).toBe(plain);
    expect(jobSubject('publish', plain)).toBe(raw.url);
  });
});

describe('settings', () => {
  it('come from the environment, with defaults', () => {
    expect(queueSettings({})).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: 'finfaq',
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
      normalizeTimeoutMs: 60_000,
    });
    expect(
      queueSettings({ REDIS_URL: 'redis://r:6380/2', FINFAQ_QUEUE_PREFIX: 't1', FINFAQ_LOCK_MS: '2000' }),
    ).toMatchObject({
      redisUrl: 'redis://r:6380/2',
      prefix: 't1',
      lockDurationMs: 2000,
    });
    expect(() => queueSettings({ FINFAQ_QUEUE_PREFIX: 'a:b' })).toThrow(/FINFAQ_QUEUE_PREFIX/);
    expect(() => queueSettings({ FINFAQ_STALLED_MS: '-1' })).toThrow(/FINFAQ_STALLED_MS/);
  });

  it('parses --only', () => {
    expect(parseQueueList('crawl, publish')).toEqual(['crawl', 'publish']);
    expect(() => parseQueueList('crawl,index')).toThrow(/unknown queue "index"/);
  });

  it('never print a Redis password', () => {
    expect(redactUrl('redis://user:secret@host:6379/0')).toBe('redis://user:***@host:6379/0');
    const message = new RedisUnavailableError('redis://:secret@host:6379', 'ECONNREFUSED').message;
    expect(message).not.toContain('secret');
    expect(message).toContain('docker compose up -d redis');
  });
});

describe('learning schedule', () => {
  it('learns at 20, 40, 80, 160 and 320 pages of a source, then every 500', () => {
    const due = Array.from({ length: 2100 }, (_, i) => i).filter(relearnDue);
    expect(due).toEqual([20, 40, 80, 160, 320, 500, 1000, 1500, 2000]);
  });
});

describe('packed values', () => {
  it('are never larger than their JSON: short or dense ones stay plain', () => {
    for (const value of [{ a: 1 }, '逾期', { text: '银行贷款逾期了怎么办？'.repeat(3) }]) {
      const packed = packJson(value);
      expect(Buffer.byteLength(packed)).toBeLessThanOrEqual(Buffer.byteLength(JSON.stringify(value)));
      expect(unpackJson(packed)).toEqual(value);
    }
    const long = { repairs: Array.from({ length: 50 }, (_, i) => ({ kind: 'html', paragraph: i })) };
    expect(packJson(long).startsWith('gz:')).toBe(true);
    expect(unpackJson(packJson(long))).toEqual(long);
  });
});
