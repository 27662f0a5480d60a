/**
 * The deleted-word learning cycle (`../normalize/deleted-words/cycle.ts`) in a pipeline that sees
 * one page at a time: its samples in Redis, its profiles in the app store, where every normalize
 * worker on every machine reads them. The policy (which pages are sampled, when a profile is
 * learned, from what, how a page is restored) is the cycle's; this file only stores.
 *
 * - Each normalized page is kept as a sample of its source (the `SAMPLE_SIZE` pages whose ids rank
 *   lowest by hash, one entry per page) and counts towards its source's pages.
 * - When the cycle says a profile is due (20, 40, 80, 160, 320 pages, then every 500), a `learn`
 *   job learns it and saves it in the store (`Store.updateProfile`).
 * - When a learned profile's words differ from the ones before, a `restore` job re-finalizes the
 *   source's sampled pages with it and publishes those that changed as new versions.
 */
import type { Redis } from 'ioredis';
import { DeletionCycle } from '../normalize/deleted-words/cycle.js';
import {
  byRank,
  type ProfileStore,
  passageAnchors,
  replaceProfile,
  SAMPLE_SIZE,
  type Sample,
  type SampleStore,
  type StoredProfile,
  sampleRank,
} from '../normalize/deleted-words/samples.js';
import type { Store } from '../publish/store/index.js';

export { relearnDue } from '../normalize/deleted-words/cycle.js';
export type { Sample, StoredProfile } from '../normalize/deleted-words/samples.js';
export { profileWords as wordsOf, SAMPLE_SIZE } from '../normalize/deleted-words/samples.js';

/** How long a worker uses a profile it read before reading it again. */
export const PROFILE_CACHE_MS = 10_000;

const keys = (prefix: string, source: string) => ({
  samples: `${prefix}:profile-samples:${source}`,
  order: `${prefix}:profile-order:${source}`,
  pages: `${prefix}:profile-pages:${source}`,
  sources: `${prefix}:profile-sources`,
});

/** Samples in Redis: per source a hash of drafts by id and a sorted set of ids by rank. */
export class RedisSampleStore implements SampleStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly size = SAMPLE_SIZE,
  ) {}

  async keep(sample: Sample): Promise<number> {
    const k = keys(this.prefix, sample.source);
    const results = await this.redis
      .multi()
      .hset(k.samples, sample.id, JSON.stringify(sample))
      .zadd(k.order, sampleRank(sample.id), sample.id)
      .sadd(k.sources, sample.source)
      .incr(k.pages)
      .zcard(k.order)
      .exec();
    const pages = Number(results?.[3]?.[1] ?? 0);
    const excess = Number(results?.[4]?.[1] ?? 0) - this.size;
    if (excess > 0) {
      // The pages that rank highest leave (equal scores: Redis orders them by id, as `byRank` does).
      const highest = await this.redis.zpopmax(k.order, excess);
      const ids = highest.filter((_, i) => i % 2 === 0);
      if (ids.length > 0) await this.redis.hdel(k.samples, ...ids);
    }
    return pages;
  }

  async samples(source: string): Promise<Sample[]> {
    const values = await this.redis.hvals(keys(this.prefix, source).samples);
    return values.map((json) => JSON.parse(json) as Sample).sort(byRank);
  }

  async sources(): Promise<string[]> {
    return (await this.redis.smembers(keys(this.prefix, '').sources)).sort();
  }

  /** Reads the other sources' samples (the queue's sources are the configured sites: few). */
  async holding(source: string, anchors: ReadonlySet<number>): Promise<Sample[]> {
    const found: Sample[] = [];
    for (const other of await this.sources()) {
      if (other === source) continue;
      for (const sample of await this.samples(other)) {
        for (const anchor of passageAnchors(sample.paragraphs))
          if (anchors.has(anchor)) {
            found.push(sample);
            break;
          }
      }
    }
    return found;
  }
}

/** Profiles in the app store, each read kept for `PROFILE_CACHE_MS`. */
export class StoreProfiles implements ProfileStore {
  private readonly cache = new Map<string, { at: number; stored: StoredProfile | undefined }>();

  constructor(private readonly store: Store) {}

  async get(source: string): Promise<StoredProfile | undefined> {
    const cached = this.cache.get(source);
    if (cached && Date.now() - cached.at < PROFILE_CACHE_MS) return cached.stored;
    const stored = (await this.store.getProfile<StoredProfile>(source))?.profile;
    this.cache.set(source, { at: Date.now(), stored });
    return stored;
  }

  /** Read past the cache (the restore job wants the profile as saved). */
  async fresh(source: string): Promise<StoredProfile | undefined> {
    this.cache.delete(source);
    return this.get(source);
  }

  async save(source: string, learned: StoredProfile): Promise<{ saved: StoredProfile; changed: boolean }> {
    let changed = false;
    const saved = await this.store.updateProfile<StoredProfile>(source, (current) => {
      const result = replaceProfile(current ?? undefined, learned);
      changed = result.changed;
      return result.next;
    });
    // This worker uses what it saved at once.
    this.cache.set(source, { at: Date.now(), stored: saved.profile });
    return { saved: saved.profile, changed };
  }
}

/** The cycle over Redis samples and the store's profiles. */
export function queueCycle(redis: Redis, prefix: string, store: Store): DeletionCycle {
  return new DeletionCycle(new RedisSampleStore(redis, prefix), new StoreProfiles(store));
}
