/**
 * Deleted-word profiles in a pipeline that sees one page at a time (FAULTS.md §3; the batch
 * version is `../normalize/deleted-words/batch.ts`).
 *
 * - Each normalized page leaves a sample of its draft in Redis (the latest `SAMPLE_SIZE` pages of
 *   each source, one entry per page) and counts towards its source's pages.
 * - At 20, 40, 80, 160 and 320 pages of a source, then every 500, a `learn` job re-learns the
 *   source's profile from its samples, with the other sources' samples as the intact text the
 *   learner compares against, and saves it in the store (`Store.updateProfile`), where every
 *   normalize worker on every machine reads it.
 * - A page is restored with the profile its source has when the page is normalized. When a learned
 *   profile's words differ from the ones before, a `restore` job re-finalizes the source's sampled
 *   pages with it (the first pages of a new source went out with their gaps flagged), and
 *   publishes those that changed as new versions.
 */
import type { Redis } from 'ioredis';
import { DeletionLearner } from '../normalize/deleted-words/batch.js';
import type { DeletionProfile } from '../normalize/deleted-words/profile.js';
import type { DraftDocument } from '../normalize/pipeline.js';
import type { Script } from '../normalize/types.js';
import type { Store } from '../publish/store/index.js';

/** Drafts kept per source (the learner reads at most ~150,000 characters of a source anyway). */
export const SAMPLE_SIZE = 150;
/** How long a worker uses a profile it read before reading it again. */
export const PROFILE_CACHE_MS = 10_000;

/** What the store keeps per source. */
export interface StoredProfile {
  profile: DeletionProfile;
  /** Pages of the source normalized when it was learned. */
  pages: number;
}

const keys = (prefix: string, source: string) => ({
  samples: `${prefix}:profile-samples:${source}`,
  order: `${prefix}:profile-order:${source}`,
  pages: `${prefix}:profile-pages:${source}`,
  sources: `${prefix}:profile-sources`,
});

/** Pages after which a source's profile is first learned, then learned again, doubling… */
const FIRST_LEARN = 20;
const LAST_DOUBLING = 320;
/** …then every this many pages. */
const LEARN_EVERY = 500;

/**
 * Whether the source's profile is due to be learned again after its `pages`-th page: at 20, 40,
 * 80, 160 and 320 pages, then every 500. Learning costs about as much as normalizing a few dozen
 * pages (and a thread's first one ~3 s more, for the dictionary index), so it is done rarely.
 */
export function relearnDue(pages: number): boolean {
  if (pages < FIRST_LEARN) return false;
  if (pages <= LAST_DOUBLING) return Number.isInteger(Math.log2(pages / FIRST_LEARN));
  return pages % LEARN_EVERY === 0;
}

/** A sampled page: its draft (repairs included, for `restore`) and the script it was published in. */
export interface Sample extends DraftDocument {
  to: Script;
}

/**
 * Keeps the draft as its source's latest sample; resolves to the number of pages of the source
 * seen so far.
 */
export async function keepSample(
  redis: Redis,
  prefix: string,
  draft: DraftDocument,
  to: Script,
): Promise<number> {
  const k = keys(prefix, draft.source);
  const sample: Sample = { ...draft, to };
  const results = await redis
    .multi()
    .hset(k.samples, draft.id, JSON.stringify(sample))
    .zadd(k.order, Date.now(), draft.id)
    .sadd(k.sources, draft.source)
    .incr(k.pages)
    .zcard(k.order)
    .exec();
  const pages = Number(results?.[3]?.[1] ?? 0);
  const excess = Number(results?.[4]?.[1] ?? 0) - SAMPLE_SIZE;
  if (excess > 0) {
    const oldest = await redis.zpopmin(k.order, excess);
    const ids = oldest.filter((_, i) => i % 2 === 0);
    if (ids.length > 0) await redis.hdel(k.samples, ...ids);
  }
  return pages;
}

/** The source's sampled pages (its latest `SAMPLE_SIZE`). */
export async function samplesOf(redis: Redis, prefix: string, source: string): Promise<Sample[]> {
  const values = await redis.hvals(keys(prefix, source).samples);
  return values.map((json) => JSON.parse(json) as Sample);
}

/**
 * Learns `source`'s profile from the samples, with the other sources' samples as the batch around
 * it: the same learner, with the same statistics, as `finfaq normalize` uses for a whole batch.
 */
export async function learnSourceProfile(
  redis: Redis,
  prefix: string,
  source: string,
): Promise<DeletionProfile> {
  const sources = (await redis.smembers(keys(prefix, source).sources)).sort();
  const learner = new DeletionLearner();
  for (const draft of await samplesOf(redis, prefix, source)) learner.add(draft);
  for (const other of sources)
    if (other !== source)
      for (const draft of await samplesOf(redis, prefix, other)) learner.addBackground(draft);
  return learner.profileOf(source) ?? { source, documents: 0, words: [] };
}

/**
 * Saves a learned profile unless the store already has one learned from more pages. `changed`:
 * the saved profile is this one and its words differ from the profile it replaced.
 */
export async function saveProfile(
  store: Store,
  source: string,
  learned: StoredProfile,
): Promise<{ saved: StoredProfile; changed: boolean }> {
  let changed = false;
  const saved = await store.updateProfile<StoredProfile>(source, (current) => {
    if (current && current.pages > learned.pages) return current;
    changed = wordsOf(current?.profile).join('\u0000') !== wordsOf(learned.profile).join('\u0000');
    return learned;
  });
  return { saved: saved.profile, changed };
}

export function wordsOf(profile: DeletionProfile | undefined): string[] {
  return (profile?.words ?? []).map((w) => w.word).sort();
}

/** Profiles read from the store, each kept for a few seconds. */
export class ProfileCache {
  private readonly entries = new Map<string, { at: number; profile: DeletionProfile | undefined }>();

  constructor(private readonly store: Store) {}

  async get(source: string): Promise<DeletionProfile | undefined> {
    const cached = this.entries.get(source);
    if (cached && Date.now() - cached.at < PROFILE_CACHE_MS) return cached.profile;
    const stored = await this.store.getProfile<StoredProfile>(source);
    const profile = stored?.profile?.profile;
    this.entries.set(source, { at: Date.now(), profile });
    return profile;
  }

  /** After this worker learned a profile: use it at once. */
  set(source: string, profile: DeletionProfile): void {
    this.entries.set(source, { at: Date.now(), profile });
  }
}
