/**
 * The draft: a document between the normalizer's two passes (every repair but the restoration of
 * deleted words done, in Simplified), as the queue keeps it in Redis and worker threads pass it on.
 */
import type { Repair, UnresolvedKind } from './repairs.js';
import type { Script } from './scripts.js';

/** Where a word may be missing: an offset into a paragraph's text. */
export interface Gap {
  offset: number;
  /**
   * `marked`: a space showed it; `unmarked`: only the shape of the line suggests it (a heading
   * ending in 的); `frame`: grammar does (a 在 frame nothing closes, `在…的_保护用户`).
   */
  evidence: 'marked' | 'unmarked' | 'frame';
  /** A marked gap that also leaves a 在 frame open: it lost the frame's closer. */
  inFrame?: true;
}

/** A garbled run held out of the text (a placeholder stands in its place) until it is put back. */
export interface ProtectedRun {
  kind: UnresolvedKind;
  text: string;
}

/** A character of a Traditional page that its Simplified text, converted back, does not give. */
export interface PageForm {
  /** The paragraph (`TITLE` for the title) and the offset into its Simplified text, in UTF-16 units. */
  paragraph: number;
  offset: number;
  /** The page's character, and the Simplified one it was converted to. */
  page: string;
  hans: string;
}

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
  /**
   * Where converting the Simplified text back to the page's script does not give the page's own
   * character (`先瞭解` comes back `先了解`): a record in the page's script keeps or records each
   * (`script/page-forms.ts`). Absent on Simplified pages and where the round trip gives the page.
   */
  forms?: PageForm[];
}
