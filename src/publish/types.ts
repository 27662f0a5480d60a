/** Shapes shared by the store, the publisher and the feed. */
import type { CleanRecord } from '../normalize/record.js';

/** The page a record version was made from, kept for the dashboard. */
export interface RawSnapshot {
  /** The decoded page: HTML or text, as the normalizer received it. */
  text: string;
  content_type?: string | null;
  fetched_at?: string | null;
}

/** A record that duplicates another: offered on the canonical record's feed item. */
export interface AlsoOn {
  id: string;
  url: string;
  source: string;
}

/** One stored version of a record. */
export interface StoredRecord extends CleanRecord {
  /** Id of the first-seen record this version duplicates, else null. */
  duplicate_of: string | null;
  /** Jaccard similarity to `duplicate_of` (1 for an exact copy), else null. */
  similarity: number | null;
  version: number;
  /** Publish sequence number of this version: the feed cursor. */
  seq: number;
  /** When this version was stored (ISO 8601, UTC). */
  stored_at: string;
  /** The records that currently duplicate this one (filled on feed reads, else empty). */
  also_on: AlsoOn[];
}

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
