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
import {
  byRank,
  DeletionCycle,
  type ProfileStore,
  passageAnchors,
  replaceProfile,
  SAMPLE_SIZE,
  type Sample,
  type SampleStore,
  type StoredProfile,
  sampleRank,
} from '../normalize/index.js';
import type { ProfileStore as SourceProfiles } from '../publish/store/index.js';
import { redisKeys } from './keys.js';
import { packJson, unpackJson } from './packed.js';

export type { Sample, StoredProfile } from '../normalize/index.js';
export { profileWords as wordsOf, relearnDue, SAMPLE_SIZE } from '../normalize/index.js';

/** How long a worker uses a profile it read before reading it again. */
export const PROFILE_CACHE_MS = 10_000;

const keys = (prefix: string, source: string) => ({
  samples: redisKeys.profileSamples(prefix, source),
  order: redisKeys.profileOrder(prefix, source),
  pages: redisKeys.profilePages(prefix, source),
  sources: redisKeys.profileSources(prefix),
});

/**
 * Adds a sample and trims the source's samples to the `size` lowest-ranked in one step, so that
 * workers keeping pages at once never trim more than they add (equal scores: Redis orders them by
 * id, as `byRank` does). KEYS: samples hash, order set; ARGV: id, rank, draft (packed JSON), size.
 */
const KEEP_SAMPLE = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
local size = tonumber(ARGV[4])
local extra = redis.call('ZRANGE', KEYS[2], size, -1)
if #extra > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[2], size, -1)
  redis.call('HDEL', KEYS[1], unpack(extra))
end
return #extra`;

/** Samples in Redis: per source a hash of drafts by id and a sorted set of ids by rank. */
export class RedisSampleStore implements SampleStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly size = SAMPLE_SIZE,
  ) {}

  async keep(sample: Sample): Promise<number> {
    const k = keys(this.prefix, sample.source);
    const rank = sampleRank(sample.id);
    // Counted first; the draft itself crosses to Redis only when it ranks among the kept samples.
    // Once a source has its samples, the highest rank kept only goes down, so a page that ranks
    // after it now never would have been kept (whichever worker is adding what meanwhile).
    const counted = await this.redis
      .multi()
      .incr(k.pages)
      .sadd(k.sources, sample.source)
      .zcard(k.order)
      .zrange(k.order, '-1', '-1', 'WITHSCORES')
      .zscore(k.order, sample.id)
      .exec();
    const pages = Number(counted?.[0]?.[1] ?? 0);
    const held = Number(counted?.[2]?.[1] ?? 0);
    const [highestId, highestRank] = (counted?.[3]?.[1] ?? []) as string[];
    const known = counted?.[4]?.[1] != null;
    if (!known && held >= this.size && highestId !== undefined) {
      const ranksAfter =
        rank > Number(highestRank) || (rank === Number(highestRank) && sample.id > highestId);
      if (ranksAfter) return pages;
    }
    await this.redis.eval(KEEP_SAMPLE, 2, k.samples, k.order, sample.id, rank, packJson(sample), this.size);
    return pages;
  }

  async samples(source: string): Promise<Sample[]> {
    const values = await this.redis.hvals(keys(this.prefix, source).samples);
    // Packed (`packed.ts`); plain JSON from earlier releases.
    return values.map((value) => unpackJson<Sample>(value)).sort(byRank);
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

  constructor(private readonly store: SourceProfiles) {}

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
export function queueCycle(redis: Redis, prefix: string, store: SourceProfiles): DeletionCycle {
  return new DeletionCycle(new RedisSampleStore(redis, prefix), new StoreProfiles(store));
}
