/**
 * The crawl's recrawl state (ETag, Last-Modified and body hash of each article page, see
 * `../crawl/validators.ts`) kept in Redis, one hash per source, so that whichever worker crawls a
 * source next asks "has it changed?" and enqueues only pages that did.
 *
 * A page's validators are written only after its normalize job is on the queue: a crawl that dies
 * half-way has recorded nothing it did not hand on, and the next crawl fetches those pages again.
 */
import type { Redis } from 'ioredis';
import type { PageValidators, ValidatorStore } from '../crawl/index.js';
import { redisKeys } from './keys.js';

export const crawlStateKey = redisKeys.crawlState;

export class RedisValidatorStore implements ValidatorStore {
  private readonly pages = new Map<string, PageValidators>();
  private pending = new Map<string, PageValidators>();

  private constructor(
    private readonly redis: Redis,
    private readonly key: string,
    readonly source: string,
  ) {}

  /** The state of one source's pages as the last crawls left it. */
  static async load(redis: Redis, prefix: string, source: string): Promise<RedisValidatorStore> {
    const store = new RedisValidatorStore(redis, crawlStateKey(prefix, source), source);
    const fields = await redis.hgetall(store.key);
    for (const [url, json] of Object.entries(fields)) {
      try {
        store.pages.set(url, JSON.parse(json) as PageValidators);
      } catch {
        // A damaged entry only means the page is fetched in full again.
      }
    }
    return store;
  }

  get(source: string, url: string): PageValidators | undefined {
    return source === this.source ? this.pages.get(url) : undefined;
  }

  set(source: string, url: string, validators: PageValidators): void {
    if (source !== this.source) return;
    this.pages.set(url, validators);
    this.pending.set(url, validators);
  }

  /** What was set since the last call: the page being handed on, and unchanged pages before it. */
  takePending(): Map<string, PageValidators> {
    const taken = this.pending;
    this.pending = new Map();
    return taken;
  }

  async save(entries: Map<string, PageValidators>): Promise<void> {
    if (entries.size === 0) return;
    const flat: string[] = [];
    for (const [url, validators] of entries) flat.push(url, JSON.stringify(validators));
    await this.redis.hset(this.key, ...flat);
  }

  get size(): number {
    return this.pages.size;
  }
}
