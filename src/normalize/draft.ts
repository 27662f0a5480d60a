/**
 * The draft: a document between the normalizer's two passes (every repair but the restoration of
 * deleted words done, in Simplified). Its own module, so that `deleted-words/`, which reads and
 * restores drafts, and `pipeline.ts`, which makes and finalizes them, do not import each other.
 */
import type { ProtectedRun } from './protected-runs.js';
import type { Gap, Repair, Script } from './types.js';

/**
 * A document after every repair but the restoration of deleted words, in Simplified: what the
 * second pass (which needs the whole batch or the source's profile) starts from.
 */
export interface DraftDocument {
  id: string;
  url: string;
  source: string;
  /** The script the page is written in. */
  script: Script;
  title: string | null;
  category: string | null;
  published_at: string | null;
  /** Simplified text of each paragraph. */
  paragraphs: string[];
  repairs: Repair[];
  flags: string[];
  /** Possible gaps left by deleted words, with offsets into `paragraphs`. */
  gaps: (Gap & { paragraph: number })[];
  /**
   * Garbled runs held out of `paragraphs` and `title` (`TITLE`), in order: each stands there as a
   * `PLACEHOLDER` until the record is finalized. Absent in drafts written before they existed.
   */
  runs?: (ProtectedRun & { paragraph: number })[];
}
