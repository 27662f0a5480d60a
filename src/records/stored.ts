/** The stored record: a version of a clean record as the store keeps it and the feed serves it. */
import type { CleanRecord } from './clean.js';
import type { Script } from './scripts.js';

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

/**
 * One stored version of a record. Its text fields are stored in `script` (the queue stores them in
 * Simplified, the normalizer's own form, and converts them when they are read); `feed_script` is
 * the script a reader gets when it asks for none (the sources file's `output.script`).
 */
export interface StoredRecord extends CleanRecord {
  /** The script the feed and the dashboard show the record in by default. */
  feed_script: Script;
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
