/**
 * `finfaq run`: what one run did, and knowing when it is over.
 *
 * Every job of a run carries its id; the crawl and publish workers record their outcome in two
 * Redis hashes per run, keyed by source and by record id, so a job that runs twice (retried, or
 * recovered after its worker died) is counted once. The run is over when each of its crawl jobs
 * has finished and the normalize and publish queues hold nothing left to do, twice in a row.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CrawlReport } from '../crawl/index.js';
import type { CleanRecord } from '../normalize/record.js';
import type { PublishResult } from '../publish/types.js';
import { jobSubject, QUEUE_NAMES, type QueueName } from './jobs.js';
import { pendingJobs, type Queues } from './queues.js';

/** How long a run's tallies stay in Redis. */
const RUN_TTL_SECONDS = 7 * 24 * 3600;
/** Problems of a crawl kept in its summary (all of them are in the worker's log). */
const MAX_PROBLEMS = 20;

export interface CrawlSummary {
  source: string;
  pages: number;
  articles: number;
  /** New or changed articles handed to the normalize queue. */
  records: number;
  unchanged: number;
  failed: number;
  skipped: number;
  aborted: boolean;
  durationMs: number;
  problems: { url: string; reason: string }[];
}

export function crawlSummary(report: CrawlReport): CrawlSummary {
  return {
    source: report.source,
    pages: report.pagesFetched,
    articles: report.articlesFetched,
    records: report.records,
    unchanged: report.unchanged,
    failed: report.failed.length,
    skipped: report.skipped.length,
    aborted: report.aborted,
    durationMs: report.durationMs,
    problems: report.failed.slice(0, MAX_PROBLEMS).map((p) => ({ url: p.url, reason: p.reason })),
  };
}

interface PublishTally {
  outcome: PublishResult['outcome'];
  duplicateOf: string | null;
  repairs: Record<string, number>;
}

const key = (prefix: string, run: string, part: 'crawl' | 'publish') => `${prefix}:run:${run}:${part}`;

async function hsetWithTtl(redis: Redis, hashKey: string, field: string, value: unknown): Promise<void> {
  await redis.multi().hset(hashKey, field, JSON.stringify(value)).expire(hashKey, RUN_TTL_SECONDS).exec();
}

export async function recordCrawl(
  redis: Redis,
  prefix: string,
  run: string,
  summary: CrawlSummary,
): Promise<void> {
  await hsetWithTtl(redis, key(prefix, run, 'crawl'), summary.source, summary);
}

export async function recordPublish(
  redis: Redis,
  prefix: string,
  run: string,
  record: CleanRecord,
  result: PublishResult,
): Promise<void> {
  const repairs: Record<string, number> = {};
  for (const repair of record.repairs) repairs[repair.kind] = (repairs[repair.kind] ?? 0) + 1;
  const tally: PublishTally = { outcome: result.outcome, duplicateOf: result.duplicateOf, repairs };
  await hsetWithTtl(redis, key(prefix, run, 'publish'), record.id, tally);
}

export interface JobFailure {
  queue: QueueName;
  jobId: string;
  /** The source, page or record the job was about. */
  subject: string;
  reason: string;
  attempts: number;
}

export interface RunSummary {
  run: string;
  sources: CrawlSummary[];
  pages: number;
  /** Article pages handed on to be normalized (new or changed). */
  records: number;
  unchanged: number;
  /** Pages that could not be fetched (HTTP errors, timeouts…): reported, not fatal. */
  pageFailures: number;
  published: { created: number; updated: number; unchanged: number };
  /** Records of this run that duplicate another record. */
  duplicates: number;
  /** Repairs carried by the versions this run wrote, by kind. */
  repairs: Record<string, number>;
  /** Jobs of this run that failed after every retry (kept in the failed set with the reason). */
  failures: JobFailure[];
  /** Sources of which nothing at all could be fetched. */
  deadSources: string[];
}

/** Failed jobs of a run, oldest first (at most the `limit` newest failures per queue are looked at). */
export async function runFailures(queues: Queues, run: string, limit = 5_000): Promise<JobFailure[]> {
  const failures: JobFailure[] = [];
  for (const name of QUEUE_NAMES) {
    const queue = queues[name] as Queue;
    for (const job of await queue.getFailed(0, limit - 1)) {
      if (!job || (job.data as { run?: string })?.run !== run) continue;
      failures.push({
        queue: name,
        jobId: job.id ?? '?',
        subject: jobSubject(name, job.data),
        reason: job.failedReason ?? 'unknown',
        attempts: job.attemptsMade,
      });
    }
  }
  return failures.reverse();
}

export async function summarizeRun(
  redis: Redis,
  prefix: string,
  queues: Queues,
  run: string,
): Promise<RunSummary> {
  const crawls = Object.values(await redis.hgetall(key(prefix, run, 'crawl'))).map(
    (json) => JSON.parse(json) as CrawlSummary,
  );
  crawls.sort((a, b) => a.source.localeCompare(b.source));
  const summary: RunSummary = {
    run,
    sources: crawls,
    pages: 0,
    records: 0,
    unchanged: 0,
    pageFailures: 0,
    published: { created: 0, updated: 0, unchanged: 0 },
    duplicates: 0,
    repairs: {},
    failures: await runFailures(queues, run),
    deadSources: crawls.filter((c) => c.pages === 0 && !c.aborted).map((c) => c.source),
  };
  for (const crawl of crawls) {
    summary.pages += crawl.pages;
    summary.records += crawl.records;
    summary.unchanged += crawl.unchanged;
    summary.pageFailures += crawl.failed;
  }
  for (const json of Object.values(await redis.hgetall(key(prefix, run, 'publish')))) {
    const tally = JSON.parse(json) as PublishTally;
    summary.published[tally.outcome]++;
    if (tally.duplicateOf) summary.duplicates++;
    if (tally.outcome === 'unchanged') continue;
    for (const [kind, n] of Object.entries(tally.repairs))
      summary.repairs[kind] = (summary.repairs[kind] ?? 0) + n;
  }
  return summary;
}

/** The summary as `finfaq run` prints it: a few lines a person reads. */
export function formatRunSummary(summary: RunSummary): string {
  const lines: string[] = [];
  for (const s of summary.sources)
    lines.push(
      `${s.source}: ${s.pages} pages, ${s.records} new or changed articles, ${s.unchanged} unchanged, ${s.failed} failed, ${s.skipped} skipped${s.aborted ? ' (stopped)' : ''}`,
    );
  const p = summary.published;
  lines.push(
    `pages ${summary.pages}, articles handed on ${summary.records}, unchanged ${summary.unchanged}, pages failed ${summary.pageFailures}`,
  );
  lines.push(
    `records published ${p.created + p.updated} (${p.created} new, ${p.updated} updated), unchanged ${p.unchanged}, duplicates ${summary.duplicates}`,
  );
  const kinds = Object.entries(summary.repairs).sort((a, b) => b[1] - a[1]);
  lines.push(`repairs: ${kinds.length ? kinds.map(([k, n]) => `${k} ${n}`).join(', ') : 'none'}`);
  lines.push(`failures: ${summary.failures.length}`);
  for (const f of summary.failures.slice(0, 20))
    lines.push(`  ${f.queue} ${f.jobId} ${f.subject}: ${f.reason} (${f.attempts} attempts)`);
  if (summary.failures.length > 20) lines.push(`  … and ${summary.failures.length - 20} more`);
  for (const source of summary.deadSources) lines.push(`${source}: nothing could be crawled`);
  return `${lines.join('\n')}\n`;
}

export interface DrainOptions {
  /** Milliseconds between checks. */
  pollMs?: number;
  /** Called after each check with what is left. */
  onProgress?: (left: { crawls: number; normalize: number; publish: number }) => void;
  signal?: AbortSignal;
}

/**
 * Resolves when every crawl job in `crawlJobIds` has finished (completed, failed, or trimmed) and
 * neither the normalize nor the publish queue has anything left to do, twice in a row. Checks in
 * pipeline order, so a job that moves on between two reads is always seen on one side. Rejects
 * with the signal's reason when aborted. Redis errors (it restarting) are waited out.
 */
export async function waitUntilDrained(
  queues: Queues,
  crawlJobIds: readonly string[],
  options: DrainOptions = {},
) {
  const pollMs = options.pollMs ?? 250;
  let quiet = 0;
  while (quiet < 2) {
    options.signal?.throwIfAborted();
    try {
      let crawls = 0;
      for (const id of crawlJobIds) {
        const job = await queues.crawl.getJob(id);
        const state = job ? await job.getState() : 'unknown';
        if (state !== 'completed' && state !== 'failed' && state !== 'unknown') crawls++;
      }
      const normalize = await pendingJobs(queues.normalize as Queue);
      const publish = await pendingJobs(queues.publish as Queue);
      options.onProgress?.({ crawls, normalize, publish });
      quiet = crawls + normalize + publish === 0 ? quiet + 1 : 0;
    } catch {
      quiet = 0;
    }
    if (quiet < 2) await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
