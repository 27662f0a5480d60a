/** The clean record: the normalizer's output, the store's rows and the feed's items (CONTRACT.md). */
import { createHash } from 'node:crypto';
import { toSimplifiedChars } from './script/char-fold.js';
import type { Repair, Script, Unresolved } from './types.js';

export interface CleanRecord {
  id: string;
  url: string;
  source: string;
  title: string | null;
  category: string | null;
  published_at: string | null;
  script: Script;
  paragraphs: string[];
  repairs: Repair[];
  flags: string[];
  /** Where each problem of `flags` that has a place is: garbled runs left as they are, gaps. */
  unresolved: Unresolved[];
  content_hash: string;
}

/** 64 bits of SHA-256 in hex: record ids, content hashes, the dedupe index's exact layer. */
export function hash64(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Same page, same id across recrawls: the URL without its fragment. */
export function recordId(url: string): string {
  return hash64(url.replace(/#.*$/, ''));
}

/** Letters and digits of the Simplified fold: a Traditional copy of a page hashes like the original. */
export function canonicalText(paragraphs: readonly string[]): string {
  return toSimplifiedChars(paragraphs.join('\n')).replace(/[^\p{L}\p{N}]/gu, '');
}

export function contentHash(paragraphs: readonly string[]): string {
  return hash64(canonicalText(paragraphs));
}
