/** Shapes shared by the store, the publisher and the feed (the stored record: src/records/stored.ts). */
import type { StoredRecord } from '../records/stored.js';

export type { AlsoOn, RawSnapshot, StoredRecord } from '../records/stored.js';

export interface FeedPage {
  /** Canonical records (and records that just became duplicates), in publish order. */
  items: StoredRecord[];
  /** The cursor to pass as `after` next time: the last item's `seq`, or `after` when empty. */
  next: number;
}

export type PublishOutcome = 'created' | 'updated' | 'unchanged';

export interface PublishResult {
  id: string;
  /** The record's current version (the one just written, or the unchanged one). */
  version: number;
  /** Id of the first-seen record this one duplicates, else null. */
  duplicateOf: string | null;
  /** True when a version was written. */
  changed: boolean;
  outcome: PublishOutcome;
  /** Publish sequence number of the current version. */
  seq: number;
  similarity: number | null;
}

/** Totals kept by the store (all processes together), for `/metrics` and the `run` summary. */
export interface StoreStats {
  records: number;
  duplicates: number;
  versions: number;
  /** Highest publish sequence number. */
  head: number;
  /** Versions written, by outcome: `created`, `updated`, `duplicate` (a written duplicate). */
  published: Record<string, number>;
  /** Repairs carried by the written versions, by kind. */
  repairs: Record<string, number>;
}

export interface SourceProfile<T = unknown> {
  source: string;
  profile: T;
  /** Incremented by every update. */
  revision: number;
  updated_at: string;
}

/** Dashboard search over the current version of every record (`Store.searchRecords`). */
export interface RecordSearch {
  /**
   * Substring of the title or the body; matched as typed AND in its Simplified and Traditional
   * forms (a user may type either script; stored text is in the record's script). ASCII letters
   * match in either case. An empty string, like any empty filter below, filters nothing.
   */
  text?: string;
  source?: string;
  /** Records whose flags include this one, e.g. 'possible-gap'. */
  flag?: string;
  /** Records with at least one repair of this kind, e.g. 'missing-word'. */
  repairKind?: string;
  /** Default 'include'. 'exclude': only canonical records; 'only': only duplicates. */
  duplicates?: 'include' | 'exclude' | 'only';
  /** Validated by the caller, 1..200. */
  limit: number;
  offset: number;
}

/** One search hit: the current version of a record, without its paragraphs. */
export interface RecordSummary {
  id: string;
  version: number;
  url: string;
  source: string;
  title: string | null;
  category: string | null;
  published_at: string | null;
  script: string;
  stored_at: string;
  duplicate_of: string | null;
  flags: string[];
  /** Repairs of the current version, counted by kind. */
  repairs: Record<string, number>;
  /** The first 80 characters of the body (paragraphs joined by a space). */
  excerpt: string;
}

export interface RecordSearchResult {
  /** Records matching the search, all pages together. */
  total: number;
  /** The page, newest stored first (seq desc). */
  items: RecordSummary[];
}

/** Per-source totals for the dashboard (`Store.sourceTotals`). */
export interface SourceTotals {
  source: string;
  /** Current records of the source (canonical + duplicates). */
  records: number;
  /** Of which duplicates. */
  duplicates: number;
  /** All versions ever written. */
  versions: number;
  last_stored_at: string | null;
  /** Repairs of the current versions, by kind. */
  repairs: Record<string, number>;
  /** Current versions carrying each flag. */
  flags: Record<string, number>;
}

/** Versions written by one source in one hour or day (`Store.publishedOverTime`). */
export interface PublishedBucket {
  /** ISO 8601 UTC start of the hour/day, as `Date#toISOString()` writes it. */
  bucket: string;
  source: string;
  versions: number;
}
