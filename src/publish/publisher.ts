/**
 * The publish step: a clean record in, a stored version (or nothing, when unchanged) out, with
 * duplicates marked. The fingerprint (canonical text, MinHash, band keys) is computed here, outside
 * the store's transaction; the store then decides, under its locks, in one transaction (see
 * store/publish-tx.ts). Safe to call from any number of workers and machines at once.
 *
 *   const store = await openStore();            // DATABASE_URL, or ./data/finfaq.sqlite
 *   const publisher = await createPublisher(store);
 *   await publisher.publish(record, { text: html, content_type: 'text/html' });
 *   // → { id, version: 1, duplicateOf: null, changed: true, outcome: 'created', seq: 17, similarity: null }
 */
import { EventEmitter } from 'node:events';
import type { CleanRecord } from '../records/clean.js';
import type { Script } from '../records/scripts.js';
import {
  DEDUPE_DEFAULTS,
  type DedupeOptions,
  type Fingerprint,
  FingerprintCache,
  fingerprint,
  indexFormat,
  PREVIOUS_DEFAULT_FORMATS,
} from './dedupe/index.js';
import type { PublishStore } from './store/store.js';
import { storableRaw, storableRecord } from './store/text.js';
import type { PublishOutcome, PublishResult, RawSnapshot } from './types.js';

export interface PublishCounts {
  created: number;
  updated: number;
  unchanged: number;
  /** Written versions that duplicate another record (also counted as created or updated). */
  duplicates: number;
  failed: number;
}

export interface PublisherEvents {
  /** A version was written (not emitted for unchanged records). */
  published: [PublishResult];
  /** Every publish, with its duration in seconds: what metrics observe. */
  done: [{ outcome: PublishOutcome | 'failed'; duplicate: boolean; seconds: number }];
}

export class Publisher extends EventEmitter<PublisherEvents> {
  /** What this process published since it started. The store keeps totals over all processes. */
  readonly counts: PublishCounts = { created: 0, updated: 0, unchanged: 0, duplicates: 0, failed: 0 };
  readonly dedupe: Readonly<DedupeOptions>;
  private readonly fingerprintOf: (paragraphs: readonly string[]) => Fingerprint;
  /** Candidates' fingerprints, kept between publishes (dedupe/fingerprint-cache.ts). */
  readonly candidates = new FingerprintCache();

  /** Prefer `createPublisher`, which also checks the store's index format. */
  constructor(
    readonly store: PublishStore,
    dedupe: Partial<DedupeOptions> = {},
  ) {
    super();
    this.dedupe = { ...DEDUPE_DEFAULTS, ...dedupe };
    const options = this.dedupe;
    this.fingerprintOf = (paragraphs) => fingerprint(paragraphs, options);
  }

  /**
   * Stores the record: a new record or a changed one gets a new version (with the next feed
   * position), an unchanged one changes nothing. Idempotent: publishing the same record twice
   * writes once. `raw` is kept with a written version for the dashboard. Control characters and
   * lone surrogates are taken out of the text first, as recorded repairs (store/text.ts).
   *
   * The text is stored as given, in `given.script`; `feedScript` is the script readers get it in
   * when they ask for none (default: `given.script`). The queue gives Simplified text (the
   * normalizer's own form) and the sources file's `output.script`: the text is converted once,
   * when it is read (feed/items.ts), never before it is stored.
   */
  async publish(
    given: CleanRecord,
    raw?: RawSnapshot | null,
    options: { feedScript?: Script } = {},
  ): Promise<PublishResult> {
    const started = performance.now();
    try {
      // Both stores keep the same text: no control characters, no lone surrogates (store/text.ts).
      const record = storableRecord(given);
      const result = await this.store.publish({
        record,
        feedScript: options.feedScript,
        raw: raw ? storableRaw(raw) : raw,
        fingerprint: this.fingerprintOf(record.paragraphs),
        fingerprintOf: this.fingerprintOf,
        candidates: this.candidates,
        dedupe: this.dedupe,
      });
      this.counts[result.outcome]++;
      if (result.changed && result.duplicateOf) this.counts.duplicates++;
      this.emit('done', {
        outcome: result.outcome,
        duplicate: result.changed && result.duplicateOf !== null,
        seconds: (performance.now() - started) / 1000,
      });
      if (result.changed) this.emit('published', result);
      return result;
    } catch (error) {
      this.counts.failed++;
      this.emit('done', {
        outcome: 'failed',
        duplicate: false,
        seconds: (performance.now() - started) / 1000,
      });
      throw error;
    }
  }
}

/**
 * A publisher over `store`, after checking that the store's dedupe index has this format. A
 * publisher with the default options re-indexes a store whose index an earlier release built with
 * its defaults (`PREVIOUS_DEFAULT_FORMATS`): the band rows of every canonical record are rebuilt
 * once, with other writers kept out meanwhile (a MinHash a record: ~0.4–1 ms). Other options never rebuild a
 * shared index: a store built otherwise is refused.
 */
export async function createPublisher(
  store: PublishStore,
  dedupe: Partial<DedupeOptions> = {},
): Promise<Publisher> {
  const publisher = new Publisher(store, dedupe);
  const format = indexFormat(publisher.dedupe);
  const upgrade = format === indexFormat(DEDUPE_DEFAULTS);
  await store.ensureIndexFormat(
    format,
    upgrade
      ? {
          from: PREVIOUS_DEFAULT_FORMATS,
          bandKeysOf: (paragraphs) => fingerprint(paragraphs, publisher.dedupe).bandKeys,
        }
      : undefined,
  );
  return publisher;
}
