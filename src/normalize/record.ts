/** The clean record's ids and hashes (its shape: src/records/clean.ts). */
import { sha256Hex } from '../records/hash.js';
import { toSimplifiedChars } from './script/char-fold.js';

export type { CleanRecord } from '../records/clean.js';

/** 64 bits of SHA-256 in hex: record ids, content hashes, the dedupe index's exact layer. */
export function hash64(text: string): string {
  return sha256Hex([text], { chars: 16 });
}

/** Same page, same id across recrawls: the URL without its fragment. */
export function recordId(url: string): string {
  return hash64(url.replace(/#.*$/, ''));
}

const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]/gu;

/**
 * Letters and digits of the Simplified fold: a Traditional copy of a page hashes like the original.
 * Folded a paragraph at a time (the fold of one 50 MB string took gigabytes on the way).
 */
export function canonicalText(paragraphs: readonly string[]): string {
  return paragraphs.map((p) => toSimplifiedChars(p).replace(NOT_LETTER_OR_DIGIT, '')).join('');
}

/** `hash64(canonicalText(paragraphs))`, hashed a paragraph at a time. */
export function contentHash(paragraphs: readonly string[]): string {
  function* folded() {
    for (const p of paragraphs) yield toSimplifiedChars(p).replace(NOT_LETTER_OR_DIGIT, '');
  }
  return sha256Hex(folded(), { chars: 16 });
}
