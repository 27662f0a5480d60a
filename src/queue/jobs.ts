/**
 * The three queues, what their jobs carry, how their ids are made, and how long they are kept.
 *
 *   crawl ──(one job per new or changed article page)──▶ normalize ──(one job per record)──▶ publish
 *
 * Job ids are hashes of what makes a job distinct (BullMQ refuses `:` and all-digit ids, and
 * silently drops an add whose id is still held by a kept job). Adding the same page with the same
 * bytes twice, or the same record twice, is therefore one job: a crawl job retried after its worker
 * died re-enqueues nothing that is already queued or recently done.
 */
import type { DefaultJobOptions } from 'bullmq';
import type { CrawlSettings, SourceConfig } from '../config/sources.js';
import type { CleanRecord } from '../records/clean.js';
import { sha256Hex } from '../records/hash.js';
import type { CrawledRawRecord } from '../records/raw.js';
import type { Script } from '../records/scripts.js';
import type { RawSnapshot } from '../records/stored.js';
import { packJson, unpackJson } from './packed.js';

export const QUEUE_NAMES = ['crawl', 'normalize', 'publish'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** One crawl of one source. Carries the source's settings, so a worker needs no sources file. */
export interface CrawlJob {
  source: SourceConfig;
  settings: CrawlSettings;
  /** Script of the published records (sources file `output.script`). */
  script: Script;
  /** The `finfaq run` this crawl belongs to (its summary counts what follows from it). */
  run?: string;
}

/** One fetched article page (the raw record of CONTRACT.md) to clean. Job name `normalize`. */
export interface NormalizeJob {
  raw: CrawledRawRecord;
  to: Script;
  run?: string;
}

/** Re-learn a source's deleted words from its latest pages. Job name `learn`, on the normalize queue. */
export interface LearnJob {
  source: string;
  /** Pages of the source normalized when the job was asked for. */
  pages: number;
}

/**
 * Restore the deleted words of a source's pages already normalized, with its newly learned
 * profile. Job name `restore`, on the normalize queue.
 */
export interface RestoreJob {
  source: string;
  /** The profile's words when the job was asked for (part of its id). */
  words: string[];
}

/** What the normalize queue carries: pages to clean, and its `learn` and `restore` jobs. */
export type NormalizeQueueJob = NormalizeJob | LearnJob | RestoreJob;

/**
 * One clean record to store, dedupe and put on the feed. The normalize worker sends it in
 * Simplified, the normalizer's own form, and names the script it is read in by default: the store
 * keeps the Simplified text and converts it when it is read, once.
 */
export interface PublishJob {
  /** The text fields in `record.script` (`hans` from this release's normalize worker). */
  record: CleanRecord;
  /**
   * The script readers get it in when they ask for none (sources file `output.script`). Absent in
   * jobs queued by earlier releases, whose record is already in that script.
   */
  feedScript?: Script;
  /** The page the record was made from, kept with the version (a page normalized now). */
  raw?: RawSnapshot;
  /**
   * Or the version of the store whose page it was made from (a page restored from the store's
   * own): read there by the publish worker rather than carried out of the store and back.
   */
  rawOf?: { id: string; version: number };
  run?: string;
}

/**
 * A publish job as it crosses Redis: the record and the page, which are most of it (repairs list
 * every change with its text; the page is kept with the version), gzipped together as JSON, so a
 * page costs Redis about a third of their JSON (and retained jobs hold that much memory). The
 * URL stays readable: it names the job in `finfaq jobs failed` and on the dashboard.
 */
export interface PackedPublishJob {
  /** The record's URL. */
  url: string;
  run?: string;
  /** The `PublishJob` without `run`, packed (`packed.ts`: gzipped JSON, base64). */
  packed: string;
}

/** What the publish queue carries: packed jobs, and plain ones queued by earlier releases. */
export type PublishQueueJob = PackedPublishJob | PublishJob;

export function packPublishJob(job: PublishJob): PackedPublishJob {
  const { run, ...rest } = job;
  const packed: PackedPublishJob = {
    url: job.record.url,
    packed: packJson(rest),
  };
  if (run) packed.run = run;
  return packed;
}

export function unpackPublishJob(data: PublishQueueJob): PublishJob {
  if (!('packed' in data)) return data;
  const job = unpackJson<PublishJob>(data.packed);
  if (data.run) job.run = data.run;
  return job;
}

export function isQueueName(value: string): value is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(value);
}

/** Parses `--only crawl,normalize`: the queue names, or an error naming the bad one. */
export function parseQueueList(value: string): QueueName[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names)
    if (!isQueueName(name)) throw new Error(`unknown queue "${name}" (expected ${QUEUE_NAMES.join(', ')})`);
  if (names.length === 0) throw new Error(`expected one or more of ${QUEUE_NAMES.join(', ')}`);
  return [...new Set(names)] as QueueName[];
}

/**
 * What a job was about: the source of a crawl, learn or restore job, the page URL of a normalize
 * or publish job (`finfaq run` and `finfaq jobs failed` list failures by it).
 */
export function jobSubject(queue: QueueName, data: unknown): string {
  if (queue === 'crawl') return (data as Partial<CrawlJob>)?.source?.name ?? '?';
  if (queue === 'normalize')
    return (data as Partial<NormalizeJob>)?.raw?.url ?? (data as Partial<LearnJob>)?.source ?? '?';
  return (data as Partial<PublishJob>)?.record?.url ?? (data as Partial<PackedPublishJob>)?.url ?? '?';
}

export const JOB_NAMES = {
  crawl: 'crawl',
  normalize: 'normalize',
  learn: 'learn',
  restore: 'restore',
  publish: 'publish',
} as const;

function digest(parts: readonly string[]): string {
  return sha256Hex(parts, { after: '\0', chars: 32 });
}

/** `kind-<32 hex>`: never all digits, never a `:`. */
export function jobId(kind: string, ...parts: string[]): string {
  return `${kind}-${digest(parts)}`;
}

/** Same page, same bytes, same target script: same job. */
export function normalizeJobId(raw: CrawledRawRecord, to: Script): string {
  return jobId('normalize', raw.url, digest([raw.body_base64]), raw.charset ?? '', to);
}

/** Same record id and content hash (and every other field): same job. */
export function publishJobId(record: CleanRecord, feedScript: Script = record.script): string {
  return jobId('publish', record.id, record.content_hash, digest([JSON.stringify(record)]), feedScript);
}

/** One crawl of a source for a given `run` (or `crawl --once` invocation). */
export function crawlJobId(source: string, run: string): string {
  return jobId('crawl', source, run);
}

/** The scheduler of a source's crawls (BullMQ job scheduler id). */
export function crawlSchedulerId(source: string): string {
  return `crawl-${source}`;
}

export function learnJobId(source: string, pages: number): string {
  return jobId('learn', source, String(pages));
}

export function restoreJobId(source: string, words: readonly string[]): string {
  return jobId('restore', source, ...words);
}

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * Retries with exponential backoff; jobs that exhaust them stay in the failed set with their
 * reason (`finfaq run` lists them); completed and failed jobs are trimmed by age (seconds) and
 * count. Normalize and publish jobs carry whole pages (tens of KB), so few completed ones are kept;
 * while one is kept, the same page or record enqueued again is recognised by its id and dropped
 * (the crawl's validators already keep unchanged pages from being enqueued at all).
 */
export const JOB_OPTIONS: Record<QueueName, DefaultJobOptions> = {
  crawl: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 30_000 },
    removeOnComplete: { age: 7 * DAY, count: 1_000 },
    removeOnFail: { age: 30 * DAY, count: 1_000 },
  },
  normalize: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 5_000 },
    removeOnComplete: { age: DAY, count: 2_000 },
    removeOnFail: { age: 14 * DAY, count: 5_000 },
  },
  publish: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { age: DAY, count: 2_000 },
    removeOnFail: { age: 14 * DAY, count: 5_000 },
  },
};
