/**
 * Feed reads within a memory budget. One hostile page can make a record of ~10 MB of JSON (130,000
 * repairs), and every reader of the feed would otherwise parse and serialize its own copy of it:
 * 200 streams replaying the store hold 200 copies. So reads of the feed go through one
 * `FeedReads` per store (shared by the feed and the dashboard):
 *
 * - at most `concurrency` store reads run at once (the others wait their turn);
 * - the same read asked for while one is running (same cursor, limit, script) is shared, and
 *   its result is reused while the store's head (its highest publish number) has not moved, for
 *   up to `cacheMs` (10 s; up to `cacheBytes`, 64 MB in all): every change to the feed (a version,
 *   a duplicate mark, a re-pointed duplicate) is a publish and moves the head, so a reused result
 *   is never stale, and 200 clients connecting over a few seconds parse a huge record once, not
 *   200 times;
 * - a page stops at `pageBytes` bytes of serialized items (at least one item), reading the
 *   store in slices sized from the items seen so far, so a page never parses many huge records;
 * - items are serialized to UTF-8 once and interned: while any response still holds an item's
 *   bytes, a read of the same item (same version, script, duplicate mark and `also_on`) gets those
 *   same bytes, so slow readers of one huge record share one copy of it, written in slices
 *   (`subarray`, no copy).
 *
 * What a reader holds while it writes is one page; writers (`BoundedWriter`, sse.ts) hold at most
 * their socket's high-water mark beyond it and drop a client that stops reading.
 */
import { createHash } from 'node:crypto';
import type { Script } from '../../records/scripts.js';
import type { FeedStore } from '../store/store.js';
import type { StoredRecord } from '../types.js';
import { toFeedItem } from './items.js';

export interface ReadLimits {
  /** Store reads of the feed running at once. */
  concurrency: number;
  /** Bytes of serialized items a page stops at (it holds at least one item). */
  pageBytes: number;
  /** How long a page or record read may be reused by later readers, the head unchanged (ms). */
  cacheMs: number;
  /** Bytes of pages and records kept for reuse. */
  cacheBytes: number;
}

export const READ_DEFAULTS: ReadLimits = {
  concurrency: 2,
  pageBytes: 4_000_000,
  cacheMs: 10_000,
  cacheBytes: 64_000_000,
};

/** Items read from the store per slice before their sizes are known. */
const FIRST_SLICE = 10;
const MAX_SLICE = 500;

/** One serialized feed item: `data` is `JSON.stringify(toFeedItem(record, script))` in UTF-8. */
export interface SerializedItem {
  seq: number;
  data: Buffer;
  /** What the text depends on: version (seq), script, `duplicate_of` and `also_on`. */
  key: string;
}

export interface SerializedPage {
  items: SerializedItem[];
  /** The cursor after the page (the last item's seq, or `after` when empty). */
  next: number;
  /** Whether the page stopped before the head (at its limit or its size). */
  full: boolean;
}

/** Runs at most `size` tasks at once, the others in arrival order. */
export class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

function itemKey(record: StoredRecord, script: Script | undefined): string {
  const alsoOn = record.also_on.map((d) => d.id).join(',');
  return `${record.seq}|${script ?? ''}|${record.duplicate_of ?? ''}|${alsoOn}`;
}

/** A tag of what a response's text depends on: the keys of its items. */
export function etagOf(parts: readonly string[]): string {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part).update('\n');
  return `"${hash.digest('base64url')}"`;
}

export class FeedReads {
  readonly limits: ReadLimits;
  private readonly gate: Gate;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly cache = new Map<
    string,
    { value: unknown; head: number; expires: number; bytes: number }
  >();
  private cachedBytes = 0;
  private readonly interned = new Map<string, WeakRef<SerializedItem>>();
  private readonly forget = new FinalizationRegistry<string>((key) => {
    if (!this.interned.get(key)?.deref()) this.interned.delete(key);
  });

  constructor(
    readonly store: FeedStore,
    limits: Partial<ReadLimits> = {},
  ) {
    this.limits = { ...READ_DEFAULTS, ...limits };
    this.gate = new Gate(this.limits.concurrency);
  }

  /** Runs `read` through the gate, shared with whoever asks for the same `key` meanwhile. */
  shared<T>(key: string, read: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) return running as Promise<T>;
    const promise = this.gate.run(read).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  /**
   * `shared`, and the result kept for later readers of the same key while the store's head stays
   * where it was (for up to `cacheMs`, when it is not bigger than the whole cache).
   */
  async cached<T>(key: string, read: () => Promise<T>, bytesOf: (value: T) => number): Promise<T> {
    const head = await this.store.head();
    const hit = this.cache.get(key);
    if (hit && hit.head === head && hit.expires > Date.now()) return hit.value as T;
    return this.shared(`${key}|${head}`, async () => {
      const value = await read();
      this.keep(key, value, head, bytesOf(value));
      return value;
    });
  }

  /** Forgets every kept result (something was published). */
  invalidate(): void {
    this.cache.clear();
    this.cachedBytes = 0;
  }

  private keep(key: string, value: unknown, head: number, bytes: number): void {
    if (this.limits.cacheMs <= 0 || bytes > this.limits.cacheBytes) return;
    const now = Date.now();
    const old = this.cache.get(key);
    if (old) {
      this.cache.delete(key);
      this.cachedBytes -= old.bytes;
    }
    // Oldest first: expired entries, then as many as the budget needs.
    for (const [k, entry] of this.cache) {
      if (entry.expires > now && this.cachedBytes + bytes <= this.limits.cacheBytes) break;
      this.cache.delete(k);
      this.cachedBytes -= entry.bytes;
    }
    this.cache.set(key, { value, head, expires: now + this.limits.cacheMs, bytes });
    this.cachedBytes += bytes;
  }

  /** The item's serialized bytes, the same as any live ones for the same key. */
  serialize(record: StoredRecord, script: Script | undefined): SerializedItem {
    const key = itemKey(record, script);
    const live = this.interned.get(key)?.deref();
    if (live) return live;
    const data = Buffer.from(JSON.stringify(toFeedItem(record, script)));
    const item: SerializedItem = { seq: record.seq, data, key };
    this.interned.set(key, new WeakRef(item));
    this.forget.register(item, key);
    return item;
  }

  /**
   * Up to `limit` feed items after `after`, serialized for `script`, stopping at the page size.
   * Memory: one slice of parsed records at a time (sized so that it stays near the page size).
   */
  page(after: number, limit: number, script: Script | undefined): Promise<SerializedPage> {
    return this.cached(
      `page|${after}|${limit}|${script ?? ''}`,
      async () => {
        const items: SerializedItem[] = [];
        let bytes = 0;
        let cursor = after;
        let slice = Math.min(limit, FIRST_SLICE);
        for (;;) {
          const left = limit - items.length;
          const { items: records } = await this.store.listFeed(cursor, Math.min(slice, left));
          for (const record of records) {
            const item = this.serialize(record, script);
            items.push(item);
            bytes += item.data.length;
            cursor = record.seq;
            if (bytes >= this.limits.pageBytes && items.length < limit)
              return { items, next: cursor, full: true };
          }
          if (items.length >= limit) return { items, next: cursor, full: true };
          if (records.length < Math.min(slice, left)) return { items, next: cursor, full: false };
          // Next slice: as many items as the bytes left allow, at the size seen so far.
          const average = Math.max(1, bytes / items.length);
          slice = Math.max(1, Math.min(MAX_SLICE, Math.floor((this.limits.pageBytes - bytes) / average)));
        }
      },
      pageBytes,
    );
  }

  /** One record (latest version or `version`), serialized, or null. */
  record(
    id: string,
    version: number | undefined,
    script: Script | undefined,
  ): Promise<SerializedItem | null> {
    return this.cached(
      `record|${id}|${version ?? ''}|${script ?? ''}`,
      async () => {
        const record = await this.store.getRecord(id, version);
        return record ? this.serialize(record, script) : null;
      },
      (item) => item?.data.length ?? 0,
    );
  }

  /** The record as stored (for the dashboard), read through the gate. */
  stored(id: string, version?: number): Promise<StoredRecord | null> {
    return this.shared(`stored|${id}|${version ?? ''}`, () => this.store.getRecord(id, version));
  }

  /**
   * The newest canonical records as items (JSON Feed, Atom), up to `limit` and to `pageBytes` of
   * their `bytesOf` (at least one): read slice by slice, so that a store of huge records is never
   * held whole. Call it inside `shared` (it does not take the gate itself).
   */
  async latestWithin<T>(
    limit: number,
    toItem: (record: StoredRecord) => T,
    bytesOf: (item: T) => number,
  ): Promise<T[]> {
    const items: T[] = [];
    let bytes = 0;
    let before: number | undefined;
    while (items.length < limit) {
      const asked = Math.min(FIRST_SLICE, limit - items.length);
      const slice = await this.store.latest(asked, before);
      for (const record of slice) {
        const item = toItem(record);
        const size = bytesOf(item);
        if (items.length > 0 && bytes + size > this.limits.pageBytes) return items;
        items.push(item);
        bytes += size;
      }
      const last = slice.at(-1);
      // Fewer than asked: the store has no older ones.
      if (!last || slice.length < asked) break;
      before = last.seq;
    }
    return items;
  }
}

function pageBytes(page: SerializedPage): number {
  return page.items.reduce((sum, item) => sum + item.data.length, 0);
}

const perStore = new WeakMap<FeedStore, FeedReads>();

/** The store's `FeedReads` (one per store object, so the feed and the dashboard share its gate). */
export function feedReadsOf(store: FeedStore, limits?: Partial<ReadLimits>): FeedReads {
  let reads = perStore.get(store);
  if (!reads) {
    reads = new FeedReads(store, limits);
    perStore.set(store, reads);
  }
  return reads;
}
