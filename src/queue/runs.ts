/**
 * `finfaq run`: what one run did, and knowing when it is over.
 *
 * Every job of a run carries its id; the crawl and publish workers record their outcome in two
 * Redis hashes per run, keyed by source and by record id, so a job that runs twice (retried, or
 * recovered after its worker died) is counted once. The run is over when each of its crawl jobs
 * has finished and the normalize and publish queues hold nothing left to do, twice in a row.
 *
 * No silent loss: the crawl worker also records every page it hands on (record id → URL and
 * normalize job id), and the summary compares them with the records published and the jobs that
 * failed. A page handed on that is in neither (its job lost, e.g. by a Redis restarted without
 * persistence), a crawl report counting more pages than were recorded, a crawl job gone without
 * a report, or the run's marker key gone (Redis lost its data during the run) is a loss, which
 * the summary names and for which `finfaq run` exits 1.
 */
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CrawlReport } from '../crawl/index.js';
import { recordId } from '../normalize/index.js';
import type { PublishResult } from '../publish/types.js';
import type { CleanRecord } from '../records/clean.js';
import { jobSubject, QUEUE_NAMES, type QueueName } from './jobs.js';
import { redisKeys } from './keys.js';
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

/** A `finfaq run`'s keys (`keys.ts`). */
const key = redisKeys.run;

/** A page a crawl of the run handed on to the normalize queue. */
interface HandedOn {
  url: string;
  /** Its normalize job's id. */
  job: string;
}

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

/** Records a page handed on to the normalize queue by a crawl of `run`. */
export async function recordHandedOn(
  redis: Redis,
  prefix: string,
  run: string,
  page: HandedOn,
): Promise<void> {
  await hsetWithTtl(redis, key(prefix, run, 'handed'), recordId(page.url), page);
}

/**
 * Marks the start of a run in Redis. `runMarkerPresent` at the end tells whether Redis kept its
 * data meanwhile (a Redis restarted without persistence comes back empty).
 */
export async function markRun(redis: Redis, prefix: string, run: string): Promise<void> {
  await redis.set(key(prefix, run, 'marker'), new Date().toISOString(), 'EX', RUN_TTL_SECONDS);
}

export async function runMarkerPresent(redis: Redis, prefix: string, run: string): Promise<boolean> {
  return (await redis.exists(key(prefix, run, 'marker'))) === 1;
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
  /** What the run handed on and never saw published or failed (`finfaq run` exits 1). */
  lost: RunLoss;
}

export interface RunLoss {
  /** Redis lost the run's data while it ran (restarted without persistence, flushed). */
  redisReset: boolean;
  /** Pages handed on that were neither published nor failed: their jobs are gone. */
  pages: { id: string; url: string }[];
  /** Pages the crawl reports count as handed on beyond those recorded one by one. */
  unrecorded: number;
  /** Sources whose crawl job is gone without a crawl report. */
  sources: string[];
}

/** Whether anything was lost. */
export function hasLoss(loss: RunLoss): boolean {
  return loss.redisReset || loss.pages.length > 0 || loss.unrecorded > 0 || loss.sources.length > 0;
}

/** Candidates looked up one by one in the queues (the rest are reported lost unchecked). */
const MAX_LOSS_CHECKS = 2_000;

/** Whether the job `id` of `queue` completed (kept by BullMQ for a day, see jobs.ts). */
async function completed(queue: Queue, id: string): Promise<Job | null> {
  const job = await queue.getJob(id);
  return job && (await job.getState()) === 'completed' ? job : null;
}

/**
 * Pages handed on that reached neither the store nor the failed set. A page whose normalize and
 * publish jobs completed without a tally for this run (an identical page handed on by an earlier
 * run, whose job id BullMQ still holds, or a tally lost) is not lost.
 */
async function lostPages(
  queues: Queues,
  handed: Map<string, HandedOn>,
  published: ReadonlySet<string>,
  failures: readonly JobFailure[],
): Promise<{ id: string; url: string }[]> {
  const failed = new Set(failures.filter((f) => f.queue !== 'crawl').map((f) => f.subject));
  const lost: { id: string; url: string }[] = [];
  let checks = 0;
  for (const [id, page] of handed) {
    if (published.has(id) || failed.has(page.url)) continue;
    if (checks++ < MAX_LOSS_CHECKS) {
      const normalized = await completed(queues.normalize as Queue, page.job);
      const publishJob = (normalized?.returnvalue as { publishJob?: string } | undefined)?.publishJob;
      if (publishJob && (await completed(queues.publish as Queue, publishJob))) continue;
    }
    lost.push({ id, url: page.url });
  }
  return lost.sort((a, b) => a.url.localeCompare(b.url));
}

/** Sources of the run whose crawl job is gone and left no report. */
async function lostSources(
  queues: Queues,
  crawlJobs: readonly { id: string; source: string }[],
  reported: ReadonlySet<string>,
): Promise<string[]> {
  const lost: string[] = [];
  for (const { id, source } of crawlJobs)
    if (!reported.has(source) && !(await queues.crawl.getJob(id))) lost.push(source);
  return lost.sort();
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

export interface SummaryOptions {
  /** The run's crawl jobs: one gone without a report is a loss. */
  crawlJobs?: readonly { id: string; source: string }[];
  /** Look for losses (default true; a run stopped by a signal leaves work queued on purpose). */
  checkLoss?: boolean;
}

export async function summarizeRun(
  redis: Redis,
  prefix: string,
  queues: Queues,
  run: string,
  options: SummaryOptions = {},
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
    lost: { redisReset: false, pages: [], unrecorded: 0, sources: [] },
  };
  for (const crawl of crawls) {
    summary.pages += crawl.pages;
    summary.records += crawl.records;
    summary.unchanged += crawl.unchanged;
    summary.pageFailures += crawl.failed;
  }
  const tallies = await redis.hgetall(key(prefix, run, 'publish'));
  for (const json of Object.values(tallies)) {
    const tally = JSON.parse(json) as PublishTally;
    summary.published[tally.outcome]++;
    if (tally.duplicateOf) summary.duplicates++;
    if (tally.outcome === 'unchanged') continue;
    for (const [kind, n] of Object.entries(tally.repairs))
      summary.repairs[kind] = (summary.repairs[kind] ?? 0) + n;
  }
  if (options.checkLoss ?? true) {
    const handed = new Map(
      Object.entries(await redis.hgetall(key(prefix, run, 'handed'))).map(
        ([id, json]) => [id, JSON.parse(json) as HandedOn] as const,
      ),
    );
    summary.lost = {
      redisReset: !(await runMarkerPresent(redis, prefix, run)),
      pages: await lostPages(queues, handed, new Set(Object.keys(tallies)), summary.failures),
      unrecorded: Math.max(0, summary.records - handed.size),
      sources: await lostSources(queues, options.crawlJobs ?? [], new Set(crawls.map((c) => c.source))),
    };
  }
  return summary;
}

/** The losses as lines (empty when none): what `finfaq run` prints and exits 1 for. */
export function formatLoss(loss: RunLoss): string[] {
  const lines: string[] = [];
  if (loss.redisReset)
    lines.push(
      "lost: Redis lost this run's data while it ran (restarted without persistence?): what was queued then is gone",
    );
  if (loss.pages.length > 0) {
    const shown = loss.pages.slice(0, 20).map((p) => p.url);
    const more = loss.pages.length > shown.length ? `, … and ${loss.pages.length - shown.length} more` : '';
    lines.push(
      `lost: ${loss.pages.length} pages handed on were neither published nor failed: ${shown.join(', ')}${more}`,
    );
  }
  if (loss.unrecorded > 0)
    lines.push(`lost: ${loss.unrecorded} pages the crawls handed on left no record in Redis`);
  if (loss.sources.length > 0) lines.push(`lost: crawls gone without a report: ${loss.sources.join(', ')}`);
  return lines;
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
  lines.push(...formatLoss(summary.lost));
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
