/**
 * Scoring extraction against the truth: paragraphs compared as whole strings after whitespace is
 * normalized (runs of white space become one space, none is kept between two CJK characters,
 * where a line break in the source is no space), as multisets, so repeated paragraphs count.
 */

const CJK = '[\\p{Script=Han}\\u3000-\\u303f\\uff00-\\uffef“”‘’…—]';
const SPACE_BETWEEN_CJK = new RegExp(`(?<=${CJK})\\s+(?=${CJK})`, 'gu');

/** Text with white space normalized the way a reader sees it. */
export function sameText(text: string): string {
  return text.replace(SPACE_BETWEEN_CJK, '').replace(/\s+/g, ' ').trim();
}

export interface ParagraphScore {
  /** Paragraphs found that are in the truth. */
  matched: number;
  found: number;
  expected: number;
}

/** Multiset overlap of found and expected paragraphs. */
export function scoreParagraphs(found: readonly string[], expected: readonly string[]): ParagraphScore {
  const want = new Map<string, number>();
  for (const p of expected) {
    const key = sameText(p);
    want.set(key, (want.get(key) ?? 0) + 1);
  }
  let matched = 0;
  for (const p of found) {
    const key = sameText(p);
    const left = want.get(key) ?? 0;
    if (left > 0) {
      matched++;
      want.set(key, left - 1);
    }
  }
  return { matched, found: found.length, expected: expected.length };
}
