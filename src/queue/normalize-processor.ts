/**
 * The normalize queue's processor. It runs in worker threads (`normalize-threads.ts`, loaded from
 * `dist/queue/normalize-thread.js`), each job within a time budget, so repairing a page, which is
 * CPU work, never keeps the worker's event loop from renewing its job locks, and a page that takes
 * too long fails instead of holding the worker.
 *
 * `normalize` job: raw record → draft (every repair) → deleted words restored with the source's
 * profile → clean record in Simplified (the draft's own form: no conversion here), with the
 * configured script to be read in → publish queue. The feed and the dashboard convert it once,
 * when it is read. The draft is kept as a sample of its source; every so often that asks for a
 * `learn` job (see `profiles.ts`).
 * `learn` job: re-learn one source's profile from its samples and save it in the store; when its
 * words changed, ask for a `restore` job.
 * `restore` job: re-finalize the source's sampled pages with the new profile; publish the changed.
 *
 * Each thread opens its own Redis connection, queues and store once (`warmUp`, before its first
 * job), from the settings the worker passes as `workerData`, and reads the language model's table,
 * the dictionary index and the bigram model from the bytes the worker read once for all its
 * threads (`files`).
 */
import { workerData } from 'node:worker_threads';
import type { Redis } from 'ioredis';
import type { DeletionCycle } from '../normalize/index.js';
import { finalizeRecord, flagRepairFailed, normalizeDocument, readDocument } from '../normalize/index.js';
import type { Store } from '../publish/store/index.js';
import type { DraftDocument } from '../records/draft.js';
import { rawRecordSchema, toRawDocument } from '../records/raw.js';
import type { RawSnapshot } from '../records/stored.js';
import { createRedis, type QueueSettings } from './connection.js';
import {
  JOB_NAMES,
  type LearnJob,
  learnJobId,
  type NormalizeJob,
  type PublishJob,
  packPublishJob,
  publishJobId,
  type RestoreJob,
  restoreJobId,
} from './jobs.js';
import { PROFILE_CACHE_MS, queueCycle, type Sample, wordsOf } from './profiles.js';
import { openQueues, type Queues } from './queues.js';
import { openAppStore, type StoreSettings } from './store.js';

/** What the worker hands each thread. */
export interface ProcessorSettings {
  queue: QueueSettings;
  store: StoreSettings;
  /** The dictionary files' bytes (`sharedFileBytes`), read once by the worker for all its threads. */
  files?: Record<string, Uint8Array>;
}

interface Context {
  prefix: string;
  redis: Redis;
  queues: Queues;
  store: Store;
  /** The deleted-word learning cycle over Redis samples and the store's profiles. */
  cycle: DeletionCycle;
}

let context: Promise<Context> | undefined;

async function openContext(settings: ProcessorSettings): Promise<Context> {
  const { prefix, redisUrl } = settings.queue;
  const redis = createRedis(redisUrl);
  const store = await openAppStore(settings.store, 2);
  return { prefix, redis, queues: openQueues(redis, prefix), store, cycle: queueCycle(redis, prefix, store) };
}

export interface NormalizeResult {
  id: string;
  source: string;
  repairs: number;
  /** Words of the source's profile the page was restored with. */
  profileWords: number;
  publishJob: string;
}

async function normalize(ctx: Context, data: NormalizeJob): Promise<NormalizeResult> {
  const parsed = rawRecordSchema.safeParse(data.raw);
  if (!parsed.success) throw new Error(`not a raw record: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const raw = toRawDocument(parsed.data);
  // Stored in Simplified (below): the page's own forms are not asked for.
  const { draft, page } = readDocument(raw, { to: 'hans' });
  const profile = await ctx.cycle.profileOf(draft.source);
  // A restoration that throws keeps the page without it, flagged: the record is not lost.
  const restored = await ctx.cycle.restore(draft).catch(() => flagRepairFailed(draft));
  // Stored in Simplified and converted when read: `data.to` is only the script it is read in.
  const record = finalizeRecord(restored, 'hans');

  // The page as the normalizer read it, kept with the version for the dashboard.
  const snapshot: RawSnapshot = {
    text: page,
    content_type: raw.contentType ?? null,
    fetched_at: raw.fetchedAt ?? null,
  };
  const job: PublishJob = { record, feedScript: data.to, raw: snapshot };
  if (data.run) job.run = data.run;
  const publishJob = publishJobId(record, data.to);
  await ctx.queues.publish.add(JOB_NAMES.publish, packPublishJob(job), { jobId: publishJob });

  // Sampled only once its publish job is queued: a `restore` job that sees the sample can count
  // on the page reaching the store.
  const { pages, learnDue } = await ctx.cycle.observe(draft, data.to);
  if (learnDue)
    await ctx.queues.normalize.add(
      JOB_NAMES.learn,
      { source: draft.source, pages },
      { jobId: learnJobId(draft.source, pages) },
    );
  return {
    id: record.id,
    source: record.source,
    repairs: record.repairs.length,
    profileWords: profile?.words.length ?? 0,
    publishJob,
  };
}

async function learn(ctx: Context, data: LearnJob): Promise<{ source: string; words: string[] }> {
  const { saved, changed } = await ctx.cycle.learn(data.source, data.pages);
  const words = wordsOf(saved.profile);
  // After the other threads' cached profiles expire, so the pages they normalize meanwhile are
  // sampled by the time the restore job reads the samples.
  if (changed && words.length > 0)
    await ctx.queues.normalize.add(
      JOB_NAMES.restore,
      { source: data.source, words },
      { jobId: restoreJobId(data.source, words), delay: PROFILE_CACHE_MS + 1_000 },
    );
  return { source: data.source, words };
}

/** How long `restore` waits for pages whose first version is still on its way to the store. */
const RESTORE_WAIT_MS = 60_000;

/**
 * Re-finalizes the source's sampled pages with its current profile and publishes those whose
 * text changed (the store writes a new version; an unchanged record writes nothing).
 */
async function restore(ctx: Context, data: RestoreJob): Promise<{ source: string; restored: number }> {
  let restored = 0;
  const deadline = Date.now() + RESTORE_WAIT_MS;
  let pending: { sample: Sample; restored: DraftDocument }[] = [];
  for await (const found of ctx.cycle.restoredSamples(data.source)) pending.push(found);
  while (pending.length > 0) {
    const later: typeof pending = [];
    for (const { sample, restored: draft } of pending) {
      const current = await ctx.store.getRecord(sample.id);
      if (!current) {
        later.push({ sample, restored: draft });
        continue;
      }
      const record = finalizeRecord(draft, 'hans');
      if (record.content_hash === current.content_hash) continue;
      const feedScript = sample.to ?? current.feed_script;
      const job: PublishJob = { record, feedScript, rawOf: { id: current.id, version: current.version } };
      await ctx.queues.publish.add(JOB_NAMES.publish, packPublishJob(job), {
        jobId: publishJobId(record, feedScript),
      });
      restored++;
    }
    if (later.length === 0 || Date.now() > deadline) break;
    pending = later;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return { source: data.source, restored };
}

/**
 * Opens the thread's connections and builds the language model and dictionaries (a few seconds):
 * done before the thread's first job, so that no job's time budget pays for it.
 */
export async function warmUp(): Promise<void> {
  context ??= openContext(workerData as ProcessorSettings);
  try {
    await context;
  } catch {
    context = undefined; // the first job tries again and fails with the reason
  }
  normalizeDocument({ url: 'warm-up:', text: '银行贷款逾期了怎么办？\n逾期以后，征信会受到影响。' });
}

/** A job as the thread receives it. */
export interface ThreadJob {
  name: string;
  data: unknown;
}

export default async function normalizeProcessor(job: ThreadJob) {
  context ??= openContext(workerData as ProcessorSettings);
  let ctx: Context;
  try {
    ctx = await context;
  } catch (error) {
    context = undefined; // try again on the next job (the store may come back)
    throw error;
  }
  if (job.name === JOB_NAMES.learn) return learn(ctx, job.data as LearnJob);
  if (job.name === JOB_NAMES.restore) return restore(ctx, job.data as RestoreJob);
  return normalize(ctx, job.data as NormalizeJob);
}
