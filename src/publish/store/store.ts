/**
 * The store: four roles (below), two backends (store/sqlite.ts, store/postgres.ts), the same tests.
 *
 * Records are versioned: publishing a record whose `id` exists with another `content_hash`, title,
 * category or `published_at` writes version n + 1; the same record again writes nothing. Every
 * written version gets the next publish sequence number (`seq`), the feed cursor. How the cursor
 * stays safe under concurrent publishers is explained in store/publish-tx.ts.
 */
import type { CleanRecord } from '../../records/clean.js';
import type { Script } from '../../records/scripts.js';
import type { DedupeOptions, Fingerprint } from '../dedupe/fingerprint.js';
import type { FingerprintCache } from '../dedupe/fingerprint-cache.js';
import type {
  AlsoOn,
  FeedPage,
  PublishedBucket,
  PublishResult,
  RawSnapshot,
  RecordSearch,
  RecordSearchResult,
  SourceProfile,
  SourceTotals,
  StoredRecord,
  StoreStats,
} from '../types.js';

/** Everything one publish needs; the publisher computes the fingerprint outside the transaction. */
export interface PublishInput {
  /** Its text fields in `record.script`. */
  record: CleanRecord;
  /** The script it is read in by default (`StoredRecord.feed_script`); default `record.script`. */
  feedScript?: Script;
  raw?: RawSnapshot | null;
  fingerprint: Fingerprint;
  /** Fingerprints stored paragraphs (candidates, the version being replaced). */
  fingerprintOf: (paragraphs: readonly string[]) => Fingerprint;
  /** The publisher's fingerprints of recent candidates, by exact hash. */
  candidates: FingerprintCache;
  dedupe: DedupeOptions;
}

export type StoreBackend = 'sqlite' | 'postgres';

/** The re-index path for a dedupe index in an older format (`createPublisher` gives it). */
export interface BandRebuild {
  /** Stored formats whose band rows may be rebuilt; any other stored format is refused. */
  from: readonly string[];
  /** The band keys of a canonical record's stored paragraphs, in the new format. */
  bandKeysOf: (paragraphs: readonly string[]) => number[];
}

/**
 * The store by role: each part depends on the narrowest one it needs. The code that opens a store
 * (and closes it) holds the whole `Store`; the publisher a `PublishStore`, the feed a `FeedStore`,
 * the deleted-word cycle a `ProfileStore`, the dashboard a `FeedStore & AdminQueries`. One class
 * per dialect implements them all (store/sqlite.ts, store/postgres.ts).
 */

/** What the publisher writes through (and the publish worker reads a kept page back from). */
export interface PublishStore {
  /** Dedupe + versioning + feed position, in one transaction; see store/publish-tx.ts. */
  publish(input: PublishInput): Promise<PublishResult>;
  /**
   * Records the dedupe index's format on first use; throws when the stored index was built with
   * other parameters (its band keys would never match), unless `rebuild` lists the stored format:
   * then every canonical record's band rows are rebuilt in one transaction that keeps other
   * writers out, and the new format recorded. Resolves to the number of records re-indexed (0
   * when nothing was to do, or another process did it first).
   */
  ensureIndexFormat(format: string, rebuild?: BandRebuild): Promise<number>;
  /** The raw page a version was made from, when the publisher was given it. */
  getRaw(id: string, version: number): Promise<RawSnapshot | null>;
}

/** What the feed reads (feed/reads.ts, the feed server's `/healthz` and `/metrics`). */
export interface FeedStore {
  readonly backend: StoreBackend;
  /** The latest version of a record, or the given one; null when unknown. */
  getRecord(id: string, version?: number): Promise<StoredRecord | null>;
  /** Feed items with `seq > after`, oldest first, with `also_on` filled. */
  listFeed(after: number, limit: number): Promise<FeedPage>;
  /**
   * The newest canonical feed items, newest first, with `also_on` filled (JSON Feed, Atom); with
   * `before`, those older than that feed sequence number (the next slice).
   */
  latest(limit: number, before?: number): Promise<StoredRecord[]>;
  /** Highest publish sequence number (0 when empty). */
  head(): Promise<number>;
  stats(): Promise<StoreStats>;
}

/** Sources' deleted-word profiles, as the learning cycle reads and saves them. */
export interface ProfileStore {
  /** A source's deleted-word profile (any JSON value), or null. */
  getProfile<T = unknown>(source: string): Promise<SourceProfile<T> | null>;
  /**
   * Read-modify-write of a source's profile under a row lock: concurrent updates from several
   * workers are applied one after the other, none lost. `update` gets null for a new source.
   */
  updateProfile<T = unknown>(source: string, update: (current: T | null) => T): Promise<SourceProfile<T>>;
}

/** The dashboard's queries (store/queries.ts has the parts both backends share). */
export interface AdminQueries extends Pick<PublishStore, 'getRaw'> {
  /**
   * Current versions matching every given filter, newest stored first, with the total count; the
   * text is matched literally (`%`, `_` are not wildcards) in every script form.
   */
  searchRecords(query: RecordSearch): Promise<RecordSearchResult>;
  /** Records, duplicates, versions, repairs and flags per source, sorted by source. */
  sourceTotals(): Promise<SourceTotals[]>;
  /**
   * Versions written per hour or day (UTC) and source, oldest first, then by source; buckets
   * without versions are left out. `since` (any date `Date.parse` reads) keeps versions stored at
   * or after it; it is not rounded to a bucket. Throws a RangeError for a bad bucket or `since`.
   */
  publishedOverTime(options: { bucket: 'hour' | 'day'; since?: string }): Promise<PublishedBucket[]>;
  /** Every source's deleted-word profile, sorted by source. */
  listProfiles<T = unknown>(): Promise<SourceProfile<T>[]>;
  /** The current records whose `duplicate_of` is `id`, first seen first (a feed item's `also_on`). */
  duplicatesOf(id: string): Promise<AlsoOn[]>;
}

/** A whole store: every role, and its connection's life. */
export interface Store extends PublishStore, FeedStore, ProfileStore, AdminQueries {
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Thrown for a store that cannot be opened or reached; the message says which and why. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}
